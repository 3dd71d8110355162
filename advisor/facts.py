"""Derived facts: a profile turned into the numbers rules and models reason about.

:func:`derive_facts` maps a list of profiles to a DataFrame with one row per
profile and one float column per fact in the vocabulary, for an explicit
``as_of`` month (current jobs run up to it). A single assessment and a batch
of 100,000 use this same function, so they can never disagree.
:func:`derive_fact_timeline` derives one profile at many months at once (the
person keeps working, so current jobs keep counting), which is what
eligibility dates and roadmaps are computed from.

Conventions:

* **Unknown is NaN.** A section that was not given leaves its facts NaN, so
  rules can say "unknown" instead of inventing a "no". An empty list is a
  real zero.
* **Unknown details give bounds.** A job whose setting, role or duties are
  left out, or a degree without a field, is counted cautiously in the facts
  (not healthcare, no role, no duties, no relevant field) and generously in
  a second, *upper-bound* frame (:func:`derive_fact_bounds`). Rules score the
  cautious frame and report "could be more" where the generous one would
  score higher, so missing details are never read as a "no".
* **Overlapping jobs count once.** Years are the union of months worked
  (inclusive of start and end month), divided by 12.
* **Evidence is kept apart from self-ratings.** ``evidence_<area>`` is the
  knowledge level that credentials, coursework and work history show (a CPC
  shows working coding knowledge); ``knowledge_<area>`` is the higher of that
  and the self-rating, so rules can trust the first more than the second.
* Nothing here reads a name, an address, an age or a year of schooling:
  those never become facts.
"""

from __future__ import annotations

import typing
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from advisor.catalog import Catalog
from advisor.profile import Profile, RoleFamily, month_index, month_label
from advisor.vocabulary import (
    BUSINESS_COURSES,
    COURSE_AREAS,
    DUTIES,
    EDUCATION_LEVEL_NAMES,
    KNOWLEDGE_AREAS,
    KNOWLEDGE_LEVEL_NAMES,
    LADDER_RUNGS,
    MANAGER_DUTIES,
    PROFICIENCY_LEVEL_NAMES,
    SOFT_SKILLS,
    cert_fact,
)

HEALTHCARE_SETTINGS = frozenset({"medical_office", "hospital", "other_healthcare"})
ADMIN_FAMILIES = frozenset(typing.get_args(RoleFamily)) - {"medical_assistant", "other"}
"""Office and administrative role families (every one but clinical assistants and 'other')."""
SUPERVISORY_FAMILIES = frozenset({"supervisor", "office_manager", "practice_administrator"})
MANAGEMENT_FAMILIES = frozenset({"office_manager", "practice_administrator"})
PROFILE_SECTIONS = (
    "education",
    "coursework",
    "experience",
    "software",
    "certifications",
    "knowledge",
    "soft_skills",
)

RECENT_MONTHS = 24
"""Work that ended within this many months of the assessment date counts as recent."""
RUNG_MONTHS = 12
"""Months in a role before it counts as the highest rung reached."""
STEP_MONTHS = 6
"""Months in a role before it counts as a step on the ladder."""

Span = tuple[int, float]
"""A job's months: ``(start, end)`` inclusive; ``end`` is ``inf`` while it is current."""


