"""The fact vocabulary: every name a rule, prerequisite or model may refer to.

Facts are the derived, numeric description of a profile (one column each in
the facts DataFrame). Keeping their names, kinds and meanings in one place
lets the rule compiler reject unknown names with a "did you mean", lets the
app explain each fact in plain words, and tells the model which facts are
"more is better" (monotone) and which may never be features.

Some facts come from the knowledge catalog (one flag per certification, one
count per software category, one level per field-of-study group), so the
full vocabulary is built by :func:`fact_specs` from the catalog's names.
"""

from __future__ import annotations

import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from advisor.profile import CourseArea, Duty, Knowledge, SoftSkills

Kind = Literal["number", "flag"]
Unit = Literal["level", "years", "count", "rating", "knowledge", "flag", "share", "rung"]


@dataclass(frozen=True)
class FactSpec:
    """What one fact column means.

    ``section`` is the profile section the fact comes from, so an unknown
    fact can say what to fill in. ``monotone`` marks "more is better" facts (the model is constrained to be
    non-decreasing in them). ``feature`` is False for bookkeeping columns that
    must never drive a score.
    """

    name: str
    kind: Kind
    unit: Unit
    description: str
    section: str = "experience"
    monotone: bool = True
    feature: bool = True


EDUCATION_LEVEL_NAMES: Mapping[str, int] = {
    "no_education": 0,
    "high_school": 1,
    "certificate": 2,
    "associate": 3,
    "bachelor": 4,
    "master": 5,
    "doctorate": 6,
}
KNOWLEDGE_LEVEL_NAMES: Mapping[str, int] = {"none": 0, "basic": 1, "working": 2, "expert": 3}
PROFICIENCY_LEVEL_NAMES: Mapping[str, int] = {"basic": 1, "intermediate": 2, "advanced": 3}
LADDER_RUNGS: Mapping[str, int] = {
    "front_desk": 1,
    "medical_assistant": 1,
    "admin_assistant": 1,
    "billing_coding": 2,
    "office_admin": 2,
    "supervisor": 3,
    "office_manager": 4,
    "practice_administrator": 5,
}
"""Rung on the ladder toward practice administrator, by role family ('other' has none)."""

CONSTANTS: Mapping[str, float] = {
    **{k: float(v) for k, v in EDUCATION_LEVEL_NAMES.items()},
    **{k: float(v) for k, v in KNOWLEDGE_LEVEL_NAMES.items()},
    "intermediate": 2.0,
    "advanced": 3.0,
    "true": 1.0,
    "false": 0.0,
}
"""Names a condition may use for readability: ``education_level >= bachelor``."""

DUTIES: tuple[str, ...] = typing.get_args(Duty)
FRONT_OFFICE_DUTIES = frozenset(
    {"scheduling", "patient_registration", "insurance_verification", "billing", "coding", "collections"}
)
MANAGER_DUTIES: tuple[str, ...] = tuple(d for d in DUTIES if d not in FRONT_OFFICE_DUTIES)
"""Duties of running a practice (O*NET 11-9111 tasks; MGMA Body of Knowledge domains)."""

COURSE_AREAS: tuple[str, ...] = typing.get_args(CourseArea)
BUSINESS_COURSES: tuple[str, ...] = ("management", "marketing", "accounting", "finance", "human_resources")
KNOWLEDGE_AREAS: tuple[str, ...] = tuple(Knowledge.model_fields)
SOFT_SKILLS: tuple[str, ...] = tuple(SoftSkills.model_fields)


