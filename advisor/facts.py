"""Derived facts: a profile turned into the numbers rules and models reason about.

:func:`derive_facts` maps a list of profiles to a DataFrame with one row per
profile and one float column per fact in the vocabulary, for an explicit
``as_of`` month (current jobs run up to it). A single assessment and a batch
of 100,000 use this same function, so they can never disagree.

Conventions:

* **Unknown is NaN.** A section that was not given leaves its facts NaN, so
  rules can say "unknown" instead of inventing a "no". An empty list is a
  real zero.
* **Overlapping jobs count once.** Years are the union of months worked
  (inclusive of start and end month), divided by 12.
* **Evidence raises self-ratings.** Knowledge levels are the higher of the
  self-rating and what credentials, coursework and work history show
  (a CPC shows working coding knowledge whatever the self-rating says).
* Nothing here reads a name, an address, an age or a year of schooling:
  those never become facts.
"""

from __future__ import annotations

import typing
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from advisor.catalog import Catalog
from advisor.profile import Experience, Profile, RoleFamily, month_index
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

Interval = tuple[int, int]


def _union_months(intervals: Iterable[Interval]) -> int:
    """Number of distinct months covered by inclusive ``(start, end)`` intervals."""
    total, reach = 0, -1
    for start, end in sorted(intervals):
        if end <= reach:
            continue
        total += end - max(start, reach + 1) + 1
        reach = end
    return total


def _is_supervisory(job: Experience) -> bool:
    return job.supervisory or job.direct_reports > 0 or job.role_family in SUPERVISORY_FAMILIES


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
    """Writes one profile's facts into a row of the output matrix."""

    def __init__(self, row: np.ndarray, cols: _Columns, catalog: Catalog, now: int) -> None:
        self.row, self.ix, self.catalog, self.now = row, cols.index, catalog, now

    def put(self, name: str, value: float) -> None:
        self.row[self.ix[name]] = value

    def get(self, name: str) -> float:
        return float(self.row[self.ix[name]])

    def raise_to(self, name: str, value: float) -> None:
        """Set to ``max(current, value)``, treating NaN as nothing known yet."""
        self.row[self.ix[name]] = np.fmax(self.row[self.ix[name]], value)

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
        for entry in profile.education:
            level = float(EDUCATION_LEVEL_NAMES[entry.level])
            matched = self.catalog.field_groups_of(entry.field)
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
        buckets: dict[str, list[Interval]] = {
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
        rungs: set[int] = set()
        reports = 0
        recent = False
        for job in profile.experience:
            start = month_index(job.start)
            end = min(month_index(job.end) if job.end else self.now, self.now)
            if end < start:
                continue
            span = (start, end)
            healthcare = job.setting in HEALTHCARE_SETTINGS
            family = job.role_family or "other"
            job_duties = set(job.duties or ())
            duties |= job_duties
            reports = max(reports, job.direct_reports)
            if family in LADDER_RUNGS and (healthcare or family in ADMIN_FAMILIES):
                rungs.add(LADDER_RUNGS[family])
            buckets["experience"].append(span)
            if healthcare:
                buckets["healthcare"].append(span)
                if family in ADMIN_FAMILIES:
                    buckets["healthcare_admin"].append(span)
                    recent = recent or end >= self.now - RECENT_MONTHS
                if family == "billing_coding" or job_duties & {"billing", "coding"}:
                    buckets["billing_coding"].append(span)
            if job.setting == "medical_office":
                buckets["medical_office"].append(span)
            if family in ADMIN_FAMILIES:
                buckets["office_admin"].append(span)
            if _is_supervisory(job):
                buckets["supervisory"].append(span)
                if healthcare:
                    buckets["supervisory_healthcare"].append(span)
                if job.setting == "medical_office":
                    buckets["supervisory_medical_office"].append(span)
            if family in MANAGEMENT_FAMILIES:
                buckets["management"].append(span)
                if healthcare:
                    buckets["management_healthcare"].append(span)
        for key, spans in buckets.items():
            self.put(f"years_{key}", _union_months(spans) / 12.0)
        self.put("recent_healthcare_admin", 1.0 if recent else 0.0)
        self.put("max_direct_reports", float(reports))
        self.put("ladder_rung", float(max(rungs, default=0)))
        self.put("distinct_rungs", float(len(rungs)))
        for duty in DUTIES:
            self.put(f"duty_{duty}", 1.0 if duty in duties else 0.0)
        self.put("manager_duties", float(sum(d in duties for d in MANAGER_DUTIES)))

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

    def certifications(self, profile: Profile) -> dict[str, int]:
        """Credential facts; returns the knowledge levels the earned credentials show."""
        if profile.certifications is None:
            return {}
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
        return shown

    def knowledge(self, profile: Profile, shown: dict[str, int]) -> None:
        stated = profile.knowledge
        for area in KNOWLEDGE_AREAS:
            value = getattr(stated, area) if stated is not None else None
            if value is not None:
                self.put(f"knowledge_{area}", float(KNOWLEDGE_LEVEL_NAMES[value]))
            if area in shown:
                self.raise_to(f"knowledge_{area}", float(shown[area]))
        # Coursework and work history show at least this much.
        evidence = (
            ("medical_terminology", "course_medical_terminology", 1.0, 1.0),
            ("coding", "course_coding", 1.0, 1.0),
            ("hipaa", "course_health_law", 1.0, 1.0),
        )
        for area, fact, threshold, level in evidence:
            if self.get(fact) >= threshold:
                self.raise_to(f"knowledge_{area}", level)
        billing_years = self.get("years_billing_coding")
        if billing_years >= 2:
            self.raise_to("knowledge_billing", 2.0)
        elif billing_years >= 1:
            self.raise_to("knowledge_billing", 1.0)
        if self.get("duty_coding") == 1.0 and billing_years >= 2:
            self.raise_to("knowledge_coding", 2.0)
        if self.get("duty_compliance") == 1.0:
            self.raise_to("knowledge_hipaa", 2.0)
        if self.get("years_healthcare_admin") >= 1:
            self.raise_to("knowledge_hipaa", 1.0)
            self.raise_to("knowledge_medical_terminology", 1.0)

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


def derive_facts(profiles: Sequence[Profile], as_of: str, catalog: Catalog) -> pd.DataFrame:
    """One row of derived facts per profile, as of the month ``as_of`` (``YYYY-MM``).

    Columns follow ``catalog.facts`` in order; every value is a float and
    unknowns are NaN. Jobs still running are counted up to ``as_of``.
    """
    cols = _Columns.of(catalog)
    matrix = np.full((len(profiles), len(cols.names)), np.nan)
    now = month_index(as_of)
    for i, profile in enumerate(profiles):
        row = _Row(matrix[i], cols, catalog, now)
        implied = row.education(profile)
        row.coursework(profile, implied)
        row.experience(profile)
        row.software(profile)
        shown = row.certifications(profile)
        row.knowledge(profile, shown)
        row.soft_skills(profile)
        row.completeness(profile)
    return pd.DataFrame(matrix, columns=list(cols.names))


def unrecognized(profile: Profile, catalog: Catalog) -> dict[str, list[str]]:
    """Software names and credential codes the catalog does not know (never scored)."""
    return {
        "software": [s.name for s in profile.software or () if catalog.resolve_software(s.name) is None],
        "certifications": [
            c.code for c in profile.certifications or () if catalog.resolve_certification(c.code) is None
        ],
    }
