"""The knowledge catalog: complete, cited, and strict about what it loads."""

from __future__ import annotations

import shutil

import pytest
from pydantic import BaseModel

from advisor.catalog import DATA_DIR, load_catalog
from advisor.citation import Cited
from advisor.errors import CatalogError
from tests.strategies import REQUIRED_CERTS


def test_required_certifications_are_present_with_issuer_level_and_facts(catalog):
    assert set(catalog.certifications) >= set(REQUIRED_CERTS)
    for code in REQUIRED_CERTS:
        cert = catalog.certifications[code]
        assert cert.issuer and cert.level in {"entry", "specialist", "manager"}
        assert cert.exam.summary and cert.renewal.summary and cert.prerequisites.summary


def test_manager_level_credentials_are_the_ones_the_sources_name(catalog):
    managers = {c for c, cert in catalog.certifications.items() if cert.level == "manager"}
    assert {"CMOM", "CPPM", "CMM", "CMPE", "CHAM"} <= managers
    assert {"CMAA", "CBCS", "CCA", "CMA"}.isdisjoint(managers)


def test_cmpe_and_cham_prerequisites_are_conditions_over_facts(catalog):
    cmpe = {p.id: [e.text for e in exprs] for p, exprs in catalog.prerequisites["CMPE"]}
    assert cmpe["pathway_1"] == ["years_healthcare >= 2", "education_level >= bachelor"]
    assert cmpe["pathway_3"] == ["years_healthcare >= 6", "years_supervisory_healthcare >= 4"]
    cham = [p for p, _ in catalog.prerequisites["CHAM"]]
    assert any("90 contact hours" in " ".join(p.also) for p in cham)


def test_every_cited_value_has_a_source_or_an_explained_gap(catalog):
    def walk(obj):
        if isinstance(obj, Cited):
            yield obj
        if isinstance(obj, BaseModel):
            for name in type(obj).model_fields:
                yield from walk(getattr(obj, name))
        elif isinstance(obj, list | tuple):
            for item in obj:
                yield from walk(item)

    everything = [
        *catalog.certifications.values(),
        *catalog.products.values(),
        *catalog.field_groups.values(),
        *catalog.programs.values(),
        *catalog.roles.values(),
    ]
    cited = [c for item in everything for c in walk(item)]
    assert len(cited) > 200
    for c in cited:
        assert c.as_of
        assert c.source or (c.gap and c.note)


def test_costs_and_durations_come_with_sources(catalog):
    cpc = catalog.certifications["CPC"]
    assert (cpc.cost_usd.min, cpc.cost_usd.max) == (425, 499) and cpc.cost_usd.source
    assert catalog.certifications["CMOM"].cost_usd.gap  # unknown price stays unknown
    bachelor = catalog.programs["bachelor_health_administration"]
    assert bachelor.duration.months_max == 48 and bachelor.tuition_per_year.typical == 11610


@pytest.mark.parametrize(
    ("written", "product"),
    [
        ("Kareo", "Tebra"),
        ("kareo pm", "Tebra"),
        ("Tebra", "Tebra"),
        ("Cerner", "Oracle Health"),
        ("Sage Medical Manager", "Greenway Health"),
        ("Vitera Intergy", "Greenway Health"),
        ("eMDs Medisoft", "Medisoft"),
        ("Epic EHR", "Epic"),
        ("Allscripts", "Veradigm"),
        ("Emdeon", "Change Healthcare"),
        ("G Suite", "Google Workspace"),
        ("Applied Epic", "Applied Epic"),
    ],
)
def test_aliases_and_former_names_resolve_to_one_product(catalog, written, product):
    assert catalog.resolve_software(written).name == product


def test_unknown_software_is_not_guessed_but_a_near_miss_is_suggested(catalog):
    assert catalog.resolve_software("Toast POS") is None
    assert catalog.software_suggestion("Quickbook") == "QuickBooks"
    assert catalog.software_suggestion("Toast POS") is None


def test_at_least_25_products_across_the_required_categories(catalog):
    assert len(catalog.products) >= 25
    used = {c for p in catalog.products.values() for c in p.categories}
    assert {"ehr", "practice_management", "clearinghouse", "office", "accounting", "dental"} <= used


def test_certifications_resolve_by_code_full_name_and_variant(catalog):
    assert catalog.resolve_certification("Certified Professional Coder").code == "CPC"
    assert catalog.resolve_certification("cma (aama)").code == "CMA"
    assert catalog.resolve_certification("CPT") is None  # phlebotomy credential, not the code set


def test_fields_of_study_are_grouped_by_relevance(catalog):
    def groups(field):
        return {g.id for g in catalog.field_groups_of(field)}

    assert groups("Business Administration (MBA)") == {"business"}
    assert "health_administration" in groups("healthcare management")
    assert groups("medical billing and coding") == {"medical_office"}
    assert groups("biology") == set()
    assert "clinical" in groups("nursing")


def test_ladder_roles_carry_soc_and_bls_facts_in_order(catalog):
    ids = list(catalog.roles)
    assert ids == [
        "receptionist",
        "medical_administrative_assistant",
        "billing_coding_specialist",
        "office_supervisor",
        "medical_office_manager",
        "practice_administrator",
    ]
    mom = catalog.roles["medical_office_manager"]
    assert mom.soc == "11-9111" and mom.median_pay.usd == 110680 and mom.median_pay.data_year == "2023"


def _copy_catalog(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target, ignore=shutil.ignore_patterns("training", "model"))
    return target


def _edit(path, old, new):
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_a_malformed_catalog_entry_is_located(tmp_path):
    broken = _copy_catalog(tmp_path)
    _edit(broken / "certifications.yaml", "level: manager", "level: boss")
    with pytest.raises(CatalogError) as err:
        load_catalog(broken)
    [problem] = err.value.problems
    assert problem.path.endswith("certifications.yaml") and problem.line == 23
    assert problem.field == "certifications[0].level" and "'boss' is not one of" in problem.message


def test_bad_references_across_files_are_all_reported_with_suggestions(tmp_path):
    broken = _copy_catalog(tmp_path)
    _edit(
        broken / "certifications.yaml",
        '"years_healthcare >= 2", "education_level >= bachelor"',
        '"years_helthcare >= 2", "education_level >= bachelor"',
    )
    _edit(broken / "roles.yaml", "next: [medical_office_manager]", "next: [medical_ofice_manager]")
    _edit(broken / "software.yaml", "categories: [clearinghouse]", "categories: [clearing_house]")
    with pytest.raises(CatalogError) as err:
        load_catalog(broken)
    found = [str(p) for p in err.value.problems]
    assert len(found) == 3
    assert any("certifications.yaml:" in m and "did you mean 'years_healthcare'" in m for m in found)
    assert any("roles.yaml:" in m and "did you mean 'medical_office_manager'" in m for m in found)
    assert any("software.yaml:" in m and "did you mean 'clearinghouse'" in m for m in found)
