"""The counselor's store: clients, their assessments, notes and agreed plans, in a database.

SQLite by default, in a data directory created on first use
(``ADVISOR_DATA_DIR``, else ``~/.local/share/advisor``), with WAL on so a
reader never blocks a writer; any SQLAlchemy URL through ``DATABASE_URL``
(PostgreSQL is tested). The schema is created and upgraded by the Alembic
migrations in ``advisor/migrations`` when a store is opened, so an older
database is upgraded in place and nothing in it is lost.

Every write is one transaction: a crash mid-save leaves the previous state.
Two counselors saving different things at once both land; two saving the same
client's profile at once cannot silently overwrite each other (the second is
refused with :class:`ConflictError` and can reload). Deleting a client is
soft: it disappears from lists and can be restored for :data:`GRACE_DAYS`
days, after which :meth:`Store.purge` removes it for good.

Each assessment keeps the profile snapshot it was run on, the engine, rules,
catalog and model versions, and the full result, so re-opening it shows
exactly what was shown then, whatever the rules say today.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from advisor.errors import AdvisorError, InputError
from advisor.goals import Goals
from advisor.profile import Profile, profile_to_dict
from advisor.scoring import Assessment

DATA_DIR_ENV = "ADVISOR_DATA_DIR"
URL_ENV = "DATABASE_URL"
GRACE_DAYS = 30
EXPORT_FORMAT: Literal["advisor-clients/1"] = "advisor-clients/1"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
NoteKind = Literal["note", "plan"]


class StoreError(AdvisorError):
    """The database cannot be opened or used."""


class ConflictError(StoreError):
    """Someone else saved this client since it was opened: reload, then save again."""


class NotFoundError(InputError):
    """No client (or assessment) with that id."""


# --- tables -------------------------------------------------------------------------------


class _Base(DeclarativeBase):
    pass


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _new_id() -> str:
    return uuid.uuid4().hex


class _Client(_Base):
    __tablename__ = "clients"
    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=_new_id)
    name: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(default=_now)
    profile: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    goals: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    archived_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    version: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version}


class _Assessment(_Base):
    __tablename__ = "assessments"
    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=_new_id)
    client_id: Mapped[str] = mapped_column(sa.ForeignKey("clients.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)
    as_of: Mapped[str] = mapped_column(sa.String(7))
    role: Mapped[str] = mapped_column(sa.String(80))
    setting: Mapped[str] = mapped_column(sa.String(80))
    score: Mapped[float]
    band: Mapped[str] = mapped_column(sa.String(20))
    engine_version: Mapped[str] = mapped_column(sa.String(40))
    rules_version: Mapped[str] = mapped_column(sa.String(40))
    catalog_version: Mapped[str] = mapped_column(sa.String(40))
    model_version: Mapped[str | None] = mapped_column(sa.String(80))
    profile: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    result: Mapped[dict[str, Any]] = mapped_column(sa.JSON)


_KEPT = {
    "as_of", "role", "setting", "score", "band", "engine_version", "rules_version", "catalog_version",
    "model_version",
}  # fmt: skip
"""Assessment fields kept in their own columns, for listing without reading the result."""


class _Note(_Base):
    __tablename__ = "notes"
    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=_new_id)
    client_id: Mapped[str] = mapped_column(sa.ForeignKey("clients.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = mapped_column(default=_now)
    kind: Mapped[str] = mapped_column(sa.String(10))
    text: Mapped[str] = mapped_column(sa.Text)
    plan: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON, default=None)


# --- records (what callers get: plain, validated, detached) --------------------------------


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NoteRecord(_Record):
    """A dated note, or the plan agreed at a visit (``kind="plan"``, with the actions agreed)."""

    id: str
    created_at: dt.datetime
    kind: NoteKind
    text: str = Field(max_length=20_000)
    plan: dict[str, Any] | None = None

    def day(self) -> str:
        """The day it was written, in this computer's time zone (stored in UTC)."""
        return _local_day(self.created_at)


def _local_day(moment: dt.datetime) -> str:
    return moment.replace(tzinfo=dt.UTC).astimezone().date().isoformat()


def _valid_result(data: dict[str, Any]) -> dict[str, Any]:
    Assessment.model_validate(data)
    return data