def _union_months_until(spans: Iterable[Span], months: np.ndarray) -> np.ndarray:
    """For each month ``t``, how many distinct months the spans cover up to ``t`` (inclusive)."""
    merged: list[list[float]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    if not merged:
        return np.zeros(len(months))
    starts = np.array([m[0] for m in merged])
    ends = np.array([m[1] for m in merged])
    covered = np.minimum(ends[None, :], months[:, None]) - starts[None, :] + 1
    return np.clip(covered, 0, None).sum(axis=1)


def _has_unknown_details(profile: Profile) -> bool:
    """True when a job or degree leaves out something the facts depend on."""
    jobs = any(
        j.setting is None or j.role_family is None or j.duties is None for j in profile.experience or ()
    )
    degrees = any(e.field is None and e.level != "high_school" for e in profile.education or ())
    return jobs or degrees


@dataclass(frozen=True)
class _Columns:
    """Column positions, computed once per catalog."""

    names: tuple[str, ...]
    index: dict[str, int]

    @classmethod
    def of(cls, catalog: Catalog) -> _Columns:
        names = tuple(catalog.facts)
        return cls(names, {n: i for i, n in enumerate(names)})


class _Row:
    """Writes one profile's facts into a block of rows, one per month in ``months``.

    Most facts are the same in every row; work-history facts are computed for
    each month at once, counting current jobs up to that month.
    """

    def __init__(
        self, block: np.ndarray, cols: _Columns, catalog: Catalog, months: np.ndarray, upper: bool
    ) -> None:
        self.block, self.ix, self.catalog, self.months, self.upper = block, cols.index, catalog, months, upper

    def put(self, name: str, value: float | np.ndarray) -> None:
        self.block[:, self.ix[name]] = value

    def get(self, name: str) -> np.ndarray:
        return self.block[:, self.ix[name]]

    def raise_to(self, name: str, value: float | np.ndarray) -> None:
        """Set to ``max(current, value)``, treating NaN as nothing known yet."""
        self.block[:, self.ix[name]] = np.fmax(self.block[:, self.ix[name]], value)

    def years(self, spans: Sequence[Span]) -> np.ndarray:
        """Years covered by the spans up to each month (overlaps counted once)."""
        return _union_months_until(spans, self.months) / 12.0

    # -- sections -------------------------------------------------------------------------

    def education(self, profile: Profile) -> set[str]:
        """Education levels by field group; returns coursework the degrees imply."""
        if profile.education is None:
            return set()
        groups = self.catalog.field_groups
        for name in (
            "education_level",
            "relevant_education_level",
            "core_education_level",
            "education_in_progress_level",
            "relevant_education_in_progress_level",
            *(f"{g}_education_level" for g in groups),
        ):
            self.put(name, 0.0)
        implied: set[str] = set()
        unknown_field = (self.catalog.field_groups["health_administration"],) if self.upper else ()
        for entry in profile.education:
            level = float(EDUCATION_LEVEL_NAMES[entry.level])
            matched = self.catalog.field_groups_of(entry.field) if entry.field else unknown_field
            relevant = any(g.relevance != "adjacent" for g in matched)
            if entry.status == "in_progress":
                self.raise_to("education_in_progress_level", level)
                if relevant:
                    self.raise_to("relevant_education_in_progress_level", level)
                continue
            self.raise_to("education_level", level)
            if relevant:
                self.raise_to("relevant_education_level", level)
            if any(g.relevance == "core" for g in matched):
                self.raise_to("core_education_level", level)
            for group in matched:
                self.raise_to(f"{group.id}_education_level", level)
                if level >= EDUCATION_LEVEL_NAMES["certificate"]:
                    implied.update(self._coursework_of(entry.level, group.id))
        return implied

    def _coursework_of(self, level: str, group: str) -> Iterable[str]:
        for program in self.catalog.programs.values():
            if program.level == level and program.field_group == group:
                return program.coursework
        return self.catalog.field_groups[group].coursework

    def coursework(self, profile: Profile, implied: set[str]) -> None:
        if profile.coursework is None and not implied:
            return
        taken = set(profile.coursework or ()) | implied
        for area in COURSE_AREAS:
            if area in taken:
                self.put(f"course_{area}", 1.0)
            elif profile.coursework is not None:
                self.put(f"course_{area}", 0.0)
        self.put("business_courses", float(sum(area in taken for area in BUSINESS_COURSES)))

    def experience(self, profile: Profile) -> None:
        if profile.experience is None:
            return
        buckets: dict[str, list[Span]] = {
            k: []
            for k in (
                "experience",
                "healthcare",
                "medical_office",
                "healthcare_admin",
                "office_admin",
                "supervisory",
                "supervisory_healthcare",
                "supervisory_medical_office",
                "management",
                "management_healthcare",
                "billing_coding",
            )
        }
        duties: set[str] = set()
        rung_spans: dict[int, list[Span]] = {}
        recent = np.zeros(len(self.months), dtype=bool)
        reports = 0
        for job in profile.experience:
            start = month_index(job.start)
            end = float(month_index(job.end)) if job.end else np.inf
            if end < start:
                continue
            span = (start, end)
            setting = job.setting or ("medical_office" if self.upper else None)
            healthcare = setting in HEALTHCARE_SETTINGS
            # An unknown role counts as no role (cautious) or as every role (upper bound).
            families = {job.role_family} if job.role_family else (set(LADDER_RUNGS) if self.upper else set())
            job_duties = set(job.duties) if job.duties is not None else (set(DUTIES) if self.upper else set())
            duties |= job_duties
            reports = max(reports, job.direct_reports)
            admin = bool(families & ADMIN_FAMILIES)
            supervisory = job.supervisory or job.direct_reports > 0 or bool(families & SUPERVISORY_FAMILIES)
            buckets["experience"].append(span)
            if healthcare:
                buckets["healthcare"].append(span)
                for family in families & set(LADDER_RUNGS):
                    rung_spans.setdefault(LADDER_RUNGS[family], []).append(span)
                if admin:
                    buckets["healthcare_admin"].append(span)
                    recent |= (start <= self.months) & (end >= self.months - RECENT_MONTHS)
                if "billing_coding" in families or job_duties & {"billing", "coding"}:
                    buckets["billing_coding"].append(span)
            if setting == "medical_office":
                buckets["medical_office"].append(span)
            if admin:
                buckets["office_admin"].append(span)
            if supervisory:
                buckets["supervisory"].append(span)
                if healthcare:
                    buckets["supervisory_healthcare"].append(span)
                if setting == "medical_office":
                    buckets["supervisory_medical_office"].append(span)
            if families & MANAGEMENT_FAMILIES:
                buckets["management"].append(span)
                if healthcare:
                    buckets["management_healthcare"].append(span)
        for key, spans in buckets.items():
            self.put(f"years_{key}", self.years(spans))
        tenure = {rung: _union_months_until(spans, self.months) for rung, spans in rung_spans.items()}
        top = np.zeros(len(self.months))
        steps = np.zeros(len(self.months))
        for rung, months in tenure.items():
            top = np.where(months >= RUNG_MONTHS, np.maximum(top, rung), top)
            steps += months >= STEP_MONTHS
        self.put("recent_healthcare_admin", recent.astype(float))
        self.put("max_direct_reports", float(reports))
        self.put("ladder_rung", top)
        self.put("distinct_rungs", steps)
        for name, value in duty_facts(duties).items():
            self.put(name, value)

    def software(self, profile: Profile) -> None:
        if profile.software is None:
            return
        best: dict[str, int] = {}
        for item in profile.software:
            product = self.catalog.resolve_software(item.name)
            if product is not None:
                level = PROFICIENCY_LEVEL_NAMES[item.proficiency]
                best[product.name] = max(best.get(product.name, 0), level)
        categories = self.catalog.categories
        counts = dict.fromkeys(categories, 0)
        medical = spreadsheet = 0
        for name, level in best.items():
            product = self.catalog.products[name]
            for category in product.categories:
                counts[category] += 1
            medical += any(categories[c].medical for c in product.categories)
            if product.spreadsheet:
                spreadsheet = max(spreadsheet, level)
        for category, count in counts.items():
            self.put(f"software_{category}", float(count))
        self.put("software_count", float(len(best)))
        self.put("software_medical", float(medical))
        self.put("spreadsheet_proficiency", float(spreadsheet))

    def certifications(self, profile: Profile) -> None:
        """Credential facts, and the knowledge levels the earned credentials show as evidence."""
        if profile.certifications is None:
            return
        for code in self.catalog.certifications:
            self.put(cert_fact(code), 0.0)
        levels = {"entry": 0, "specialist": 0, "manager": 0}
        held: set[str] = set()
        in_progress: set[str] = set()
        shown: dict[str, int] = {}
        for item in profile.certifications:
            cert = self.catalog.resolve_certification(item.code)
            if cert is None:
                continue
            if item.status == "in_progress":
                in_progress.add(cert.code)
                continue
            if cert.code in held:
                continue
            held.add(cert.code)
            self.put(cert_fact(cert.code), 1.0)
            levels[cert.level] += 1
            for area, shows in cert.implies.items():
                shown[area] = max(shown.get(area, 0), KNOWLEDGE_LEVEL_NAMES[shows])
        for tier, count in levels.items():
            self.put(f"certs_{tier}", float(count))
        self.put("certs_in_progress", float(len(in_progress - held)))
        for shown_area, implied in shown.items():
            self.raise_to(f"evidence_{shown_area}", float(implied))

    def knowledge(self, stated: Mapping[str, float | np.ndarray], anything_known: bool | np.ndarray) -> None:
        """Evidence levels from coursework and work on top of the credentials'; then the
        self-rating on top of the evidence.

        ``stated`` maps a knowledge area to the self-rating (0-3, NaN when not rated);
        ``anything_known`` says whether any section that could show knowledge was given.
        Both may be per-row arrays, so a candidate table runs the same code as a profile.
        """
        billing_years = self.get("years_billing_coding")
        healthcare_years = self.get("years_healthcare")
        coder = self.get("duty_coding") == 1.0
        shown_by_work = (
            ("medical_terminology", self.get("course_medical_terminology") == 1.0, 1.0),
            ("medical_terminology", healthcare_years >= 1, 1.0),
            ("medical_terminology", healthcare_years >= 3, 2.0),
            ("coding", self.get("course_coding") == 1.0, 1.0),
            ("coding", coder & (billing_years >= 2), 2.0),
            ("coding", coder & (billing_years >= 5), 3.0),
            ("billing", billing_years >= 1, 1.0),
            ("billing", billing_years >= 2, 2.0),
            ("billing", billing_years >= 5, 3.0),
            ("hipaa", self.get("course_health_law") == 1.0, 1.0),
            ("hipaa", self.get("years_healthcare_admin") >= 1, 1.0),
            ("hipaa", self.get("duty_compliance") == 1.0, 2.0),
        )
        for area, holds, work_level in shown_by_work:
            self.raise_to(f"evidence_{area}", np.where(holds, work_level, np.nan))
        for area in KNOWLEDGE_AREAS:
            self.raise_to(f"evidence_{area}", np.where(anything_known, 0.0, np.nan))
            evidence = self.get(f"evidence_{area}")
            rating = np.asarray(stated.get(area, np.nan), dtype=float)
            # Not rated: at least what is shown, and unknown where nothing is shown.
            shown = np.where(evidence > 0, evidence, np.nan)
            self.put(f"knowledge_{area}", np.where(np.isnan(rating), shown, np.fmax(rating, evidence)))

    def soft_skills(self, profile: Profile) -> None:
        if profile.soft_skills is None:
            return
        for skill in SOFT_SKILLS:
            value = getattr(profile.soft_skills, skill)
            if value is not None:
                self.put(f"soft_{skill}", float(value))

    def completeness(self, profile: Profile) -> None:
        given = sum(getattr(profile, s) is not None for s in PROFILE_SECTIONS)
        self.put("completeness", given / len(PROFILE_SECTIONS))


EVIDENCE_SECTIONS = ("certifications", "coursework", "experience", "education")
"""Sections that can show knowledge: when none is given, evidence is unknown rather than none."""


def _ratings(profile: Profile) -> dict[str, float]:
    stated = profile.knowledge
    return {
        area: float(KNOWLEDGE_LEVEL_NAMES[level])
        for area in KNOWLEDGE_AREAS
        if stated is not None and (level := getattr(stated, area)) is not None
    }


def duty_facts(duties: Collection[str]) -> dict[str, float]:
    """``duty_<duty>`` flags and the count of manager duties, for the duties a person has done."""
    facts = {f"duty_{duty}": 1.0 if duty in duties else 0.0 for duty in DUTIES}
    facts["manager_duties"] = float(sum(d in duties for d in MANAGER_DUTIES))
    return facts


def _fill(row: _Row, profile: Profile) -> None:
    implied = row.education(profile)
    row.coursework(profile, implied)
    row.experience(profile)
    row.software(profile)
    row.certifications(profile)
    row.knowledge(_ratings(profile), any(getattr(profile, s) is not None for s in EVIDENCE_SECTIONS))
    row.soft_skills(profile)
    row.completeness(profile)


def derive_fact_bounds(
    profiles: Sequence[Profile], as_of: str | Sequence[str], catalog: Catalog
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cautious facts and their upper bounds, one row per profile, as of ``as_of``.

    ``as_of`` is one month for all, or one month per profile. The two frames
    differ only for profiles that leave out a job's setting, role or duties, or
    a degree's field. Columns follow ``catalog.facts``; every value is a float;
    unknown sections are NaN in both.
    """
    cols = _Columns.of(catalog)
    lower = np.full((len(profiles), len(cols.names)), np.nan)
    upper = lower.copy()
    months = (
        [month_index(as_of)] * len(profiles) if isinstance(as_of, str) else [month_index(m) for m in as_of]
    )
    for i, profile in enumerate(profiles):
        now = np.array([months[i]])
        _fill(_Row(lower[i : i + 1], cols, catalog, now, upper=False), profile)
        if _has_unknown_details(profile):
            _fill(_Row(upper[i : i + 1], cols, catalog, now, upper=True), profile)
        else:
            upper[i] = lower[i]
    names = list(cols.names)
    return pd.DataFrame(lower, columns=names), pd.DataFrame(upper, columns=names)


def derive_fact_series(
    profiles: Sequence[Profile], months: Sequence[Sequence[str]], catalog: Catalog
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Facts (and upper bounds) for each profile at each of its own months, in one pass per
    profile: rows profile by profile, month by month. Jobs without an end keep counting up
    to each month, because a person keeps working while they study."""
    cols = _Columns.of(catalog)
    lowers, uppers = [], []
    for profile, labels in zip(profiles, months, strict=True):
        timeline = np.array([month_index(m) for m in labels])
        lower = np.full((len(timeline), len(cols.names)), np.nan)
        _fill(_Row(lower, cols, catalog, timeline, upper=False), profile)
        upper = lower
        if _has_unknown_details(profile):
            upper = np.full_like(lower, np.nan)
            _fill(_Row(upper, cols, catalog, timeline, upper=True), profile)
        lowers.append(lower)
        uppers.append(upper)
    names = list(cols.names)
    empty = np.empty((0, len(names)))
    return (
        pd.DataFrame(np.vstack(lowers) if lowers else empty, columns=names),
        pd.DataFrame(np.vstack(uppers) if uppers else empty, columns=names),
    )


def derive_fact_timeline(
    profile: Profile, as_of: str, months: int, catalog: Catalog
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One profile's facts (and upper bounds) at ``as_of`` and each of the next ``months`` months:
    row ``k`` is ``k`` months after ``as_of``."""
    start = month_index(as_of)
    return derive_fact_series([profile], [[month_label(start + k) for k in range(months + 1)]], catalog)


def derive_facts(profiles: Sequence[Profile], as_of: str | Sequence[str], catalog: Catalog) -> pd.DataFrame:
    """One row of cautious derived facts per profile, as of the month ``as_of`` (``YYYY-MM``).

    Jobs still running are counted up to ``as_of``; see :func:`derive_fact_bounds`
    for the upper bounds where details were left out.
    """
    return derive_fact_bounds(profiles, as_of, catalog)[0]


def unrecognized(profile: Profile, catalog: Catalog) -> dict[str, list[str]]:
    """Software names and credential codes the catalog does not know (never scored)."""
    return {
        "software": [s.name for s in profile.software or () if catalog.resolve_software(s.name) is None],
        "certifications": [
            c.code for c in profile.certifications or () if catalog.resolve_certification(c.code) is None
        ],
    }


def derive_list_facts(profile: Profile, catalog: Catalog, upper: bool = False) -> dict[str, float]:
    """The facts of a profile's education, coursework, software and credentials alone.

    A candidate table gives these sections as cells; deriving each distinct cell
    once through this function keeps the table on exactly the profile's rules.
    Knowledge is left out (it also needs years and duties: see
    :func:`settle_knowledge`), but the knowledge credentials show is included.
    ``upper`` reads a degree without a field generously (see :func:`derive_fact_bounds`).
    """
    cols = _Columns.of(catalog)
    block = np.full((1, len(cols.names)), np.nan)
    row = _Row(block, cols, catalog, np.zeros(1), upper)
    row.coursework(profile, row.education(profile))
    row.software(profile)
    row.certifications(profile)
    return {name: float(block[0, i]) for i, name in enumerate(cols.names) if not np.isnan(block[0, i])}


def settle_knowledge(
    facts: np.ndarray,
    catalog: Catalog,
    stated: Mapping[str, np.ndarray],
    anything_known: np.ndarray,
) -> None:
    """Fill the ``evidence_*`` and ``knowledge_*`` columns of a facts matrix in place, row by row
    at once, by the same rules a profile follows: what coursework, credentials and work show,
    then each row's own rating (NaN where not rated) on top.

    ``facts`` has ``catalog.facts`` columns, with everything else already derived.
    """
    _Row(facts, _Columns.of(catalog), catalog, np.zeros(len(facts)), upper=False).knowledge(
        stated, anything_known
    )
