"""The candidate profile: the interchange format as validated Python objects.

The models reject everything ``profile.schema.json`` rejects (including an
explicit ``null`` where the schema allows none), with a message naming the
field. They are deliberately stricter in a few places the schema leaves
open, because such values are always mistakes: months must be real
(``2020-13`` is refused), years and months must be plausible (1940-2100),
titles, names and codes must not be blank, a job has at most 10,000
direct reports, and lists have plausible lengths (at most 40 jobs, 20
education entries, 100 software products, 50 credentials, 20 languages), so
one file cannot freeze a page. Two more things matter beyond the schema:

* **Absent is not none.** A section that is missing (``certifications`` not
  given) is *unknown*; an empty list (``certifications: []``) says *none*.
  Every section therefore defaults to ``None``, and saving writes back only
  what was given, so a profile round-trips unchanged.
* **Dates make sense.** A job cannot end before it starts, and nothing can
  have happened after the assessment date. Those checks need the assessment
  date, so they live in :func:`date_problems`, which every loader runs.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
import tempfile
import typing
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from advisor.errors import DataFileError, InputError, Problem, ProfileError
from advisor.sourcefile import (
    Document,
    Format,
    Loc,
    decode_document,
    format_of,
    parse_document,
    read_document,
    validate_document,
)

EducationLevel = Literal["high_school", "certificate", "associate", "bachelor", "master", "doctorate"]
EDUCATION_LEVELS: tuple[str, ...] = typing.get_args(EducationLevel)
CourseArea = Literal[
    "management",
    "marketing",
    "accounting",
    "finance",
    "human_resources",
    "health_law",
    "medical_terminology",
    "coding",
    "health_it",
]
Setting = Literal["medical_office", "hospital", "other_healthcare", "non_healthcare"]
RoleFamily = Literal[
    "front_desk",
    "medical_assistant",
    "admin_assistant",
    "billing_coding",
    "office_admin",
    "supervisor",
    "office_manager",
    "practice_administrator",
    "other",
]
Duty = Literal[
    "scheduling",
    "patient_registration",
    "insurance_verification",
    "billing",
    "coding",
    "collections",
    "payroll",
    "hiring",
    "staff_training",
    "budgeting",
    "marketing",
    "compliance",
    "credentialing",
    "vendor_management",
    "reporting",
]
Proficiency = Literal["basic", "intermediate", "advanced"]
KnowledgeLevel = Literal["none", "basic", "working", "expert"]

_MONTH = re.compile(r"[0-9]{4}-[0-9]{2}")
FIRST_YEAR, LAST_YEAR = 1940, 2100
"""Dates outside these years are refused as implausible."""


def _month(value: Any) -> Any:
    """Accept ``YYYY-MM`` strings with a real month; explain other shapes."""
    if isinstance(value, _dt.date):
        raise ValueError(f"use YYYY-MM (e.g. '{value:%Y-%m}'), not a full date")
    if isinstance(value, str):
        if not _MONTH.fullmatch(value):
            raise ValueError(f"'{value}' is not a month in the form YYYY-MM")
        if not 1 <= int(value[5:]) <= 12:
            raise ValueError(f"'{value}' has no month {value[5:]}")
        if not FIRST_YEAR <= int(value[:4]) <= LAST_YEAR:
            raise ValueError(f"'{value}' is not a plausible year ({FIRST_YEAR}-{LAST_YEAR})")
    return value


def _whole_number(value: Any) -> Any:
    """JSON Schema counts ``2.0`` as an integer; so do we (but not ``2.5`` or ``"2"``)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


Month = Annotated[str, BeforeValidator(_month)]
Year = Annotated[int, BeforeValidator(_whole_number), Field(ge=FIRST_YEAR, le=LAST_YEAR)]


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("cannot be blank")
    return value


Text = Annotated[str, AfterValidator(_not_blank)]
"""A string with at least one visible character."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    _nullable: typing.ClassVar[frozenset[str]] = frozenset()
    """Fields where the schema allows an explicit ``null``; elsewhere, leave a field out."""

    @field_validator("*", mode="before")
    @classmethod
    def _no_stray_nulls(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in cls._nullable:
            raise PydanticCustomError("null_not_allowed", "cannot be null; leave it out if unknown")
        return value


class Education(_Model):
    """A degree, diploma or certificate program, completed or in progress."""

    _nullable: typing.ClassVar[frozenset[str]] = frozenset({"year"})

    level: EducationLevel
    field: str | None = None
    status: Literal["completed", "in_progress"] = "completed"
    year: Year | None = None


class Experience(_Model):
    """One job. ``end`` is ``None`` while the job is current."""

    _nullable: typing.ClassVar[frozenset[str]] = frozenset({"end"})

    title: Text
    employer: str | None = None
    setting: Setting | None = None
    role_family: RoleFamily | None = None
    supervisory: bool = False
    direct_reports: Annotated[int, BeforeValidator(_whole_number), Field(ge=0, le=10_000)] = 0
    start: Month
    end: Month | None = None
    duties: Annotated[list[Duty], Field(max_length=30)] | None = None


class Software(_Model):
    """A software product as the candidate names it; the catalog resolves aliases."""

    name: Text
    proficiency: Proficiency = "intermediate"


class Certification(_Model):
    """A credential as issued (acronym), earned or in progress."""

    _nullable: typing.ClassVar[frozenset[str]] = frozenset({"year"})

    code: Text
    status: Literal["earned", "in_progress"] = "earned"
    year: Year | None = None


class Knowledge(_Model):
    """Self- or counselor-rated knowledge; a missing key is unknown."""

    medical_terminology: KnowledgeLevel | None = None
    coding: KnowledgeLevel | None = None
    billing: KnowledgeLevel | None = None
    hipaa: KnowledgeLevel | None = None


Rating = Annotated[int, Field(ge=1, le=5)]


class SoftSkills(_Model):
    """Self- or counselor-rated, 1 (weak) to 5 (strong): weak evidence by design."""

    leadership: Rating | None = None
    decision_making: Rating | None = None
    problem_solving: Rating | None = None
    communication: Rating | None = None
    empathy: Rating | None = None
    assertiveness: Rating | None = None


class Profile(_Model):
    """What a candidate brings. ``None`` means *not given*, never *none*.

    ``name`` and ``id`` are carried for the user's benefit and never scored.
    """

    id: str | None = None
    name: str | None = None
    education: Annotated[list[Education], Field(max_length=20)] | None = None
    coursework: Annotated[list[CourseArea], Field(max_length=20)] | None = None
    experience: Annotated[list[Experience], Field(max_length=40)] | None = None
    software: Annotated[list[Software], Field(max_length=100)] | None = None
    certifications: Annotated[list[Certification], Field(max_length=50)] | None = None
    knowledge: Knowledge | None = None
    soft_skills: SoftSkills | None = None
    languages: Annotated[list[str], Field(max_length=20)] | None = None


# --- months -------------------------------------------------------------------------------


def month_index(month: str) -> int:
    """Months since year 0, so ``b - a`` is a number of months."""
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def month_label(index: int) -> str:
    """Inverse of :func:`month_index`."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def current_month(today: _dt.date | None = None) -> str:
    """This month as ``YYYY-MM`` (the default assessment date)."""
    today = today or _dt.date.today()
    return f"{today:%Y-%m}"