class AssessmentRecord(_Record):
    """An assessment as it was made: the profile it ran on, the versions and the result."""

    id: str
    created_at: dt.datetime
    as_of: str
    role: str
    setting: str
    score: float
    band: str
    engine_version: str
    rules_version: str
    catalog_version: str
    model_version: str | None
    profile: Annotated[dict[str, Any], AfterValidator(_valid_profile)]
    result: Annotated[dict[str, Any], AfterValidator(_valid_result)]

    def day(self) -> str:
        """The day it was made, in this computer's time zone (stored in UTC)."""
        return _local_day(self.created_at)

    def assessment(self) -> Assessment:
        """The stored result, exactly as it was shown then."""
        return Assessment.model_validate(self.result)

    def snapshot(self) -> Profile:
        """The profile the assessment was run on."""
        return Profile.model_validate(self.profile)


def _valid_profile(data: dict[str, Any]) -> dict[str, Any]:
    Profile.model_validate(data)
    return data


def _valid_goals(data: dict[str, Any]) -> dict[str, Any]:
    Goals.model_validate(data)
    return data


class ClientRecord(_Record):
    """A client with their current profile and goals."""

    id: str
    name: str = Field(min_length=1, max_length=200)
    created_at: dt.datetime
    updated_at: dt.datetime
    archived_at: dt.datetime | None = None
    deleted_at: dt.datetime | None = None
    version: int = 1
    profile: Annotated[dict[str, Any], AfterValidator(_valid_profile)]
    goals: Annotated[dict[str, Any], AfterValidator(_valid_goals)]

    def current_profile(self) -> Profile:
        return Profile.model_validate(self.profile)

    def current_goals(self) -> Goals:
        return Goals.model_validate(self.goals)


class ClientExport(_Record):
    """One client with everything stored about them, as exported and imported."""

    client: ClientRecord
    assessments: list[AssessmentRecord] = []
    notes: list[NoteRecord] = []


class ExportFile(_Record):
    """The JSON file ``clients export`` writes and ``clients import`` reads."""

    format: Literal["advisor-clients/1"] = EXPORT_FORMAT
    exported_at: dt.datetime
    clients: list[ClientExport]


def _client(row: _Client) -> ClientRecord:
    return ClientRecord.model_validate(row, from_attributes=True)


def _assessment(row: _Assessment) -> AssessmentRecord:
    return AssessmentRecord.model_validate(row, from_attributes=True)


def _note(row: _Note) -> NoteRecord:
    return NoteRecord.model_validate(row, from_attributes=True)


# --- the store ----------------------------------------------------------------------------


def data_dir() -> Path:
    """Where the default SQLite file lives (created on first use)."""
    given = os.environ.get(DATA_DIR_ENV)
    return Path(given) if given else Path.home() / ".local" / "share" / "advisor"


def database_url() -> str:
    """``DATABASE_URL`` if set, else the SQLite file in :func:`data_dir`."""
    return os.environ.get(URL_ENV) or f"sqlite:///{data_dir() / 'advisor.db'}"


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=FULL")  # a commit survives a power cut, not only a crash
    cursor.close()


