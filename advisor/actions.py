"""Actions: the things a person can do to close a gap, with duration, cost, prerequisites and effect.

One :class:`Action` per credential (built from the certification catalog),
per program (from the program catalog), and per course, software, experience
and duty entry in ``data/actions.yaml``. Each knows

* how long it takes at a person's pace (study hours or calendar months),
* what it costs, with the citation behind the figure (or that it is an estimate),
* what it requires, as pathways of conditions over facts (any pathway will do), and
* what it changes in a profile: :meth:`Action.apply` returns the profile as it
  would be once the action is done, so its effect is always measured by
  re-scoring, never guessed.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import Field, model_validator

from advisor.catalog import DATA_DIR, Catalog, load_catalog
from advisor.citation import AsOf, Cited, StrictModel
from advisor.errors import CatalogError, ExpressionError, Problem
from advisor.expression import Expression, compile_expression
from advisor.profile import (
    Certification,
    CourseArea,
    Duty,
    Education,
    Experience,
    Profile,
    RoleFamily,
    Setting,
    Software,
    month_index,
    month_label,
)
from advisor.sourcefile import read_document, validate_document
from advisor.vocabulary import CONSTANTS

Kind = Literal["cert", "program", "course", "software", "experience", "duty"]
STUDY_KINDS = frozenset({"cert", "program", "course", "software"})
WEEKS_PER_MONTH = 52 / 12
NonNegative = Annotated[float, Field(ge=0)]


# --- the file -----------------------------------------------------------------------------


class Figure(Cited):
    """A planning figure with its source, or an estimate that says how it was chosen."""

    value: float
    estimate: bool = False


class Hours(Cited):
    """A range of study hours."""

    min: NonNegative
    max: NonNegative
    estimate: bool = False


class Money(Cited):
    """A cost range in US dollars with a typical value used for planning."""

    min: NonNegative
    typical: NonNegative
    max: NonNegative
    estimate: bool = False

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if not self.min <= self.typical <= self.max:
            raise ValueError("expected min <= typical <= max")
        return self


class PrepEstimate(Cited):
    """Preparation hours for a credential with no published figure."""

    hours_min: NonNegative
    hours_max: NonNegative
    estimate: bool = True


class JobEffect(StrictModel):
    """A new role that starts when the action starts and keeps going."""

    title: str
    setting: Setting
    role_family: RoleFamily
    supervisory: bool = False
    direct_reports: int = 0
    duties: list[Duty] = []


class Effect(StrictModel):
    """What a listed action changes in a profile (exactly one of the fields)."""

    coursework: CourseArea | None = None
    software: list[str] | None = None
    proficiency: Literal["basic", "intermediate", "advanced"] = "intermediate"
    job: JobEffect | None = None
    duties: list[Duty] | None = None


class ListedAction(StrictModel):
    """An action written in ``actions.yaml``."""

    id: Annotated[str, Field(pattern=r"^(course|software|experience|duty):[a-z_]+$")]
    kind: Literal["course", "software", "experience", "duty"]
    title: str
    effect: Effect
    study_hours: Hours | None = None
    cost_usd: Money | None = None
    months: int | None = None
    requires: list[str] = []
    source: list[str] = []
    as_of: AsOf | None = None
    note: str | None = None
    secondary: bool = False


class _Assumptions(StrictModel):
    full_time_study_hours_per_week: Figure
    credential_pace_hours_per_week: Figure
    max_parallel_study: Figure
    transfer_credit_share: Figure


class _CourseDefaults(StrictModel):
    study_hours: Hours
    cost_usd: Money


class _ActionsFile(StrictModel):
    schema_version: Literal[1]
    assumptions: _Assumptions
    credential_prep_estimates: dict[str, PrepEstimate]
    credential_cost_estimates: dict[str, Money]
    course_defaults: _CourseDefaults
    actions: list[ListedAction]


# --- the built actions --------------------------------------------------------------------


@dataclass(frozen=True)
class Duration:
    """How long an action takes: study hours (paced) or calendar months (fixed)."""

    hours: tuple[float, float] | None
    months: tuple[float, float] | None
    citation: Cited | None
    estimate: bool
    text: str


@dataclass(frozen=True)
class Cost:
    """What an action costs, in US dollars."""

    low: float
    typical: float
    high: float
    citation: Cited | None
    estimate: bool
    what: str


@dataclass(frozen=True)
class Action:
    """Something a person can do, with what it takes and what it changes."""

    id: str
    kind: Kind
    title: str
    duration: Duration
    cost: Cost
    pathways: tuple[tuple[str, tuple[Expression, ...]], ...]
    """(label, conditions): any pathway whose conditions all hold makes the action open."""
    also: tuple[str, ...]
    membership: str | None
    effect: Mapping[str, Any]
    full_time_hours: float
    transfer_share: float

    @property
    def is_study(self) -> bool:
        """Study actions use study time; experience and duties happen at work."""
        return self.kind in STUDY_KINDS

    def months_at(self, hours_per_week: float, has_associate: bool = False) -> int:
        """Whole months to finish at ``hours_per_week``, using the typical (middle) duration."""
        if self.duration.hours is not None:
            hours = sum(self.duration.hours) / 2
            return max(1, math.ceil(hours / (max(hours_per_week, 1.0) * WEEKS_PER_MONTH)))
        months = sum(self.duration.months or (1.0, 1.0)) / 2
        if self.kind == "program":
            if has_associate and self.effect["level"] == "bachelor":
                months *= 1 - self.transfer_share
            months *= self.full_time_hours / min(max(hours_per_week, 1.0), self.full_time_hours)
        return max(1, math.ceil(months))

    def apply(self, profile: Profile, start: int, end: int) -> Profile:
        """The profile as it would be with this action done (started ``start``, finished ``end``)."""
        kind, effect = self.kind, self.effect
        if kind == "cert":
            certs = [*(profile.certifications or []), Certification(code=effect["code"], status="earned")]
            return profile.model_copy(update={"certifications": certs})
        if kind == "program":
            entry = Education(
                level=effect["level"],
                field=effect["field"],
                status="completed",
                year=int(month_label(end)[:4]),
            )
            return profile.model_copy(update={"education": [*(profile.education or []), entry]})
        if kind == "course":
            return profile.model_copy(
                update={"coursework": [*(profile.coursework or []), effect["coursework"]]}
            )
        if kind == "software":
            return profile.model_copy(update={"software": _with_software(profile, effect)})
        if kind == "experience":
            return profile.model_copy(update={"experience": _with_new_job(profile, effect["job"], start)})
        return profile.model_copy(update={"experience": _with_duties(profile, effect["duties"])})


def _with_software(profile: Profile, effect: Mapping[str, Any]) -> list[Software]:
    """Add the first listed product not already known, or raise a known one's proficiency."""
    current = list(profile.software or [])
    names = {s.name for s in current}
    for name in effect["software"]:
        if name not in names:
            return [*current, Software(name=name, proficiency=effect["proficiency"])]
    return [
        s.model_copy(update={"proficiency": effect["proficiency"]}) if s.name == effect["software"][0] else s
        for s in current
    ]


