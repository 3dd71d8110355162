"""The candidate table: a spreadsheet of applicants turned into the facts rules score.

A hiring manager's spreadsheet is not a set of profiles: it has one row per
candidate, years of experience by kind rather than jobs with dates, and lists
in cells ("CPC; CMM"). This module documents the template
(:data:`COLUMNS`), maps real headers onto it (:func:`map_columns`: different
names, extra columns, a "did you mean"), reads CSV and XLSX files in bounded
chunks (:class:`CandidateFile`), and turns one chunk into a facts matrix
(:func:`derive_table_facts`) by the same derivation a profile uses:
education, coursework, software and credentials go through
:func:`advisor.facts.derive_list_facts` once per distinct cell, and knowledge
through :func:`advisor.facts.settle_knowledge`.

Conventions, the same as the profile's:

* **A blank cell is unknown, never "no".** ``none`` (or ``-``) in a list cell
  is an explicit empty list.
* **Years by kind are lower bounds for the wider kinds.** Three years of
  supervising in healthcare are at least three years of supervising and of
  healthcare work, so a blank wider kind is read as "at least that".
* **Demographic and other extra columns are never read for scoring.** A
  header that names a protected characteristic is never matched to a
  template column, however close its spelling.
"""

from __future__ import annotations

import csv
import difflib
import functools
import io
import os
import re
import warnings
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pyarrow import csv as pa_csv

from advisor.catalog import Catalog
from advisor.errors import InputError, Problem
from advisor.facts import PROFILE_SECTIONS, derive_list_facts, duty_facts, settle_knowledge
from advisor.lexicon import Mention, find_courses, find_degrees, find_duties
from advisor.profile import Certification, Profile, Software
from advisor.titles import classify_titles
from advisor.vocabulary import (
    COURSE_AREAS,
    DUTIES,
    EDUCATION_LEVEL_NAMES,
    KNOWLEDGE_AREAS,
    KNOWLEDGE_LEVEL_NAMES,
    LADDER_RUNGS,
    SOFT_SKILLS,
)

Kind = Literal["id", "text", "years", "count", "flag", "education", "status", "list", "knowledge", "rating"]

MAX_BYTES_ENV = "ADVISOR_SCREEN_MAX_BYTES"
DEFAULT_MAX_BYTES = 1024**3
"""Largest candidate file read (1 GiB; set ``ADVISOR_SCREEN_MAX_BYTES`` to change it)."""
MAX_UNZIPPED_RATIO = 20
"""An XLSX may unpack to at most this many times the size limit's share (zip-bomb guard)."""
CHUNK_ROWS = 25_000
SPARE_CELLS = 16
"""Cells beyond the header a CSV row may have and still be caught with its row number."""
MAX_YEARS = 60.0
EMPTY_WORDS = frozenset({"none", "-", "n/a", "na", "no", "0"})
"""Words in a list cell that mean an explicit empty list (a blank cell is unknown)."""
PROTECTED_WORDS = (
    "age", "birth", "dob", "gender", "sex", "race", "ethnic", "religio", "disab", "veteran", "marital",
    "pregnan", "national_origin", "citizenship", "orientation", "color", "genetic", "pronoun",
)  # fmt: skip
"""Header fragments of protected characteristics: such a column is never matched for scoring."""


@dataclass(frozen=True)
class Column:
    """One template column: its meaning, the values it takes and the names it is known by."""

    name: str
    kind: Kind
    description: str
    example: str
    aliases: tuple[str, ...] = ()


_YEARS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("experience", "any paid work", ("years_worked", "total_experience", "experience")),
    ("healthcare", "work in any healthcare setting", ("healthcare_experience", "healthcare_years")),
    ("medical_office", "work in a physician office or clinic", ("medical_office_experience",)),
    ("healthcare_admin", "office or administrative roles in healthcare", ("healthcare_admin_experience",)),
    ("office_admin", "office or administrative roles anywhere", ("admin_experience", "office_experience")),
    ("supervisory", "supervising staff, anywhere", ("supervisory_experience", "years_supervising")),
    ("supervisory_healthcare", "supervising staff in healthcare", ("healthcare_supervisory",)),
    ("supervisory_medical_office", "supervising staff in a medical office", ("medical_office_supervisory",)),
    ("management", "office or practice manager roles, anywhere", ("management_experience", "years_managing")),
    ("management_healthcare", "office or practice manager roles in healthcare", ("healthcare_management",)),
    ("billing_coding", "billing or coding in healthcare", ("billing_experience", "coding_experience")),
)  # fmt: skip