def migrate(engine: sa.Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (default: the newest) with the Alembic migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


class Store:
    """Client records in a database; see the module docstring for the guarantees."""

    def __init__(self, url: str | None = None, migrate_to: str = "head") -> None:
        self.url = url or database_url()
        try:
            parsed = sa.make_url(self.url)
        except sa.exc.ArgumentError:
            raise StoreError(f"not a database URL: {self.url!r}") from None
        sqlite = parsed.get_backend_name() == "sqlite"
        if sqlite and parsed.database not in (None, "", ":memory:"):
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.engine = sa.create_engine(
                parsed, connect_args={"timeout": 30} if sqlite else {}, pool_pre_ping=not sqlite
            )
        except (sa.exc.NoSuchModuleError, sa.exc.ArgumentError, ImportError) as exc:
            raise StoreError(f"cannot use the database URL ({_short(exc)})") from None
        if sqlite:
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        try:
            migrate(self.engine, migrate_to)
        except (sa.exc.OperationalError, sa.exc.DatabaseError) as exc:
            raise StoreError(f"cannot open the database ({_short(exc)})") from None
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        if migrate_to == "head":
            self.purge()  # clients deleted more than the grace period ago go for good

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    @contextlib.contextmanager
    def _write(self) -> Iterator[Session]:
        """One transaction: committed whole, or rolled back whole."""
        try:
            with self._sessions.begin() as session:
                yield session
        except sa.orm.exc.StaleDataError:
            raise ConflictError(
                "this client was changed by someone else since it was opened; reload it and save again"
            ) from None
        except sa.exc.IntegrityError:
            raise InputError("a record with the same id is already here; nothing was changed") from None
        except sa.exc.OperationalError as exc:
            raise StoreError(f"the database could not save ({_short(exc)}); nothing was changed") from None

    def _read(self) -> Session:
        return self._sessions()

    def _get(self, session: Session, client_id: str, deleted: bool = False) -> _Client:
        row = session.get(_Client, client_id)
        if row is None or (row.deleted_at is not None and not deleted):
            raise NotFoundError(f"no client with id {client_id!r}")
        return row

    # -- clients --

    def create_client(
        self, name: str, profile: Profile | None = None, goals: Goals | None = None
    ) -> ClientRecord:
        """A new client, with a profile (empty if not given) and goals (the defaults if not given)."""
        name = " ".join(name.split())
        if not name:
            raise InputError("a client needs a name")
        if len(name) > 200:
            raise InputError("a client's name must be under 200 characters")
        with self._write() as session:
            row = _Client(
                name=name,
                profile=profile_to_dict(profile or Profile()),
                goals=(goals or Goals()).model_dump(),
            )
            session.add(row)
            session.flush()
            return _client(row)

    def clients(self, search: str = "", archived: bool = False) -> list[ClientRecord]:
        """Clients whose name contains ``search`` (any case), newest change first; archived ones
        only when asked; deleted ones never."""
        with self._read() as session:
            query = sa.select(_Client).where(_Client.deleted_at.is_(None))
            if not archived:
                query = query.where(_Client.archived_at.is_(None))
            if search.strip():
                query = query.where(
                    sa.func.lower(_Client.name).contains(search.strip().lower(), autoescape=True)
                )
            rows = session.scalars(query.order_by(_Client.updated_at.desc(), _Client.name)).all()
            return [_client(r) for r in rows]

    def client(self, client_id: str) -> ClientRecord:
        """One client (not deleted)."""
        with self._read() as session:
            return _client(self._get(session, client_id))

    def save_client(
        self,
        client_id: str,
        version: int,
        name: str | None = None,
        profile: Profile | None = None,
        goals: Goals | None = None,
    ) -> ClientRecord:
        """Save changes to a client opened at ``version``; refused if it changed since."""
        with self._write() as session:
            row = self._get(session, client_id)
            if row.version != version:
                raise ConflictError(
                    f"{row.name} was changed by someone else since it was opened; reload it and save again"
                )
            if name is not None:
                if not " ".join(name.split()):
                    raise InputError("a client needs a name")
                row.name = " ".join(name.split())[:200]
            if profile is not None:
                row.profile = profile_to_dict(profile)
            if goals is not None:
                row.goals = goals.model_dump()
            row.updated_at = _now()
            session.flush()
            return _client(row)

    def archive_client(self, client_id: str, archived: bool = True) -> ClientRecord:
        """Hide a client from the default list (or bring them back)."""
        with self._write() as session:
            row = self._get(session, client_id)
            row.archived_at = _now() if archived else None
            session.flush()
            return _client(row)

    def delete_client(self, client_id: str) -> ClientRecord:
        """Soft delete: gone from every list, restorable for :data:`GRACE_DAYS` days."""
        with self._write() as session:
            row = self._get(session, client_id)
            row.deleted_at = _now()
            session.flush()
            return _client(row)

    def deleted_clients(self) -> list[ClientRecord]:
        """Clients deleted and still restorable."""
        cutoff = _now() - dt.timedelta(days=GRACE_DAYS)
        with self._read() as session:
            rows = session.scalars(sa.select(_Client).where(_Client.deleted_at >= cutoff)).all()
            return [_client(r) for r in rows]

    def restore_client(self, client_id: str) -> ClientRecord:
        """Undo a delete within the grace period."""
        with self._write() as session:
            row = self._get(session, client_id, deleted=True)
            if row.deleted_at is None:
                return _client(row)
            if row.deleted_at < _now() - dt.timedelta(days=GRACE_DAYS):
                raise InputError(
                    f"{row.name} was deleted more than {GRACE_DAYS} days ago and cannot be restored"
                )
            row.deleted_at = None
            session.flush()
            return _client(row)

    def purge(self, now: dt.datetime | None = None) -> int:
        """Remove for good the clients deleted more than :data:`GRACE_DAYS` days before ``now``."""
        cutoff = (now or _now()) - dt.timedelta(days=GRACE_DAYS)
        with self._write() as session:
            rows = session.scalars(sa.select(_Client).where(_Client.deleted_at < cutoff)).all()
            for row in rows:
                session.execute(sa.delete(_Assessment).where(_Assessment.client_id == row.id))
                session.execute(sa.delete(_Note).where(_Note.client_id == row.id))
                session.delete(row)
            return len(rows)

    # -- assessments and notes --

    def record_assessment(self, client_id: str, profile: Profile, assessment: Assessment) -> AssessmentRecord:
        """Keep an assessment with the profile it ran on and its versions."""
        with self._write() as session:
            self._get(session, client_id)
            row = _Assessment(
                client_id=client_id,
                **assessment.model_dump(include=_KEPT),
                profile=profile_to_dict(profile),
                result=assessment.model_dump(mode="json"),
            )
            session.add(row)
            session.flush()
            return _assessment(row)

    def assessments(self, client_id: str) -> list[AssessmentRecord]:
        """A client's assessments, oldest first."""
        with self._read() as session:
            self._get(session, client_id)
            query = (
                sa.select(_Assessment)
                .where(_Assessment.client_id == client_id)
                .order_by(_Assessment.created_at, _Assessment.id)
            )
            return [_assessment(r) for r in session.scalars(query).all()]

    def add_note(
        self, client_id: str, text: str, kind: NoteKind = "note", plan: dict[str, Any] | None = None
    ) -> NoteRecord:
        """A dated note, or the plan agreed (``kind="plan"``, with its actions in ``plan``)."""
        text = text.strip()
        if not text:
            raise InputError("a note cannot be empty")
        if len(text) > 20_000:
            raise InputError("a note must be under 20,000 characters")
        with self._write() as session:
            self._get(session, client_id)
            row = _Note(client_id=client_id, kind=kind, text=text, plan=plan)
            session.add(row)
            session.flush()
            return _note(row)

    def note_rows(self, client_id: str) -> list[tuple[str, str, str]]:
        """A client's notes as ``(day, kind, text)``, as the reports print them."""
        return [(n.day(), n.kind, n.text) for n in self.notes(client_id)]

    def notes(self, client_id: str) -> list[NoteRecord]:
        """A client's notes and agreed plans, oldest first."""
        with self._read() as session:
            self._get(session, client_id)
            query = sa.select(_Note).where(_Note.client_id == client_id).order_by(_Note.created_at, _Note.id)
            return [_note(r) for r in session.scalars(query).all()]

    # -- export and import --

    def export(self, client_ids: Sequence[str] | None = None) -> ExportFile:
        """Every stored thing about the given clients (all clients when None), as one file."""
        ids = client_ids if client_ids is not None else [c.id for c in self.clients(archived=True)]
        return ExportFile(
            exported_at=_now(),
            clients=[
                ClientExport(client=self.client(i), assessments=self.assessments(i), notes=self.notes(i))
                for i in ids
            ],
        )

    def import_clients(self, data: ExportFile) -> list[ClientRecord]:
        """Add the clients of an export, in one transaction; a client whose id exists is refused
        (nothing is overwritten)."""
        with self._write() as session:
            out = []
            for item in data.clients:
                if session.get(_Client, item.client.id) is not None:
                    name, cid = item.client.name, item.client.id
                    raise InputError(f"client {name!r} ({cid}) is already here; nothing was imported")
                row = _Client(**item.client.model_dump(exclude={"version"}))
                session.add(row)
                session.flush()
                for a in item.assessments:
                    session.add(_Assessment(client_id=row.id, **a.model_dump()))
                for n in item.notes:
                    session.add(_Note(client_id=row.id, **n.model_dump()))
                out.append(_client(row))
            return out


def parse_export(text: str | bytes, path: str = "clients.json") -> ExportFile:
    """Read an export file; every problem is reported at once with its location."""
    try:
        return ExportFile.model_validate_json(text)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:10])
        raise InputError(f"{path}: not a clients export ({problems})") from None


def _short(exc: Exception) -> str:
    return str(getattr(exc, "orig", exc)).splitlines()[0][:200]