def _with_new_job(profile: Profile, job: Mapping[str, Any], start: int) -> list[Experience]:
    """Jobs with a new one from ``start``; jobs still open then end the month before (a move,
    not a second job)."""
    ended = [
        j.model_copy(update={"end": month_label(max(start - 1, month_index(j.start)))})
        if j.end is None and month_index(j.start) <= start
        else j
        for j in profile.experience or []
    ]
    return [*ended, Experience(start=month_label(start), **job)]


def _with_duties(profile: Profile, duties: Sequence[str]) -> list[Experience]:
    """The current job (the latest without an end) with the duties added."""
    jobs = list(profile.experience or [])
    current = [i for i, j in enumerate(jobs) if j.end is None]
    if not current:
        return jobs
    i = max(current, key=lambda k: jobs[k].start)
    merged = sorted(set(jobs[i].duties or []) | set(duties))
    jobs[i] = jobs[i].model_copy(update={"duties": merged})
    return jobs


def _span(low: float, high: float, unit: str) -> str:
    """``40 study hours`` or ``60-150 study hours``."""
    return f"{low:.0f} {unit}" if round(low) == round(high) else f"{low:.0f}-{high:.0f} {unit}"


# --- building the list --------------------------------------------------------------------


def _compile(
    texts: Sequence[str], kinds: Mapping[str, str], where: str, problems: list[Problem], path: str
) -> tuple[Expression, ...]:
    out = []
    for text in texts:
        try:
            out.append(compile_expression(text, kinds, CONSTANTS))  # type: ignore[arg-type]
        except ExpressionError as exc:
            problems.append(Problem(path, None, where, str(exc)))
    return tuple(out)


