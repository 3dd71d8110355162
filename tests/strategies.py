"""Hypothesis strategies for valid profiles in the interchange format."""

from __future__ import annotations

import typing

from hypothesis import strategies as st

from advisor.profile import (
    CourseArea,
    Duty,
    EducationLevel,
    KnowledgeLevel,
    Proficiency,
    RoleFamily,
    Setting,
    month_label,
)
from advisor.vocabulary import KNOWLEDGE_AREAS, SOFT_SKILLS

AS_OF_INDEX = 2026 * 12 + 10  # 2026-11

SOFTWARE_NAMES = [
    "Epic",
    "Kareo",
    "Tebra",
    "eClinicalWorks",
    "athenahealth",
    "NextGen",
    "QuickBooks",
    "Microsoft Excel",
    "Medisoft",
    "Dentrix",
    "Applied Epic",
    "Toast POS",
    "Google Sheets",
    "ADP",
    "Availity",
]
REQUIRED_CERTS = ("CMOM", "CMPE", "CPPM", "CMM", "CPC", "CPB", "CCA", "CCS", "RHIT", "CMAA", "CBCS", "CRCR",
                  "CHAM", "CMAS", "CMA")  # fmt: skip
"""The credentials issue 2 names; the catalog must know every one."""
CERT_CODES = [*REQUIRED_CERTS, "BLS", "CPT", "CPC-A"]
FIELDS = [
    None,
    "health administration",
    "business administration",
    "medical office administration",
    "biology",
    "nursing",
    "health information technology",
    "accounting",
    "medical assisting",
]


def _choice(literal: object) -> st.SearchStrategy[str]:
    return st.sampled_from(typing.get_args(literal))


@st.composite
def jobs(draw: st.DrawFn) -> dict:
    start = draw(st.integers(AS_OF_INDEX - 30 * 12, AS_OF_INDEX))
    current = draw(st.booleans())
    end = None if current else draw(st.integers(start, AS_OF_INDEX))
    job = {
        "title": draw(st.sampled_from(["Receptionist", "Biller", "Office Manager", "Lead", "Clerk"])),
        "start": month_label(start),
        "end": None if end is None else month_label(end),
        "supervisory": draw(st.booleans()),
        "direct_reports": draw(st.integers(0, 30)),
    }
    if draw(st.booleans()):
        job["setting"] = draw(_choice(Setting))
    if draw(st.booleans()):
        job["role_family"] = draw(_choice(RoleFamily))
    if draw(st.booleans()):
        job["duties"] = draw(st.lists(_choice(Duty), max_size=6, unique=True))
    return job


@st.composite
def profiles(draw: st.DrawFn) -> dict:
    """A valid profile as interchange-format data; any section may be absent."""
    data: dict = {}
    if draw(st.booleans()):
        data["education"] = draw(
            st.lists(
                st.fixed_dictionaries(
                    {
                        "level": _choice(EducationLevel),
                        "status": st.sampled_from(["completed", "in_progress"]),
                    },
                    optional={"field": st.sampled_from(FIELDS).filter(lambda f: f is not None)},
                ),
                max_size=3,
            )
        )
    if draw(st.booleans()):
        data["coursework"] = draw(st.lists(_choice(CourseArea), max_size=4, unique=True))
    if draw(st.booleans()):
        data["experience"] = draw(st.lists(jobs(), max_size=4))
    if draw(st.booleans()):
        data["software"] = draw(
            st.lists(
                st.fixed_dictionaries(
                    {"name": st.sampled_from(SOFTWARE_NAMES), "proficiency": _choice(Proficiency)}
                ),
                max_size=4,
            )
        )
    if draw(st.booleans()):
        data["certifications"] = draw(
            st.lists(
                st.fixed_dictionaries(
                    {
                        "code": st.sampled_from(CERT_CODES),
                        "status": st.sampled_from(["earned", "in_progress"]),
                    }
                ),
                max_size=3,
            )
        )
    if draw(st.booleans()):
        data["knowledge"] = draw(
            st.fixed_dictionaries({}, optional={k: _choice(KnowledgeLevel) for k in KNOWLEDGE_AREAS})
        )
    if draw(st.booleans()):
        data["soft_skills"] = draw(
            st.fixed_dictionaries({}, optional={k: st.integers(1, 5) for k in SOFT_SKILLS})
        )
    return data