def _static_specs() -> list[FactSpec]:
    table: list[tuple[str, Unit, str, str]] = [
        (
            "education_level",
            "level",
            "education",
            "Highest completed education (0 none listed, "
            "1 high school, 2 certificate, 3 associate, 4 bachelor's, 5 master's, 6 doctorate)",
        ),
        (
            "relevant_education_level",
            "level",
            "education",
            "Highest completed education in a field that counts for practice management",
        ),
        (
            "core_education_level",
            "level",
            "education",
            "Highest completed education in health "
            "administration, health information or medical office administration",
        ),
        ("education_in_progress_level", "level", "education", "Highest education level in progress"),
        (
            "relevant_education_in_progress_level",
            "level",
            "education",
            "Highest education in progress in a field that counts for practice management",
        ),
        ("years_experience", "years", "experience", "Years of work of any kind (overlaps counted once)"),
        (
            "years_healthcare",
            "years",
            "experience",
            "Years working in healthcare settings (medical office, hospital, other healthcare)",
        ),
        (
            "years_medical_office",
            "years",
            "experience",
            "Years working in a physician, dental or specialty practice, clinic or urgent care",
        ),
        (
            "years_healthcare_admin",
            "years",
            "experience",
            "Years in administrative, billing or management roles in healthcare",
        ),
        ("years_office_admin", "years", "experience", "Years in office administration roles in any setting"),
        ("years_supervisory", "years", "experience", "Years supervising staff, in any setting"),
        ("years_supervisory_healthcare", "years", "experience", "Years supervising staff in healthcare"),
        (
            "years_supervisory_medical_office",
            "years",
            "experience",
            "Years supervising staff in a medical office",
        ),
        (
            "years_management",
            "years",
            "experience",
            "Years as an office manager or practice administrator, in any setting",
        ),
        (
            "years_management_healthcare",
            "years",
            "experience",
            "Years as an office manager or practice administrator in healthcare",
        ),
        ("years_billing_coding", "years", "experience", "Years doing billing or coding work in healthcare"),
        (
            "recent_healthcare_admin",
            "flag",
            "experience",
            "Has worked in healthcare administration within the last 2 years (1 yes, 0 no)",
        ),
        ("max_direct_reports", "count", "experience", "Most direct reports held in any job"),
        (
            "ladder_rung",
            "rung",
            "experience",
            "Highest rung reached in an office or healthcare "
            "administration role (1 front desk or assistant ... 5 practice administrator)",
        ),
        (
            "distinct_rungs",
            "count",
            "experience",
            "How many different rungs of the ladder the person has held",
        ),
        (
            "manager_duties",
            "count",
            "experience",
            "How many practice-management duties (payroll, hiring, training, budgeting, marketing, "
            "compliance, credentialing, vendors, reporting) the work history covers",
        ),
        (
            "business_courses",
            "count",
            "coursework",
            "Business course areas covered (management, marketing, accounting, finance, HR)",
        ),
        ("software_count", "count", "software", "Recognized software products"),
        (
            "software_medical",
            "count",
            "software",
            "Recognized medical software products (EHR, practice management, billing, dental)",
        ),
        (
            "spreadsheet_proficiency",
            "level",
            "software",
            "Spreadsheet proficiency (0 none listed, 1 basic, 2 intermediate, 3 advanced)",
        ),
        ("certs_entry", "count", "certifications", "Entry-level credentials earned"),
        (
            "certs_specialist",
            "count",
            "certifications",
            "Specialist credentials earned (coding, billing, revenue cycle)",
        ),
        ("certs_manager", "count", "certifications", "Manager-level credentials earned"),
        ("certs_in_progress", "count", "certifications", "Recognized credentials in progress"),
    ]
    specs = [
        FactSpec(name, "flag" if unit == "flag" else "number", unit, text, section)
        for name, unit, section, text in table
    ]
    specs.append(
        FactSpec(
            "completeness",
            "number",
            "share",
            "Share of profile sections given (bookkeeping, never scored)",
            "meta",
            monotone=False,
            feature=False,
        )
    )
    specs += [
        FactSpec(f"duty_{d}", "flag", "flag", f"Has done {d.replace('_', ' ')} in some job") for d in DUTIES
    ]
    specs += [
        FactSpec(
            f"course_{c}",
            "flag",
            "flag",
            f"Has {c.replace('_', ' ')} coursework (listed, or part of a degree)",
            "coursework",
        )
        for c in COURSE_AREAS
    ]
    specs += [
        FactSpec(
            f"evidence_{k}",
            "number",
            "knowledge",
            f"{k.replace('_', ' ').capitalize()} knowledge shown by credentials, coursework or work "
            "(0 none ... 3 expert; not self-rated)",
            "knowledge",
        )
        for k in KNOWLEDGE_AREAS
    ]
    specs += [
        FactSpec(
            f"knowledge_{k}",
            "number",
            "knowledge",
            f"{k.replace('_', ' ').capitalize()} knowledge (0 none ... 3 expert): the self-rating, "
            "or what credentials, coursework and work show if that is higher",
            "knowledge",
        )
        for k in KNOWLEDGE_AREAS
    ]
    specs += [
        FactSpec(f"soft_{s}", "number", "rating", f"Self-rated {s.replace('_', ' ')} (1-5)", "soft_skills")
        for s in SOFT_SKILLS
    ]
    return specs


def fact_specs(
    cert_codes: Iterable[str], software_categories: Iterable[str], field_groups: Iterable[str]
) -> dict[str, FactSpec]:
    """The whole vocabulary, given the catalog's certification codes, software
    categories and field-of-study groups."""
    specs = _static_specs()
    specs += [
        FactSpec(cert_fact(c), "flag", "flag", f"Holds the {c} credential", "certifications")
        for c in cert_codes
    ]
    specs += [
        FactSpec(f"software_{c}", "number", "count", f"Recognized {c.replace('_', ' ')} products", "software")
        for c in software_categories
    ]
    specs += [
        FactSpec(
            f"{g}_education_level",
            "number",
            "level",
            f"Highest completed education in {g.replace('_', ' ')}",
            "education",
        )
        for g in field_groups
    ]
    return {s.name: s for s in specs}


def cert_fact(code: str) -> str:
    """Fact name for holding a credential: ``CMA-AAMA`` -> ``cert_CMA_AAMA``."""
    return "cert_" + "".join(ch if ch.isalnum() else "_" for ch in code)