PROGRAM_FIELDS = {
    "health_administration": "health administration",
    "health_information": "health information management",
    "medical_office": "medical office administration",
    "business": "business administration",
}
PROGRAM_REQUIRES = {
    "certificate": "education_level >= high_school",
    "associate": "education_level >= high_school",
    "bachelor": "education_level >= high_school",
    "master": "education_level >= bachelor",
}


def _cert_actions(
    catalog: Catalog,
    spec: _ActionsFile,
    pace: float,
    kinds: Mapping[str, str],
    problems: list[Problem],
    path: str,
    common: dict[str, Any],
) -> list[Action]:
    actions = []
    default_cost = spec.credential_cost_estimates["default"]
    for code, cert in catalog.certifications.items():
        prep = cert.prep
        if not prep.gap and (prep.hours_min is not None or prep.months_min is not None):
            if prep.hours_min is not None:
                low, high = prep.hours_min, prep.hours_max or prep.hours_min
            else:
                low = (prep.months_min or 0) * pace * WEEKS_PER_MONTH
                high = (prep.months_max or prep.months_min or 0) * pace * WEEKS_PER_MONTH
            duration = Duration((low, high), None, prep, False, _span(low, high, "study hours"))
        elif code in spec.credential_prep_estimates:
            est = spec.credential_prep_estimates[code]
            duration = Duration(
                (est.hours_min, est.hours_max),
                None,
                est,
                True,
                _span(est.hours_min, est.hours_max, "study hours") + " (estimate)",
            )
        else:
            problems.append(
                Problem(
                    path,
                    None,
                    f"credential_prep_estimates.{code}",
                    "no published preparation time and no estimate",
                )
            )
            continue
        fee = cert.cost_usd
        if fee.gap or fee.min is None or fee.max is None:
            cost = Cost(
                default_cost.min,
                default_cost.typical,
                default_cost.max,
                default_cost,
                True,
                f"{fee.what} (fee not published; estimate)",
            )
        else:
            cost = Cost(fee.min, (fee.min + fee.max) / 2, fee.max, fee, False, fee.what)
        pathways = tuple((p.label, compiled) for p, compiled in catalog.prerequisites[code])
        also = tuple(a for p in cert.prerequisites.pathways for a in p.also) + tuple(
            cert.prerequisites.also_pathways
        )
        actions.append(
            Action(
                f"cert:{code}",
                "cert",
                f"Earn the {code} ({cert.name})",
                duration,
                cost,
                pathways,
                tuple(dict.fromkeys(also)),
                cert.membership,
                {"code": code},
                **common,
            )
        )
    return actions