COLUMNS: tuple[Column, ...] = (
    Column("candidate_id", "id", "Unique id of the candidate (required; duplicates are skipped).", "A-1001",
           ("id", "applicant_id", "candidate", "applicant", "applicant_number", "candidate_number")),
    Column("name", "text", "Name, shown in the ranking and exports only; never scored.", "Jordan Lee",
           ("full_name", "candidate_name", "applicant_name")),
    Column("education_level", "education", "Highest education: high_school, certificate, associate, "
           "bachelor, master, doctorate (or words like 'BS', 'GED', 'MHA').", "bachelor",
           ("education", "highest_education", "degree", "degree_level")),
    Column("education_field", "text", "Field of that degree ('health administration', 'business').",
           "Health administration", ("field_of_study", "major", "degree_field", "field")),
    Column("education_status", "status", "completed or in_progress (blank: completed).", "completed",
           ("degree_status",)),
    *(Column(f"years_{k}", "years", f"Years of {what} (0-60; blank: unknown).", "3",
             tuple(f"{a}" for a in aliases)) for k, what, aliases in _YEARS),
    Column("recent_healthcare_admin", "flag", "yes if healthcare office work in the last two years.", "yes",
           ("recent_healthcare",)),
    Column("direct_reports", "count", "Most people supervised directly at once.", "4",
           ("team_size", "reports", "staff_supervised")),
    Column("job_titles", "text", "Job titles held, separated by ';' (read by the title classifier).",
           "Front Desk Coord.; Billing Lead", ("titles", "job_title", "current_title", "title", "position")),
    Column("duties", "list", f"Duties done, separated by ';' ({', '.join(DUTIES)}, or plain words).",
           "scheduling; billing; hiring", ("responsibilities",)),
    Column("certifications", "list", "Credentials held, separated by ';' (codes or full names).", "CPC; CMM",
           ("certs", "credentials", "certificates", "licenses")),
    Column("certifications_in_progress", "list", "Credentials being studied for, separated by ';'.", "CPB",
           ("certs_in_progress", "credentials_in_progress")),
    Column("software", "list", "Software used, separated by ';', optionally with '(basic)', "
           "'(intermediate)' or '(advanced)'.", "Epic; Excel (advanced)",
           ("systems", "software_skills", "applications", "computer_skills")),
    Column("coursework", "list", f"Courses completed, separated by ';' ({', '.join(COURSE_AREAS)}).",
           "medical_terminology; accounting", ("courses",)),
    *(Column(f"knowledge_{a}", "knowledge", f"Self-rated {a.replace('_', ' ')}: none, basic, working, expert "
             "(or 0-3).", "working") for a in KNOWLEDGE_AREAS),
    *(Column(f"soft_{s}", "rating", f"Rating of {s.replace('_', ' ')}, 1-5.", "4") for s in SOFT_SKILLS),
)  # fmt: skip
COLUMN_NAMES = tuple(c.name for c in COLUMNS)
_BY_NAME = {c.name: c for c in COLUMNS}


def template_csv() -> str:
    """A CSV with the template's header and two example rows, for users to fill in."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMN_NAMES)
    writer.writerow([c.example for c in COLUMNS])
    second = {"candidate_id": "A-1002", "name": "Sam Rivera", "education_level": "high_school",
              "years_experience": "6", "years_medical_office": "5", "certifications": "none",
              "job_titles": "Receptionist; Office Supervisor"}  # fmt: skip
    writer.writerow([second.get(c.name, "") for c in COLUMNS])
    return out.getvalue()


# --- column mapping -----------------------------------------------------------------------


def _key(header: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", header.strip().lower()).strip("_")


def is_protected(header: str) -> bool:
    """True when a header names a protected characteristic (never matched for scoring)."""
    key = _key(header)
    return any(re.search(rf"(?:^|_){w}", key) for w in PROTECTED_WORDS)


_ALIASES: Mapping[str, str] = {
    **{c.name: c.name for c in COLUMNS},
    **{a: c.name for c in COLUMNS for a in c.aliases},
    **{f"years_{k}".removeprefix("years_"): f"years_{k}" for k, _, _ in _YEARS if k != "experience"},
}


@dataclass(frozen=True)
class ColumnMap:
    """Which header in the file feeds each template column, and which headers are left alone."""

    columns: Mapping[str, str]
    """Template column -> header in the file."""
    extra: tuple[str, ...]
    """Headers not used for scoring (demographics and anything unrecognized)."""
    notes: tuple[str, ...] = ()


def map_columns(headers: Sequence[str], overrides: Mapping[str, str] | None = None) -> ColumnMap:
    """Match a file's headers to the template: exact names and known aliases first, then close
    spellings ('Yrs Supervisory' -> years_supervisory). ``overrides`` maps a template column to a
    header by hand ("" reads it from no column). A header naming a protected characteristic is
    never matched."""
    columns: dict[str, str] = {}
    notes: list[str] = []
    unread: set[str] = set()
    for wanted, header in (overrides or {}).items():
        if wanted not in _BY_NAME:
            raise InputError(f"unknown template column '{wanted}'" + _suggest(wanted))
        if header == "":  # read this template column from nothing: it stays unknown
            unread.add(wanted)
            continue
        if header not in headers:
            raise InputError(f"the file has no column '{header}' to use as {wanted}")
        if is_protected(header):
            raise InputError(f"column '{header}' looks like a protected characteristic and is never scored")
        columns[wanted] = header
    taken = set(columns.values())
    keys = list(_ALIASES)
    for header in headers:
        if header in taken or is_protected(header):
            continue
        key = _key(header)
        target: str | None = _ALIASES.get(key)
        if target is None:
            close = difflib.get_close_matches(key, keys, n=1, cutoff=0.86)
            if close:
                target = _ALIASES[close[0]]
                notes.append(f"column '{header}' read as {target} (closest name)")
        if target is None or target in columns or target in unread:
            continue
        columns[target] = header
        taken.add(header)
    extra = tuple(h for h in headers if h not in taken)
    if "candidate_id" not in columns:
        notes.append("no candidate id column: rows are identified by their row number")
    return ColumnMap(columns, extra, tuple(notes))


def _suggest(name: str) -> str:
    close = difflib.get_close_matches(name, COLUMN_NAMES, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


# --- reading files ------------------------------------------------------------------------


def max_bytes() -> int:
    """The configured size limit for candidate files."""
    value = os.environ.get(MAX_BYTES_ENV, "")
    return int(value) if value.isdigit() and int(value) > 0 else DEFAULT_MAX_BYTES


def _megabytes(n: int) -> str:
    return f"{n / 1024**2:,.0f} MB" if n >= 1024**2 else f"{n:,} bytes"


def check_size(size: int, name: str) -> None:
    """Refuse a file over the configured limit, or an empty one, before reading it."""
    limit = max_bytes()
    if size > limit:
        raise InputError(
            f"{name}: the file is {_megabytes(size)}, over the {_megabytes(limit)} limit for candidate "
            f"files; split it, or raise {MAX_BYTES_ENV}"
        )
    if size == 0:
        raise InputError(f"{name}: the file is empty")


@dataclass(frozen=True)
class Batch:
    """Rows of a candidate file as text, with each one's spreadsheet row number."""

    frame: pd.DataFrame
    rows: npt.NDArray[np.int64]
    done: float
    """Share of the file read so far (0-1), for progress bars."""