def parse_month(text: str, what: str = "--as-of") -> str:
    """Validate a user-supplied ``YYYY-MM`` (e.g. the ``--as-of`` flag)."""
    try:
        return str(_month(text.strip()))
    except ValueError as exc:
        raise InputError(f"{what}: {exc}") from None


# --- checks that need the assessment date -------------------------------------------------


def date_problems(profile: Profile, as_of: str) -> list[tuple[Loc, str]]:
    """Dates out of order or after ``as_of``, as ``(location, message)`` pairs."""
    found: list[tuple[Loc, str]] = []
    now = month_index(as_of)
    for i, job in enumerate(profile.experience or []):
        start = month_index(job.start)
        if start > now:
            found.append((("experience", i, "start"), f"{job.start} is after the assessment date {as_of}"))
        if job.end is not None:
            end = month_index(job.end)
            if end < start:
                found.append((("experience", i, "end"), f"{job.end} is before the start {job.start}"))
            elif end > now:
                found.append(
                    (
                        ("experience", i, "end"),
                        f"{job.end} is after the assessment date {as_of}; "
                        "leave 'end' empty for a current job",
                    )
                )
    year = now // 12
    for i, edu in enumerate(profile.education or []):
        if edu.status == "completed" and edu.year is not None and edu.year > year:
            found.append((("education", i, "year"), f"{edu.year} is in the future; mark it as in progress"))
    for i, cert in enumerate(profile.certifications or []):
        if cert.status == "earned" and cert.year is not None and cert.year > year:
            found.append(
                (("certifications", i, "year"), f"{cert.year} is in the future; mark it as in progress")
            )
    return found


def check_profile(profile: Profile, as_of: str, doc: Document | None = None) -> None:
    """Raise :class:`ProfileError` listing every date problem, located when possible."""
    found = date_problems(profile, as_of)
    if found:
        where = doc or Document("profile", None)
        problems = [where.problem(loc, msg) for loc, msg in found]
        raise ProfileError(sorted(problems, key=lambda p: p.line or 0))


# --- reading and writing ----------------------------------------------------------------


def parse_profile(
    content: str | bytes, path: str = "profile", fmt: Format | None = None, as_of: str | None = None
) -> Profile:
    """Parse and validate profile content (JSON or YAML text, or raw bytes such as an upload).

    Bytes must be UTF-8. With ``as_of`` the dates are also checked against that month.
    """
    try:
        doc = (
            decode_document(content, path, fmt)
            if isinstance(content, bytes)
            else parse_document(content, path, fmt)
        )
    except DataFileError as exc:
        raise ProfileError(exc.problems) from None
    return _validated(doc, as_of)


def load_profile(path: str | Path, as_of: str | None = None) -> Profile:
    """Load a profile file; every problem is reported at once as a :class:`ProfileError`."""
    try:
        doc = read_document(path)
    except DataFileError as exc:
        raise ProfileError(exc.problems) from None
    return _validated(doc, as_of)


def _validated(doc: Document, as_of: str | None) -> Profile:
    if not isinstance(doc.data, dict):
        raise ProfileError([Problem(doc.path, doc.line_of(()), "", "a profile must be a mapping of fields")])
    profile = validate_document(doc, Profile, ProfileError)
    if as_of is not None:
        check_profile(profile, as_of, doc)
    return profile


def profile_to_dict(profile: Profile) -> dict[str, Any]:
    """The interchange form: exactly the fields that were given."""
    return profile.model_dump(mode="json", exclude_unset=True)


def dump_profile(profile: Profile, fmt: Format = "json") -> str:
    """Serialize to JSON or YAML text in the interchange format."""
    data = profile_to_dict(profile)
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def save_profile(profile: Profile, path: str | Path) -> None:
    """Write atomically: the old file stays intact until the new one is complete."""
    target = Path(path)
    text = dump_profile(profile, format_of(target))
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