def _program_actions(
    catalog: Catalog, kinds: Mapping[str, str], problems: list[Problem], path: str, common: dict[str, Any]
) -> list[Action]:
    actions = []
    for pid, program in catalog.programs.items():
        money = program.tuition_per_year or program.total_cost
        if money is None:  # the catalog requires one of the two; nothing to plan with otherwise
            continue
        years = (program.duration.months_min + program.duration.months_max) / 2 / 12
        per_year = program.tuition_per_year is not None
        if money.gap or money.min is None or money.max is None or money.typical is None:
            cost = Cost(0, 0, 0, money, True, "cost not published")
        else:
            scale = years if per_year else 1.0
            cost = Cost(
                money.min * scale,
                money.typical * scale,
                money.max * scale,
                money,
                False,
                "tuition and fees" + (f", {years:g} years at published yearly rates" if per_year else ""),
            )
        d = program.duration
        duration = Duration(
            None,
            (d.months_min, d.months_max),
            d,
            d.uncertain,
            _span(d.months_min, d.months_max, "months full time"),
        )
        requires = _compile([PROGRAM_REQUIRES[program.level]], kinds, f"programs.{pid}", problems, path)
        field = PROGRAM_FIELDS.get(program.field_group, program.field_group.replace("_", " "))
        actions.append(
            Action(
                f"program:{pid}",
                "program",
                f"Complete a {program.name}",
                duration,
                cost,
                (("", requires),),
                (),
                None,
                {"level": program.level, "field": field},
                **common,
            )
        )
    return actions


def _listed_actions(
    spec: _ActionsFile, kinds: Mapping[str, str], problems: list[Problem], path: str, common: dict[str, Any]
) -> list[Action]:
    actions = []
    for i, item in enumerate(spec.actions):
        where = f"actions[{i}] ({item.id})"
        hours = item.study_hours or (spec.course_defaults.study_hours if item.kind == "course" else None)
        money = item.cost_usd or (spec.course_defaults.cost_usd if item.kind == "course" else None)
        if item.kind in ("course", "software") and (hours is None or money is None):
            problems.append(Problem(path, None, where, "study actions need study_hours and cost_usd"))
            continue
        if item.kind in ("experience", "duty") and item.months is None:
            problems.append(Problem(path, None, where, "experience and duty actions need months"))
            continue
        if hours is not None:
            duration = Duration(
                (hours.min, hours.max),
                None,
                hours,
                hours.estimate,
                _span(hours.min, hours.max, "study hours") + (" (estimate)" if hours.estimate else ""),
            )
        else:
            cited = Cited(
                source=item.source,
                as_of=item.as_of or "2026-11",
                note=item.note,
                secondary=item.secondary,
                gap=not item.source,
            )
            duration = Duration(
                None, (float(item.months or 0),) * 2, cited, False, f"{item.months} months at work"
            )
        cost = (
            Cost(money.min, money.typical, money.max, money, money.estimate, "course or training")
            if money is not None
            else Cost(0, 0, 0, None, False, "no cost: done at work")
        )
        requires = _compile(item.requires, kinds, f"{where}.requires", problems, path)
        effect = item.effect.model_dump(exclude_none=True)
        if item.kind == "experience":
            effect["job"] = item.effect.job.model_dump() if item.effect.job else {}
        actions.append(
            Action(
                item.id, item.kind, item.title, duration, cost, (("", requires),), (), None, effect, **common
            )
        )
    return actions


@functools.lru_cache(maxsize=4)
def load_actions(data_dir: str | None = None) -> ActionCatalog:
    """Every action, validated and compiled once per process."""
    root = Path(data_dir) if data_dir else DATA_DIR
    catalog = load_catalog(root)
    path = root / "actions.yaml"
    doc = read_document(path)
    spec = validate_document(doc, _ActionsFile, CatalogError)
    kinds = {name: s.kind for name, s in catalog.facts.items()}
    problems: list[Problem] = []
    common = {
        "full_time_hours": spec.assumptions.full_time_study_hours_per_week.value,
        "transfer_share": spec.assumptions.transfer_credit_share.value,
    }
    pace = spec.assumptions.credential_pace_hours_per_week.value
    actions = [
        *_cert_actions(catalog, spec, pace, kinds, problems, str(path), common),
        *_program_actions(catalog, kinds, problems, str(path), common),
        *_listed_actions(spec, kinds, problems, str(path), common),
    ]
    if problems:
        raise CatalogError(problems)
    return ActionCatalog(
        {a.id: a for a in actions}, int(spec.assumptions.max_parallel_study.value), spec.assumptions
    )


@dataclass(frozen=True)
class ActionCatalog:
    """All actions by id, and the planning assumptions."""

    actions: Mapping[str, Action]
    max_parallel_study: int
    assumptions: _Assumptions