@dataclass(frozen=True)
class Origin:
    """Where a candidate file's bytes are, for a reader that needs a stream of its own: the
    upload's bytes, or the path with its modification time when opened (ns), to notice a file
    changed under a reader."""

    source: bytes | str
    modified: int = 0


@dataclass
class CandidateFile:
    """A CSV or XLSX candidate file, opened for reading in chunks.

    ``headers`` and ``notes`` are known after opening; :meth:`batches` yields
    the rows as strings (blank cells as ""), ``chunk_rows`` at a time, so
    memory stays bounded whatever the file's size. Rows the CSV reader cannot
    split into the header's columns are listed in ``bad_rows``.
    """

    name: str
    kind: Literal["csv", "xlsx"]
    handle: BinaryIO
    origin: Origin
    size: int
    headers: tuple[str, ...]
    encoding: str = "utf-8"
    notes: list[str] = field(default_factory=list)
    separator: str = ","
    bad_rows: list[Problem] = field(default_factory=list)
    reader: Literal["", "arrow", "careful"] = ""
    """Which reader read the rows: Arrow's (a regular UTF-8 CSV) or the careful one."""

    @classmethod
    def open(cls, source: str | Path | bytes, name: str | None = None) -> CandidateFile:
        """Open a path or the bytes of an upload; raise :class:`InputError` if it cannot be a table."""
        if isinstance(source, bytes):
            label = name or "upload"
            check_size(len(source), label)
            handle: BinaryIO = io.BytesIO(source)
            size = len(source)
        else:
            label = name or str(source)
            try:
                size = os.path.getsize(source)
            except OSError as exc:
                raise InputError(f"{label}: cannot read the file ({exc.strerror or exc})") from None
            check_size(size, label)
            handle = open(source, "rb")  # noqa: SIM115 - closed by the caller via close()
        head = handle.read(8192)
        handle.seek(0)
        try:
            origin = (
                Origin(source)
                if isinstance(source, bytes)
                else Origin(os.fspath(source), os.fstat(handle.fileno()).st_mtime_ns)
            )
            if head.startswith(b"PK\x03\x04"):
                return cls._open_xlsx(label, handle, origin, size)
            if head.startswith(b"\xd0\xcf\x11\xe0"):
                raise InputError(f"{label}: an old .xls workbook; save it as .xlsx or .csv")
            if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
                raise InputError(f"{label}: not a CSV or XLSX file (it looks like binary data)")
            return cls._open_csv(label, handle, origin, size, head)
        except BaseException:
            handle.close()
            raise

    @classmethod
    def _open_csv(cls, label: str, handle: BinaryIO, origin: Origin, size: int, head: bytes) -> CandidateFile:
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise InputError(f"{label}: the file is UTF-16 text; save it as 'CSV UTF-8' and upload it again")
        sample = handle.read(1024 * 1024)
        handle.seek(0)
        encoding = "utf-8-sig"
        notes = []
        # A sample cut at 1 MB may end inside a character: ignore its last few bytes then.
        decoded = (sample[:-4] if len(sample) == 1024 * 1024 else sample).decode("utf-8", errors="replace")
        if "\ufffd" in decoded and not any(127 < ord(ch) < 0xFFFD for ch in decoded):
            # Bytes that are not UTF-8 and no UTF-8 text at all: Excel's Windows "CSV".
            encoding = "cp1252"
            notes.append("the file is not UTF-8; it was read as Windows-1252 (Excel's 'CSV' format)")
        first = sample.decode(encoding, errors="replace").lstrip("\ufeff").splitlines()[:1]
        if not first or not first[0].strip(" ,;\t\r\n"):
            raise InputError(f"{label}: row 1: the first row must be the column headers, and it is blank")
        separator = max(",;\t|", key=first[0].count)  # Excel writes ';' where ',' is the decimal mark
        if separator != ",":
            notes.append(f"columns are separated by {'a tab' if separator == chr(9) else repr(separator)}")
        headers = cls._named(next(csv.reader(first, delimiter=separator)))
        cls._check_headers(label, headers)
        return cls(label, "csv", handle, origin, size, headers, encoding, notes, separator=separator)

    @staticmethod
    def _named(headers: Sequence[str]) -> tuple[str, ...]:
        """Headers with every blank one named by its position (spreadsheets leave them blank)."""
        return tuple(h.strip() or f"column {i}" for i, h in enumerate(headers, start=1))

    @classmethod
    def _open_xlsx(cls, label: str, handle: BinaryIO, origin: Origin, size: int) -> CandidateFile:
        try:
            with zipfile.ZipFile(handle) as archive:
                unpacked = sum(i.file_size for i in archive.infolist())
                if "xl/workbook.xml" not in archive.namelist():
                    raise InputError(f"{label}: a zip file but not an XLSX workbook")
        except zipfile.BadZipFile:
            raise InputError(f"{label}: the XLSX file is damaged (not a readable zip)") from None
        if unpacked > max(size * MAX_UNZIPPED_RATIO, 50 * 1024**2) or unpacked > 4 * max_bytes():
            raise InputError(f"{label}: the workbook unpacks to {_megabytes(unpacked)}, too large to read")
        handle.seek(0)
        first = next(_xlsx_rows(handle, label), None)
        if first is None or not any(h.strip() for h in first):
            raise InputError(f"{label}: the workbook's first sheet is empty")
        while first and not first[-1].strip():  # trailing empty columns
            first.pop()
        headers = cls._named(first)
        cls._check_headers(label, headers)
        return cls(label, "xlsx", handle, origin, size, headers)

    @staticmethod
    def _check_headers(label: str, headers: tuple[str, ...]) -> None:
        seen: dict[str, int] = {}
        for i, header in enumerate(headers, start=1):
            if not header.strip():
                continue
            if header in seen:
                raise InputError(
                    f"{label}: row 1: column {i}: '{header}' appears twice (also column {seen[header]})"
                )
            seen[header] = i

    def batches(self, chunk_rows: int = CHUNK_ROWS) -> Iterator[Batch]:
        """The rows, ``chunk_rows`` at a time, as text frames with the file's headers.

        A UTF-8 CSV whose every row has the header's number of cells (and whose quotes pair
        up) is read by Arrow's parser, on all cores; any other file by a careful reader that
        names each row it cannot read (too many cells, bytes that are not text) and keeps the
        row numbers true. A file changed while it is read is an :class:`InputError`.
        """
        self.handle.seek(0)
        self.bad_rows = []
        if self.kind == "xlsx":
            yield from self._xlsx_batches(chunk_rows)
            return
        rows = self._regular_rows()
        self.reader = "careful" if rows is None else "arrow"
        yield from (
            self._careful_batches(chunk_rows) if rows is None else self._arrow_batches(chunk_rows, rows)
        )

    def head(self, rows: int) -> pd.DataFrame:
        """The first ``rows`` rows as text, read without a pass over the whole file."""
        self.handle.seek(0)
        self.bad_rows = []
        batches = self._xlsx_batches(rows) if self.kind == "xlsx" else self._careful_batches(rows)
        first = next(batches, None)
        return first.frame if first is not None else pd.DataFrame(columns=list(self.headers))

    def _stream(self) -> pa.NativeFile:
        """A stream over the file of its own. Arrow's reader reads ahead on threads of its own,
        so it must never share ``handle`` with the careful reader. A path is opened again, so
        it must still name the very file opened, unchanged."""
        source = self.origin.source
        if isinstance(source, bytes):
            return pa.BufferReader(source)
        opened, now = os.fstat(self.handle.fileno()), os.stat(source)
        if not os.path.samestat(opened, now) or (now.st_size, now.st_mtime_ns) != (
            self.size,
            self.origin.modified,
        ):
            raise InputError(f"{self.name}: the file changed while it was being read")
        return pa.OSFile(source)

    def _arrow_reader(self, stream: pa.NativeFile) -> pa_csv.CSVStreamingReader:
        """Arrow's streaming CSV reader, every cell as text (blank as ""); it stops with
        :class:`pyarrow.ArrowInvalid` at a row of the wrong width or bytes that are not UTF-8."""
        text = {h: pa.string() for h in self.headers}
        return pa_csv.open_csv(
            stream,
            read_options=pa_csv.ReadOptions(column_names=list(self.headers), skip_rows=1),
            parse_options=pa_csv.ParseOptions(
                delimiter=self.separator, newlines_in_values=True, ignore_empty_lines=False
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types=text, strings_can_be_null=False, quoted_strings_can_be_null=False
            ),
        )

    def _regular_rows(self) -> int | None:
        """The number of rows when Arrow's reader can read the whole file (two quick passes that
        keep nothing: a count of quotes, then a parse); None when the careful reader is needed.

        An odd number of quote characters needs the careful reader too: a quote that never
        closes would let Arrow read the rest of the file as one cell, silently.
        """
        if self.encoding != "utf-8-sig":
            return None
        with self._stream() as stream:
            quotes = sum(block.count(b'"') for block in iter(lambda: stream.read(1 << 20), b""))
        if quotes % 2:
            return None
        try:
            with self._stream() as stream:
                return sum(batch.num_rows for batch in self._arrow_reader(stream))
        except pa.ArrowInvalid:
            return None

    def _arrow_batches(self, chunk_rows: int, total: int) -> Iterator[Batch]:
        """Arrow's record batches regrouped into ``chunk_rows`` rows each, as pandas text frames."""
        pending: list[pa.RecordBatch] = []
        held = first = 0
        with self._stream() as stream:
            try:
                for record in self._arrow_reader(stream):
                    pending.append(record)
                    held += record.num_rows
                    while held >= chunk_rows or (held and first + held == total):
                        table = pa.Table.from_batches(pending)
                        take = min(chunk_rows, held)
                        frame = table.slice(0, take).to_pandas()
                        pending, held = table.slice(take).to_batches(), held - take
                        yield Batch(frame, np.arange(first + 2, first + 2 + take), (first + take) / total)
                        first += take
            except pa.ArrowInvalid:  # the file changed since it was checked
                raise InputError(f"{self.name}: the file changed while it was being read") from None
        if held or first != total:
            raise InputError(f"{self.name}: the file changed while it was being read")

    def _careful_batches(self, chunk_rows: int) -> Iterator[Batch]:
        """The rows by pandas' reader, with room for extra cells and each skipped line named."""
        self.handle.seek(0)
        text = io.TextIOWrapper(self.handle, encoding=self.encoding, errors="replace", newline="")
        next_row = 2
        skipped: set[int] = set()
        try:  # detached even when the reading stops early, so the file stays open
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                # Room for a few cells more than the header, so such a row is caught here, with its
                # row number, instead of being read shifted (or cut) by the parser. Those spare
                # cells stay Python objects: nearly all are blank, not worth converting to Arrow.
                spare = [f"\x00spare{i}" for i in range(SPARE_CELLS)]
                types = {**dict.fromkeys(self.headers, str), **dict.fromkeys(spare, object)}
                reader = functools.partial(
                    pd.read_csv, text, dtype=types,
                    keep_default_na=False, na_filter=False, chunksize=chunk_rows,
                    on_bad_lines="warn", skip_blank_lines=False, names=[*self.headers, *spare], header=None,
                    sep=self.separator, engine="c",
                )  # fmt: skip
                for chunk in _chunks(reader, self.name, chunk_rows):
                    skipped |= self._collect_bad_lines(caught)
                    rows = []
                    for _ in range(len(chunk)):  # a skipped line keeps its row number
                        while next_row in skipped:
                            next_row += 1
                        rows.append(next_row)
                        next_row += 1
                    frame = chunk.reset_index(drop=True)  # no NA filter: a missing cell reads as ""
                    extra = frame[spare].to_numpy() != ""  # one comparison over all the spare cells
                    over = extra.any(axis=1)
                    for i in np.flatnonzero(over):
                        cells = len(self.headers) + int(np.flatnonzero(extra[i])[-1]) + 1
                        self.bad_rows.append(
                            Problem(
                                self.name,
                                rows[i],
                                "",
                                f"skipped: {cells} cells, the header has {len(self.headers)}",
                            )
                        )
                    frame = frame.drop(columns=spare)
                    if over.any():
                        frame.loc[over, :] = ""  # dropped as a blank row; listed above
                    done = min(self.handle.tell() / max(self.size, 1), 1.0)
                    if len(frame):  # the first chunk may have held the header alone
                        yield Batch(frame, np.array(rows, dtype=np.int64), done)
                self._collect_bad_lines(caught)
        finally:
            text.detach()

    def _collect_bad_lines(self, caught: list[warnings.WarningMessage]) -> set[int]:
        """Record the lines the CSV reader skipped (their cells do not match the header)."""
        lines = set()
        for warning in caught:
            for match in re.finditer(r"Skipping line (\d+): (.*)", str(warning.message)):
                line = int(match.group(1))
                lines.add(line)
                self.bad_rows.append(
                    Problem(self.name, line, "", f"skipped: {match.group(2).strip()} (as many as the header)")
                )
        caught.clear()
        return lines

    def _xlsx_batches(self, chunk_rows: int) -> Iterator[Batch]:
        rows = _xlsx_rows(self.handle, self.name)
        next(rows, None)
        width = len(self.headers)
        buffer: list[list[str]] = []
        first = 2
        count = 0
        for values in rows:
            count += 1
            if len(values) > width and any(v.strip() for v in values[width:]):
                self.bad_rows.append(
                    Problem(self.name, count + 1, "", f"skipped: {len(values)} cells, the header has {width}")
                )
                buffer.append([""] * width)  # keep row numbering; the blank row is dropped below
                continue
            buffer.append((values + [""] * width)[:width])
            if len(buffer) == chunk_rows:
                numbers = np.arange(first, first + len(buffer))
                yield Batch(pd.DataFrame(buffer, columns=list(self.headers)), numbers, 0.0)
                first += len(buffer)
                buffer = []
        if buffer:
            numbers = np.arange(first, first + len(buffer))
            yield Batch(pd.DataFrame(buffer, columns=list(self.headers)), numbers, 1.0)

    def close(self) -> None:
        """Close the underlying file."""
        self.handle.close()


