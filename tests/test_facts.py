"""Derived facts: one row per profile, unknown kept as NaN, overlaps counted once."""

from __future__ import annotations

import math

import numpy as np
import pytest

from advisor.facts import derive_facts, unrecognized
from advisor.profile import parse_profile
from tests.conftest import AS_OF, example


def facts_of(text: str, catalog, as_of: str = AS_OF):
    return derive_facts([parse_profile(text, "p.yaml")], as_of, catalog).iloc[0]


def test_one_row_per_profile_and_one_column_per_fact(catalog):
    profiles = [example("receptionist_new"), example("billing_supervisor"), example("partial_profile")]
    df = derive_facts(profiles, AS_OF, catalog)
    assert df.shape == (3, len(catalog.facts))
    assert list(df.columns) == list(catalog.facts)
    assert df.dtypes.eq(np.float64).all()


def test_absent_sections_are_unknown_and_empty_ones_are_zero(catalog):
    absent = facts_of("id: x\n", catalog)
    empty = facts_of("experience: []\ncertifications: []\nsoftware: []\n", catalog)
    for name in (
        "years_experience",
        "years_supervisory",
        "certs_manager",
        "software_medical",
        "duty_payroll",
    ):
        assert math.isnan(absent[name])
        assert empty[name] == 0.0
    assert math.isnan(empty["education_level"])


def test_overlapping_jobs_are_counted_once_and_months_are_inclusive(catalog):
    row = facts_of(
        "experience:\n"
        "  - {title: A, setting: medical_office, role_family: front_desk, start: 2020-01, end: 2020-12}\n"
        "  - {title: B, setting: medical_office, role_family: billing_coding, start: 2020-07, end: 2021-06}\n"
        "  - {title: C, setting: non_healthcare, role_family: other, start: 2024-01, end: 2024-06}\n",
        catalog,
    )
    assert row["years_medical_office"] == 1.5
    assert row["years_experience"] == 2.0
    assert row["years_billing_coding"] == 1.0


def test_current_job_runs_to_the_as_of_month(catalog):
    text = "experience:\n  - {title: A, setting: hospital, role_family: supervisor, start: 2024-12}\n"
    assert facts_of(text, catalog, "2025-11")["years_supervisory_healthcare"] == 1.0
    assert facts_of(text, catalog, "2026-11")["years_supervisory_healthcare"] == 2.0


def test_supervision_comes_from_the_flag_reports_or_role(catalog):
    row = facts_of(
        "experience:\n"
        "  - {title: A, setting: medical_office, role_family: front_desk, direct_reports: 2,\n"
        "     start: 2020-01, end: 2020-12}\n"
        "  - {title: B, setting: non_healthcare, role_family: other, supervisory: true,\n"
        "     start: 2021-01, end: 2021-12}\n"
        "  - {title: C, setting: medical_office, role_family: office_manager,\n"
        "     start: 2022-01, end: 2022-12}\n",
        catalog,
    )
    assert row["years_supervisory"] == 3.0
    assert row["years_supervisory_healthcare"] == 2.0
    assert row["years_management_healthcare"] == 1.0
    assert row["ladder_rung"] == 4 and row["distinct_rungs"] == 2
    assert row["max_direct_reports"] == 2


def test_education_levels_fields_and_implied_coursework(catalog):
    row = facts_of(
        "education:\n"
        "  - {level: bachelor, field: biology}\n"
        "  - {level: associate, field: medical office administration}\n"
        "  - {level: master, field: health administration, status: in_progress}\n",
        catalog,
    )
    assert row["education_level"] == 4
    assert row["relevant_education_level"] == 3
    assert row["core_education_level"] == 3
    assert row["relevant_education_in_progress_level"] == 5
    assert row["course_medical_terminology"] == 1.0
    assert math.isnan(row["course_marketing"])  # coursework not given: not assumed missing


def test_software_aliases_count_once_and_unknown_names_are_not_counted(catalog):
    row = facts_of(
        "software:\n  - {name: Kareo}\n  - {name: Tebra, proficiency: advanced}\n"
        "  - {name: Applied Epic}\n  - {name: Toast POS}\n  - {name: Excel, proficiency: advanced}\n",
        catalog,
    )
    assert row["software_count"] == 3  # Tebra, Applied Epic, Excel
    assert row["software_medical"] == 1
    assert row["spreadsheet_proficiency"] == 3
    profile = parse_profile("software:\n  - {name: Toast POS}\n", "p.yaml")
    assert unrecognized(profile, catalog)["software"] == ["Toast POS"]


