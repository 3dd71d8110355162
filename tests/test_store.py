"""The counselor's store, on SQLite and (when a server is given) PostgreSQL: round trips,
migrations from empty and from the previous schema, concurrent writers, a writer killed
mid-save, soft delete, and old assessments shown exactly as they were."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
import sqlalchemy as sa
import yaml

from advisor.errors import InputError
from advisor.goals import Goals
from advisor.plan import advise
from advisor.profile import Profile, profile_to_dict
from advisor.progress import assess_client, progress, reassess
from advisor.rules import parse_ruleset
from advisor.scoring import assess
from advisor.store import GRACE_DAYS, ConflictError, NotFoundError, Store, StoreError, parse_export
from tests.conftest import AS_OF, ROOT, example

POSTGRES_ENV = "ADVISOR_TEST_POSTGRES"
"""A PostgreSQL URL for the storage tests (``.ci/run`` starts a server and sets it); a
PostgreSQL ``DATABASE_URL`` is used too. The tests only touch their own schema in it."""
SCHEMA = "advisor_test"


def _postgres_url() -> str | None:
    given = os.environ.get(POSTGRES_ENV) or os.environ.get("DATABASE_URL", "")
    return given if given.startswith("postgresql") else None


def _fresh_schema(url: str) -> str:
    """A URL whose connections work in an empty schema of their own (the rest is left alone)."""
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        connection.execute(sa.text(f"CREATE SCHEMA {SCHEMA}"))
    engine.dispose()
    return (
        sa.make_url(url)
        .update_query_dict({"options": f"-csearch_path={SCHEMA}"})
        .render_as_string(hide_password=False)
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'advisor.db'}"
    given = _postgres_url()
    if not given:
        if os.environ.get("ADVISOR_REQUIRE_POSTGRES"):
            pytest.fail(f"{POSTGRES_ENV} must point at a PostgreSQL server here")
        pytest.skip(f"set {POSTGRES_ENV} (or DATABASE_URL) to a PostgreSQL URL to run these on PostgreSQL")
    return _fresh_schema(given)


@pytest.fixture
def store(url):
    opened = Store(url)
    yield opened
    opened.close()


def test_a_client_round_trips_through_export_and_import(store, url, tmp_path):
    profile = example("front_desk_lead")
    client = store.create_client("José Núñez", profile, Goals(setting="large_group"))
    record = assess_client(store, client.id, AS_OF)
    store.add_note(client.id, "First visit.\nWants to manage.")
    store.add_note(client.id, "CMOM by spring", kind="plan", plan={"actions": ["cert:CMOM"]})
    exported = store.export()
    assert [c.client.name for c in exported.clients] == ["José Núñez"]
    other = Store(f"sqlite:///{tmp_path / 'other.db'}")
    added = other.import_clients(parse_export(exported.model_dump_json()))
    again = other.export()
    assert again.clients == exported.clients
    assert added[0].current_profile() == profile
    assert other.assessments(client.id)[0].assessment() == record.assessment()
    with pytest.raises(InputError, match="already here; nothing was imported"):
        other.import_clients(exported)
    assert len(other.clients()) == 1
    with pytest.raises(InputError, match="not a clients export"):
        parse_export('{"format": "something else"}')


def test_an_old_assessment_is_shown_as_it_was_and_reassessing_shows_the_difference(store):
    profile = example("front_desk_lead")
    client = store.create_client("Ann", profile)
    # An assessment made under older rules: the leadership dimension weighed differently.
    spec = yaml.safe_load((ROOT / "rules" / "medical_office_manager.yaml").read_text())
    spec["version"] = "2025.01.1"
    spec["dimensions"]["leadership"]["points"]["small_practice"] = 30
    spec["dimensions"]["software"]["points"]["small_practice"] = 0
    old_rules = parse_ruleset(yaml.safe_dump(spec), "old.yaml")
    old = assess(profile, "medical_office_manager", "small_practice", AS_OF, old_rules, model=None)
    record = store.record_assessment(client.id, profile, old)
    reopened = store.assessments(client.id)[0]
    assert reopened.assessment() == old and reopened.rules_version.startswith("2025.01.1")
    comparison = reassess(reopened)
    assert comparison.changed and comparison.rules_then != comparison.rules_now
    assert {d.title for d in comparison.dimensions} >= {"Leadership and supervision", "Software"}
    assert record.snapshot() == profile


def test_progress_lists_visits_and_what_was_done_between_them(store):
    profile = example("front_desk_lead")
    client = store.create_client("Ann", profile)
    first = assess_client(store, client.id, AS_OF)
    data = profile_to_dict(profile)
    data["certifications"] = [*data.get("certifications", []), {"code": "CMOM", "status": "earned"}]
    client = store.save_client(client.id, client.version, profile=Profile.model_validate(data))
    second = assess_client(store, client.id, AS_OF)
    visits = progress(store.assessments(client.id))
    assert [v.score for v in visits] == [first.score, second.score]
    assert visits[0].done_since == [] and visits[1].done_since == ["earned CMOM"]
    assert second.score >= first.score


def test_scoring_reads_only_the_profile_never_the_record(store):
    profile = example("coder_with_cpc")
    a = store.create_client("First Person", profile, Goals())
    b = store.create_client("Another Name Entirely", profile, Goals())
    store.add_note(b.id, "Confidential: health issues, family situation.")
    result_a = assess_client(store, a.id, AS_OF).assessment()
    result_b = assess_client(store, b.id, AS_OF).assessment()
    assert result_a == result_b == advise(profile, Goals(), AS_OF).assessment


def test_saving_a_client_opened_at_an_older_version_is_refused_not_lost(store):
    client = store.create_client("Ann")
    first = store.save_client(client.id, client.version, name="Ann B")
    with pytest.raises(ConflictError, match="changed by someone else"):
        store.save_client(client.id, client.version, name="Ann C")
    assert store.client(client.id).name == "Ann B" == first.name


def test_delete_is_soft_and_can_be_undone_within_the_grace_period(store):
    keep = store.create_client("Keep")
    gone = store.create_client("Gone")
    store.add_note(gone.id, "a note")
    store.delete_client(gone.id)
    assert [c.name for c in store.clients()] == ["Keep"]
    with pytest.raises(NotFoundError):
        store.client(gone.id)
    assert [c.name for c in store.deleted_clients()] == ["Gone"]
    store.restore_client(gone.id)
    assert store.notes(gone.id)[0].text == "a note"
    store.delete_client(gone.id)
    assert store.purge(dt.datetime.now() + dt.timedelta(days=GRACE_DAYS - 1)) == 0
    assert store.purge(dt.datetime.now() + dt.timedelta(days=GRACE_DAYS + 1)) == 1
    with pytest.raises(NotFoundError):
        store.restore_client(gone.id)
    assert [c.name for c in store.clients()] == [keep.name]


def test_archived_clients_leave_the_list_and_search_finds_by_name(store):
    store.create_client("Maria Lopez")
    old = store.create_client("Mario Rossi")
    store.archive_client(old.id)
    assert [c.name for c in store.clients()] == ["Maria Lopez"]
    assert {c.name for c in store.clients("mari", archived=True)} == {"Maria Lopez", "Mario Rossi"}
    assert store.clients("rossi") == []


def test_bad_values_are_refused_with_a_message(store):
    with pytest.raises(InputError, match="needs a name"):
        store.create_client("   ")
    client = store.create_client("Ann")
    with pytest.raises(InputError, match="cannot be empty"):
        store.add_note(client.id, "  ")
    with pytest.raises(NotFoundError, match="no client"):
        store.add_note("missing", "text")


def test_a_file_that_is_not_a_database_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "notes.db"
    path.write_bytes(b"my precious notes")
    with pytest.raises(StoreError, match="cannot open the database"):
        Store(f"sqlite:///{path}")
    assert path.read_bytes() == b"my precious notes"
    with pytest.raises(StoreError, match="cannot use the database URL"):
        Store("nonsense://x")


# --- migrations -----------------------------------------------------------------------------


def test_migrating_from_empty_creates_the_newest_schema(url):
    store = Store(url)
    tables = set(sa.inspect(store.engine).get_table_names())
    assert {"clients", "assessments", "notes", "alembic_version"} <= tables
    with store.engine.connect() as connection:
        assert connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == "0002"
    store.close()


def test_migrating_from_the_previous_schema_keeps_every_record(url):
    old = Store(url, migrate_to="0001")
    assert "notes" not in sa.inspect(old.engine).get_table_names()
    now = dt.datetime(2026, 1, 5, 10, 0)
    profile = example("front_desk_lead")
    result = advise(profile, Goals(), AS_OF).assessment
    with old.engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO clients (id, name, created_at, updated_at, profile, goals) "
                "VALUES ('c1', 'Old Client', :now, :now, :profile, :goals)"
            ),
            {
                "now": now,
                "profile": profile.model_dump_json(exclude_none=True),
                "goals": Goals().model_dump_json(),
            },
        )
        connection.execute(
            sa.text(
                "INSERT INTO assessments (id, client_id, created_at, as_of, role, setting, score, band, "
                "engine_version, rules_version, model_version, profile, result) VALUES ('a1', 'c1', :now, "
                ":as_of, :role, :setting, :score, :band, :engine, :rules, NULL, :profile, :result)"
            ),
            {
                "now": now, "as_of": AS_OF, "role": result.role, "setting": result.setting,
                "score": result.score, "band": result.band, "engine": result.engine_version,
                "rules": result.rules_version, "profile": profile.model_dump_json(exclude_none=True),
                "result": result.model_dump_json(),
            },
        )  # fmt: skip
    old.close()
    store = Store(url)
    client = store.client("c1")
    assert client.name == "Old Client" and client.version == 1 and client.archived_at is None
    assert client.current_profile() == profile
    assert store.assessments("c1")[0].assessment() == result
    store.add_note("c1", "notes work after the upgrade")
    assert store.notes("c1")[0].text == "notes work after the upgrade"
    store.close()


# --- concurrency and crashes ----------------------------------------------------------------


def _writer(url: str, tag: str, count: int) -> None:
    store = Store(url)
    client = store.create_client(f"client {tag}")
    for i in range(count):
        store.add_note(client.id, f"{tag} note {i}")
        store.create_client(f"{tag} extra {i}")
    store.close()


def test_two_counselors_saving_at_once_lose_nothing(url):
    Store(url).close()  # migrate once, before the writers race
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_writer, args=(url, tag, 20)) for tag in ("a", "b", "c")]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
        assert w.exitcode == 0
    store = Store(url)
    names = [c.name for c in store.clients()]
    assert len(names) == 3 * 21
    for tag in ("a", "b", "c"):
        client = next(c for c in store.clients(f"client {tag}"))
        assert [n.text for n in store.notes(client.id)] == [f"{tag} note {i}" for i in range(20)]
    store.close()


KILLED_WRITER = textwrap.dedent(
    """
    import sys
    from advisor.store import Store
    store = Store(sys.argv[1])
    n = 0
    while True:  # each save: a client and its three notes, in one transaction
        with store._write() as session:
            from advisor.store import _Client, _Note
            client = _Client(name=f"batch {n}", profile={}, goals={})
            session.add(client)
            session.flush()
            for k in range(3):
                session.add(_Note(client_id=client.id, kind="note", text=f"{n}.{k}"))
                session.flush()
        if n == 0:
            print("saved one", flush=True)
        n += 1
    """
)


def test_a_writer_killed_mid_save_leaves_every_save_whole(url):
    store = Store(url)
    before = store.create_client("Before the crash")
    store.add_note(before.id, "kept")
    store.close()
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, url], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    assert child.stdout is not None and child.stdout.readline().strip() == "saved one"
    time.sleep(0.5)  # many more saves, then the kill lands in the middle of one
    child.send_signal(signal.SIGKILL)
    child.wait(30)
    store = Store(url)
    clients = store.clients()
    assert store.notes(before.id)[0].text == "kept"
    batches = [c for c in clients if c.name.startswith("batch")]
    assert batches, "the writer saved nothing before it was killed"
    for client in batches:
        assert len(store.notes(client.id)) == 3  # never a client without all of its notes
    if url.startswith("sqlite"):
        with store.engine.connect() as connection:
            assert connection.execute(sa.text("PRAGMA integrity_check")).scalar() == "ok"
            assert connection.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
    store.close()


def test_an_import_is_checked_whole_and_never_half_applied(store):
    client = store.create_client("Ann", example("front_desk_lead"))
    store.add_note(client.id, "a note")
    exported = store.export()
    broken = exported.model_dump(mode="json")
    broken["clients"][0]["client"]["profile"] = {"certifications": "oops"}
    with pytest.raises(InputError, match="not a clients export"):
        parse_export(json.dumps(broken))
    # The same notes under another client id: refused as a whole, nothing half-imported.
    again = exported.model_dump(mode="json")
    again["clients"][0]["client"]["id"] = "another"
    with pytest.raises(InputError, match="same id is already here"):
        store.import_clients(parse_export(json.dumps(again)))
    assert [c.id for c in store.clients()] == [client.id]


def test_search_treats_wildcards_as_text_and_expired_deletes_are_purged_on_open(url):
    store = Store(url)
    store.create_client("Ann_Lee")
    store.create_client("Bob Ray")
    assert [c.name for c in store.clients("_")] == ["Ann_Lee"] and store.clients("%") == []
    gone = store.delete_client(store.clients("bob")[0].id)
    with store.engine.begin() as connection:  # deleted long ago
        connection.execute(
            sa.text("UPDATE clients SET deleted_at = :then WHERE id = :id"),
            {"then": dt.datetime(2020, 1, 1), "id": gone.id},
        )
    assert store.deleted_clients() == []  # past the grace period: no longer offered for undo
    store.close()
    reopened = Store(url)
    with reopened.engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM clients")).scalar() == 1
    reopened.close()