def _chunks(
    reader: Callable[[], pd.io.parsers.TextFileReader], name: str, size: int
) -> Iterator[pd.DataFrame]:
    """The careful reader's chunks of ``size`` rows. The header line is read as data and dropped
    (pandas' ``skiprows=1`` misreads the next row after a first line ended by a lone CR). A
    file the parser cannot go on with (a quote that opens a cell and never closes) is an
    :class:`InputError` naming the row, not a parser traceback."""
    try:
        with reader() as chunks:
            yield chunks.get_chunk(size + 1).iloc[1:]
            yield from chunks
    except pd.errors.ParserError as exc:
        quote = re.search(r"EOF inside string starting at row (\d+)", str(exc))
        if quote:
            raise InputError(
                f'{name}: row {int(quote.group(1)) + 1}: a quote (") opens a cell that never closes, so '
                "the rest of the file cannot be read; close or remove that quote"
            ) from None
        raise InputError(f"{name}: the CSV cannot be read ({str(exc).splitlines()[0][:200]})") from None


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_rows(handle: BinaryIO, label: str) -> Iterator[list[str]]:
    """The first sheet's rows as text, read lazily (openpyxl's read-only mode)."""
    from openpyxl import load_workbook  # imported here: only XLSX files need it

    try:
        book = load_workbook(handle, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged workbooks
        raise InputError(f"{label}: the XLSX file cannot be read ({type(exc).__name__})") from None
    try:
        sheet = book.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield [_cell(v) for v in row]
    finally:
        book.close()


# --- cells to facts -----------------------------------------------------------------------


def _split(cell: str) -> list[str]:
    return [p.strip() for p in re.split(r"[;|\n]", cell) if p.strip()]


def _education_level(cell: str) -> str | None:
    key = _key(cell)
    aliases = {"hs": "high_school", "ged": "high_school", "bachelors": "bachelor", "masters": "master",
               "associates": "associate", "phd": "doctorate", "none": "no_education"}  # fmt: skip
    if key in EDUCATION_LEVEL_NAMES or key in aliases:
        return aliases.get(key, key)
    found = find_degrees(cell)
    return max((m.meaning for m in found), key=lambda lv: EDUCATION_LEVEL_NAMES[lv], default=None)


def _level(cell: str, names: Mapping[str, int], top: int) -> float | None:
    key = _key(cell)
    if key in names:
        return float(names[key])
    try:
        value = float(cell)
    except ValueError:
        return None
    return value if 0 <= value <= top and value.is_integer() else None


def _flag(cell: str) -> float | None:
    key = _key(cell)
    return 1.0 if key in {"yes", "y", "true", "1"} else 0.0 if key in {"no", "n", "false", "0"} else None


def _words_to(cell: str, ids: Sequence[str], finder: Callable[[str], list[Mention]]) -> list[str]:
    """Ids named in a list cell, exactly ('medical_terminology') or in words ('Medical Terminology I')."""
    out = []
    for part in _split(cell):
        key = _key(part)
        if key in ids:
            out.append(key)
        else:
            out.extend(m.meaning for m in finder(part))
    return out


def _software_items(cell: str) -> list[Software]:
    items = []
    for part in _split(cell):
        match = re.match(r"(.*?)\s*\((basic|intermediate|advanced)\)\s*$", part, re.I)
        name, level = (match.group(1), match.group(2).lower()) if match else (part, "intermediate")
        if name.strip():
            items.append(Software(name=name.strip()[:200], proficiency=level))  # type: ignore[arg-type]
    return items


def _empty(cell: str) -> bool:
    return cell.strip().lower() in EMPTY_WORDS


@dataclass
class TableFacts:
    """Facts for a batch of table rows (cautious, and upper bounds where details are missing),
    with the rows that could not be read and why."""

    lower: pd.DataFrame
    upper: pd.DataFrame | None
    problems: dict[int, str]
    """Position in the batch -> what is wrong (those rows are not scored)."""
    unrecognized: dict[str, int]
    """Credential and software names the catalog does not know -> how many rows list them."""


class _Deriver:
    """Builds one batch's facts matrix from its text columns."""

    def __init__(self, frame: pd.DataFrame, colmap: ColumnMap, catalog: Catalog) -> None:
        self.frame, self.colmap, self.catalog = frame, colmap, catalog
        self.n = len(frame)
        self.names = list(catalog.facts)
        self.ix = {name: i for i, name in enumerate(self.names)}
        # Column-major: written a column at a time, and wrapped as a DataFrame without a copy.
        self.lower = np.full((self.n, len(self.names)), np.nan, order="F")
        self.problems: dict[int, str] = {}
        self.unrecognized: dict[str, int] = {}
        self.cells: dict[str, pd.Series] = {}

    def text(self, column: str) -> pd.Series:
        """A template column's cells, stripped ("" where the file has no such column); read once."""
        if column not in self.cells:
            header = self.colmap.columns.get(column)
            if header is None:
                self.cells[column] = pd.Series([""] * self.n, index=self.frame.index, dtype=object)
            else:
                self.cells[column] = self.frame[header].astype(str).str.strip()
        return self.cells[column]

    def bad(self, rows: npt.NDArray[np.bool_], column: str, message: Callable[[str], str]) -> None:
        """Record a problem for each flagged row (the first problem of a row is kept)."""
        values = self.text(column)
        header = self.colmap.columns.get(column, column)
        for i in np.flatnonzero(rows):
            self.problems.setdefault(int(i), f"column '{header}': {message(values.iat[i])}")

    def put(self, name: str, values: npt.ArrayLike) -> None:
        self.lower[:, self.ix[name]] = values

    def number(self, column: str, top: float, whole: bool = False) -> npt.NDArray[np.float64]:
        """A numeric column; a value that is not a number from 0 to ``top`` (and whole, if asked)
        is a problem of its row."""

        def parse(cells: pd.Index) -> npt.NDArray[np.float64]:
            values = _numbers(cells)
            fits = (values >= 0) & (values <= top) & (values % 1 == 0 if whole else True)
            return np.where(fits, values, np.nan)

        kind = "a whole number" if whole else "a number"
        return self.coded(column, parse, f"{kind} from 0 to {top:g}")

    def coded(
        self, column: str, parse: Callable[[pd.Index], npt.NDArray[np.float64]], expected: str
    ) -> npt.NDArray[np.float64]:
        """A column read by ``parse``, which reads all the distinct non-blank cells at once; a cell
        it cannot read (NaN) is a problem of its row, described as not ``expected``. Blank cells
        are unknown (NaN)."""
        cells = self.text(column)
        codes, uniques = pd.factorize(cells)
        parsed = np.full(len(uniques), np.nan)
        given = np.asarray(uniques != "", dtype=bool)
        parsed[given] = parse(uniques[given])
        values = parsed[codes]
        bad = (cells != "").to_numpy() & np.isnan(values)
        self.bad(bad, column, lambda v: f"'{v[:40]}' is not {expected}")
        return values

    def by_cell(
        self, key: pd.Series, derive: Callable[[str], dict[str, float] | None], column: str, expected: str
    ) -> None:
        """Derive facts once per distinct cell value and spread them over the rows; a value
        ``derive`` cannot read (None) is a problem in ``column``."""
        codes, uniques = pd.factorize(key)
        if not len(uniques):
            return
        table = np.full((len(uniques), len(self.names)), np.nan)
        failed = np.zeros(len(uniques), dtype=bool)
        for u, value in enumerate(uniques):
            facts = derive(value)
            if facts is None:
                failed[u] = True
                continue
            for name, v in facts.items():
                table[u, self.ix[name]] = v
        _scatter(self.lower, slice(None), codes, table)
        self.bad(failed[codes], column, lambda v: f"'{v[:40]}' is not {expected}")

    def note_unknown(self, names: Sequence[str], rows: int) -> None:
        for name in names:
            self.unrecognized[name] = self.unrecognized.get(name, 0) + rows


def _scatter(
    matrix: npt.NDArray[np.float64],
    rows: slice | npt.NDArray[np.intp],
    codes: npt.NDArray[np.intp],
    table: npt.NDArray[np.float64],
) -> None:
    """Write ``table[codes]`` (facts per distinct cell, spread to each row) into ``matrix`` at
    ``rows``, in the columns the table writes at all; a NaN in the table leaves the value."""
    touched = np.flatnonzero(~np.isnan(table).all(axis=0))
    index = np.ix_(rows, touched) if isinstance(rows, np.ndarray) else (rows, touched)
    values = table[codes][:, touched]
    matrix[index] = np.where(np.isnan(values), matrix[index], values)


_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_DECIMAL_COMMA = re.compile(r"\d+,\d+")


def _number(cell: str) -> float:
    """A cell as a number: '1,500' is fifteen hundred, '2,5' two and a half; NaN if not a number."""
    if _THOUSANDS.fullmatch(cell):
        cell = cell.replace(",", "")
    elif _DECIMAL_COMMA.fullmatch(cell):
        cell = cell.replace(",", ".")
    try:
        value = float(cell)
    except ValueError:
        return np.nan
    return value if np.isfinite(value) else np.nan


def _numbers(cells: pd.Index) -> npt.NDArray[np.float64]:
    """Distinct cells as numbers (NaN where not a finite number): Arrow parses plain numbers in
    one call; if any cell is not one ('1,500', '2,5', 'ten'), each is read by :func:`_number`."""
    try:
        values = pc.cast(pa.array(cells, type=pa.string()), pa.float64()).to_numpy(zero_copy_only=False)
    except pa.ArrowInvalid:
        return np.array([_number(c) for c in cells], dtype=float)
    return np.where(np.isfinite(values), values, np.nan)


def _each(parse: Callable[[str], float | None]) -> Callable[[pd.Index], npt.NDArray[np.float64]]:
    """A reader of one cell made a reader of many (None, unreadable, becomes NaN)."""

    def read(cells: pd.Index) -> npt.NDArray[np.float64]:
        return np.array([np.nan if (v := parse(c)) is None else v for c in cells], dtype=float)

    return read


_YEAR_IMPLIES: tuple[tuple[str, str], ...] = (
    ("supervisory_medical_office", "supervisory_healthcare"),
    ("management_healthcare", "supervisory_healthcare"),
    ("management_healthcare", "management"),
    ("supervisory_healthcare", "supervisory"),
    ("management", "supervisory"),
    ("healthcare_admin", "office_admin"),
    ("billing_coding", "healthcare"),
    ("healthcare_admin", "healthcare"),
    ("supervisory_healthcare", "healthcare"),
    ("medical_office", "healthcare"),
    ("healthcare", "experience"),
    ("office_admin", "experience"),
    ("supervisory", "experience"),
)
"""(narrower, wider): years of the narrower kind are at least as many of the wider (in order)."""


def _list_facts(catalog: Catalog, key: str, upper: bool) -> tuple[tuple[str, float], ...] | None:
    """Education-and-coursework facts of one distinct combination of cells; None if unreadable."""
    level, field_, status, courses = key.split("\x1f")
    data: dict[str, object] = {}
    if level:
        parsed = _education_level(level)
        if parsed is None:
            return None
        if parsed != "no_education":
            done = "in_progress" if "progress" in status.lower() else "completed"
            entry = {"level": parsed, "status": done, **({"field": field_[:200]} if field_ else {})}
            data["education"] = [entry]
        else:
            data["education"] = []
    if courses:
        data["coursework"] = [] if _empty(courses) else _words_to(courses, COURSE_AREAS, find_courses)
    if not data:
        return ()
    return tuple(derive_list_facts(Profile.model_validate(data), catalog, upper).items())


def derive_table_facts(frame: pd.DataFrame, colmap: ColumnMap, catalog: Catalog) -> TableFacts:
    """Facts for every row of a text frame of candidates (one batch of a file).

    Rows with a malformed value are listed in ``problems`` (by position) with
    the column and the value; their facts are left as computed but must not be
    scored. Everything else follows the profile's derivation.
    """
    d = _Deriver(frame, colmap, catalog)
    # Years by kind, then the lower bounds the narrower kinds imply for the wider.
    years = {k: d.number(f"years_{k}", MAX_YEARS) for k, _, _ in _YEARS}
    for narrow, wide in _YEAR_IMPLIES:
        years[wide] = np.fmax(years[wide], years[narrow])
    for k, values in years.items():
        d.put(f"years_{k}", values)
    experience_given = np.any([~np.isnan(v) for v in years.values()], axis=0)
    reports = d.number("direct_reports", 10_000, whole=True)
    d.put("max_direct_reports", reports)  # blank stays unknown, even when years are given
    recent = d.coded("recent_healthcare_admin", _each(_flag), "yes or no")
    d.put("recent_healthcare_admin", np.where(years["healthcare_admin"] == 0, 0.0, recent))
    _ladder(d, years)
    _duties(d)
    keys = _education(d)
    _credentials_and_software(d)
    stated = {
        a: d.coded(
            f"knowledge_{a}",
            _each(lambda c: _level(c, KNOWLEDGE_LEVEL_NAMES, 3)),
            "none, basic, working or expert",
        )
        for a in KNOWLEDGE_AREAS
    }
    for skill in SOFT_SKILLS:
        rating = d.coded(f"soft_{skill}", _each(lambda c: _level(c, {}, 5)), "a rating from 1 to 5")
        d.put(f"soft_{skill}", np.where(rating == 0, np.nan, rating))
    given = {
        "education": d.text("education_level") != "",
        "coursework": d.text("coursework") != "",
        "experience": pd.Series(experience_given, index=frame.index),
        "software": d.text("software") != "",
        "certifications": (d.text("certifications") != "") | (d.text("certifications_in_progress") != ""),
        "knowledge": pd.Series(np.any([~np.isnan(v) for v in stated.values()], axis=0), index=frame.index),
        "soft_skills": pd.Series(
            np.any([~np.isnan(d.lower[:, d.ix[f"soft_{s}"]]) for s in SOFT_SKILLS], axis=0), index=frame.index
        ),
    }
    d.put("completeness", sum(given[s].to_numpy(float) for s in PROFILE_SECTIONS) / len(PROFILE_SECTIONS))
    anything = np.any(
        [given[s].to_numpy() for s in ("certifications", "coursework", "experience", "education")], axis=0
    )
    base = d.lower.copy(order="F")
    settle_knowledge(d.lower, catalog, stated, anything)
    upper = _upper_bounds(d, keys, base, stated, anything)
    names = d.names
    return TableFacts(
        pd.DataFrame(d.lower, columns=names, index=frame.index, copy=False),
        None if upper is None else pd.DataFrame(upper, columns=names, index=frame.index, copy=False),
        d.problems,
        d.unrecognized,
    )


def _ladder(d: _Deriver, years: Mapping[str, npt.NDArray[np.float64]]) -> None:
    """The highest rung held a year or more, and how many rungs were held six months or more.

    A table has years by kind, not jobs: the rungs are read from the kinds
    (healthcare office work, billing, supervising, managing in healthcare),
    and a job title the classifier reads as practice administrator lifts a
    healthcare manager to the top rung.
    """
    kinds = (
        ("healthcare_admin", LADDER_RUNGS["front_desk"]),
        ("billing_coding", LADDER_RUNGS["billing_coding"]),
        ("supervisory_healthcare", LADDER_RUNGS["supervisor"]),
        ("management_healthcare", LADDER_RUNGS["office_manager"]),
    )
    known = np.any([~np.isnan(years[k]) for k, _ in kinds], axis=0)
    top = np.where(known, 0.0, np.nan)
    steps = np.where(known, 0.0, np.nan)
    for kind, rung in kinds:
        top = np.where(years[kind] >= 1, np.fmax(top, rung), top)
        steps = np.where(years[kind] >= 0.5, steps + 1, steps)
    titles = d.text("job_titles")
    managers = (years["management_healthcare"] >= 1) & (titles != "").to_numpy()
    if managers.any():
        codes, cells = pd.factorize(titles[managers])  # each distinct cell of titles split once
        held = {cell: _split(cell) for cell in cells}
        distinct = sorted({t for ts in held.values() for t in ts})
        admin = {t for t, g in zip(distinct, classify_titles(distinct), strict=True)
                 if g.role_family == "practice_administrator" and g.family_confidence >= 0.5}  # fmt: skip
        lifted = np.array([any(t in admin for t in held[cell]) for cell in cells], dtype=bool)
        top[np.flatnonzero(managers)[lifted[codes]]] = LADDER_RUNGS["practice_administrator"]
    d.put("ladder_rung", top)
    d.put("distinct_rungs", steps)


def _duties(d: _Deriver) -> None:
    """Duty flags per distinct cell; a blank cell leaves them unknown."""

    def derive(cell: str) -> dict[str, float]:
        if not cell:
            return {}
        return duty_facts([] if _empty(cell) else _words_to(cell, DUTIES, find_duties))

    d.by_cell(d.text("duties"), derive, "duties", "a list of duties")


def _education(d: _Deriver) -> pd.Series:
    """Education and coursework facts per distinct combination; returns each row's combination."""
    sep = "\x1f"
    key = (
        d.text("education_level") + sep + d.text("education_field") + sep + d.text("education_status") + sep
        + d.text("coursework")
    )  # fmt: skip

    def derive(k: str) -> dict[str, float] | None:
        facts = _list_facts(d.catalog, k, False)
        return None if facts is None else dict(facts)

    d.by_cell(key, derive, "education_level", "an education level (high_school ... doctorate)")
    return key


def _credentials_and_software(d: _Deriver) -> None:
    catalog = d.catalog
    held, studying = d.text("certifications"), d.text("certifications_in_progress")
    key = held + "\x1f" + studying
    rows_with = key.value_counts()  # how many rows an unknown name is on

    def credentials(k: str) -> dict[str, float]:
        have, doing = k.split("\x1f")
        if not have and not doing:
            return {}
        items = [Certification(code=c[:200]) for c in ([] if _empty(have) else _split(have))]
        items += [
            Certification(code=c[:200], status="in_progress")
            for c in ([] if _empty(doing) else _split(doing))
        ]
        unknown = [i.code for i in items if catalog.resolve_certification(i.code) is None]
        d.note_unknown(unknown, int(rows_with[k]))
        return derive_list_facts(Profile(certifications=items), catalog)

    d.by_cell(key, credentials, "certifications", "a list of credentials")
    software = d.text("software")
    rows_using = software.value_counts()

    def products(cell: str) -> dict[str, float]:
        if not cell:
            return {}
        items = [] if _empty(cell) else _software_items(cell)
        d.note_unknown(
            [i.name for i in items if catalog.resolve_software(i.name) is None], int(rows_using[cell])
        )
        return derive_list_facts(Profile(software=items), catalog)

    d.by_cell(software, products, "software", "a list of software")


def _upper_bounds(
    d: _Deriver,
    keys: pd.Series,
    base: npt.NDArray[np.float64],
    stated: Mapping[str, npt.NDArray[np.float64]],
    anything: npt.NDArray[np.bool_],
) -> npt.NDArray[np.float64] | None:
    """Facts read generously where a degree's field is blank; None when no row needs it."""
    cells = d.text("education_level")
    codes, uniques = pd.factorize(cells)
    levels = np.array([_education_level(c) if c else None for c in uniques] + [None], dtype=object)
    level = pd.Series(levels[codes], index=cells.index)
    vague = (
        level.notna() & ~level.isin(["high_school", "no_education"]) & (d.text("education_field") == "")
    ).to_numpy()
    if not vague.any():
        return None
    upper = base.copy(order="F")
    rows = np.flatnonzero(vague)
    codes, distinct = pd.factorize(keys.iloc[rows])
    table = np.full((len(distinct), len(d.names)), np.nan)
    for u, key in enumerate(distinct):
        for name, value in _list_facts(d.catalog, key, True) or ():
            table[u, d.ix[name]] = value
    _scatter(upper, rows, codes, table)
    settle_knowledge(upper, d.catalog, stated, anything)
    return upper


@dataclass(frozen=True)
class Preview:
    """The first rows of a candidate file and how its columns will be read."""

    headers: tuple[str, ...]
    colmap: ColumnMap
    head: pd.DataFrame
    notes: tuple[str, ...]


def preview_table(
    source: str | Path | bytes,
    name: str | None = None,
    rows: int = 5,
    overrides: Mapping[str, str] | None = None,
) -> Preview:
    """Open a candidate file and read only its first ``rows`` rows, to check the column mapping."""
    table = CandidateFile.open(source, name)
    try:
        head = table.head(rows)
    finally:
        table.close()
    colmap = map_columns(table.headers, overrides)
    return Preview(table.headers, colmap, head, (*table.notes, *colmap.notes))