def test_certification_levels_and_knowledge_they_show(catalog):
    row = facts_of(
        "certifications:\n  - {code: CPC}\n  - {code: CMOM}\n  - {code: CMPE, status: in_progress}\n"
        "  - {code: BLS}\nknowledge: {coding: none}\n",
        catalog,
    )
    assert row["cert_CPC"] == 1.0 and row["cert_CMPE"] == 0.0
    assert (row["certs_specialist"], row["certs_manager"], row["certs_in_progress"]) == (1, 1, 1)
    assert row["knowledge_coding"] == 2  # the CPC shows working coding knowledge
    assert row["knowledge_hipaa"] == 2  # the CMOM shows working HIPAA knowledge
    assert math.isnan(row["knowledge_billing"]) is False  # CPC shows basic billing


def test_nothing_identifying_becomes_a_fact(catalog):
    tokens = {t for name in catalog.facts for t in name.split("_")}
    assert tokens.isdisjoint(
        {
            "name",
            "age",
            "sex",
            "gender",
            "race",
            "ethnicity",
            "address",
            "zip",
            "language",
            "languages",
            "birth",
            "photo",
            "religion",
            "disability",
        }
    )
    with_name = facts_of("name: Alice\nlanguages: [Spanish]\nid: a\n", catalog)
    without = facts_of("id: b\n", catalog)
    assert with_name.equals(without)


def test_facts_are_deterministic(catalog):
    profiles = [example("practice_administrator"), example("veteran_medical_admin")]
    a = derive_facts(profiles, AS_OF, catalog)
    b = derive_facts(list(reversed(profiles)), AS_OF, catalog).iloc[::-1].reset_index(drop=True)
    assert a.equals(b)


def test_left_out_job_details_give_cautious_facts_and_generous_upper_bounds(catalog):
    from advisor.facts import derive_fact_bounds

    profile = parse_profile(
        "experience:\n  - {title: Office Manager, employer: Smith Family Medicine, start: 2018-01}\n",
        "p.yaml",
    )
    lower, upper = derive_fact_bounds([profile], AS_OF, catalog)
    assert lower.iloc[0]["years_medical_office"] == 0.0
    assert upper.iloc[0]["years_medical_office"] == pytest.approx(8 + 11 / 12)
    assert lower.iloc[0]["years_experience"] == upper.iloc[0]["years_experience"]
    complete = example("billing_supervisor")
    lower, upper = derive_fact_bounds([complete], AS_OF, catalog)
    assert lower.equals(upper)


def test_the_healthcare_ladder_counts_only_healthcare_roles_held_a_year(catalog):
    retail = facts_of(
        "experience:\n  - {title: Store Manager, setting: non_healthcare, role_family: office_manager,\n"
        "     start: 2015-01, end: 2025-01}\n",
        catalog,
    )
    assert retail["ladder_rung"] == 0 and retail["distinct_rungs"] == 0
    brief = facts_of(
        "experience:\n"
        "  - {title: Biller, setting: medical_office, role_family: billing_coding,\n"
        "     start: 2019-01, end: 2022-12}\n"
        "  - {title: Administrator, setting: medical_office, role_family: practice_administrator,\n"
        "     start: 2023-01, end: 2023-01}\n",
        catalog,
    )
    assert brief["ladder_rung"] == 2  # one month as administrator is not yet that rung
    assert brief["distinct_rungs"] == 1


def test_evidence_and_self_ratings_are_kept_apart(catalog):
    rated = facts_of("knowledge: {billing: expert}\nexperience: []\ncertifications: []\n", catalog)
    assert rated["evidence_billing"] == 0 and rated["knowledge_billing"] == 3
    shown = facts_of("certifications:\n  - {code: CPB}\n", catalog)
    assert shown["evidence_billing"] == 2 and shown["knowledge_billing"] == 2
    unrated = facts_of("experience: []\ncertifications: []\n", catalog)
    assert unrated["evidence_billing"] == 0 and math.isnan(unrated["knowledge_billing"])
