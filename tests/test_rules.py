"""Rule files: validated against the schema, compiled once, errors located."""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor.errors import InputError, RuleFileError
from advisor.rules import RULES_DIR, load_ruleset, parse_ruleset, rule_files, ruleset_for

SHIPPED = (RULES_DIR / "medical_office_manager.yaml").read_text()


def problems(text: str) -> list[str]:
    with pytest.raises(RuleFileError) as err:
        parse_ruleset(text, "r.yaml")
    return [str(p) for p in err.value.problems]


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_every_shipped_rules_file_loads_with_sources_and_a_schema_version():
    files = rule_files()
    assert "medical_office_manager" in files
    for path in files.values():
        rs = load_ruleset(path)
        assert rs.spec.schema_version == 1
        for rule in rs.rules:
            assert rule.spec.sources and all(s in rs.spec.sources for s in rule.spec.sources)
        for source in rs.spec.sources.values():
            assert source.as_of and source.source


def test_dimensions_cover_the_areas_the_role_needs(mom):
    assert set(mom.spec.dimensions) >= {
        "education",
        "healthcare_experience",
        "leadership",
        "revenue_cycle",
        "medical_terminology",
        "software",
        "certifications",
        "business",
        "soft_skills",
    }
    for setting in mom.settings:
        assert mom.rule_points(setting).sum() == pytest.approx(100.0)


def test_the_bar_differs_by_setting(mom):
    education = {s: mom.spec.dimensions["education"].points[s] for s in mom.settings}
    assert education["small_practice"] < education["large_group"] <= education["hospital"]
    degree_gates = {g.spec.id for g in mom.gates if "small_practice" not in g.spec.settings}
    assert degree_gates, "large groups and hospitals have degree gates that small practices do not"


def test_unknown_fact_is_reported_with_file_line_rule_id_and_suggestion():
    text = SHIPPED.replace('when: "years_medical_office >= 6"', 'when: "years_medical_ofice >= 6"')
    [found] = problems(text)
    line = line_of(text, "years_medical_ofice >= 6")
    assert found.startswith(f"r.yaml:{line}: rules[")
    assert "(medical_office_years).levels[0].when: unknown fact 'years_medical_ofice'" in found
    assert "did you mean 'years_medical_office'?" in found


def test_syntax_error_in_a_condition_is_located():
    text = SHIPPED.replace('when: "years_medical_office >= 6"', 'when: "years_medical_office >= "')
    [found] = problems(text)
    assert found.startswith(f"r.yaml:{line_of(text, 'years_medical_office >= ')}:")
    assert "syntax error" in found


def test_all_problems_are_reported_together():
    text = (
        SHIPPED.replace("dimension: revenue_cycle\n", "dimension: revenue\n", 1)
        .replace('when: "knowledge_billing >= expert"', 'when: "knowledge_biling >= expert"')
        .replace("sources: [onet_technology]", "sources: [onet_tech]", 1)
        .replace("  - id: coding_knowledge", "  - id: billing_knowledge")
    )
    found = problems(text)
    assert len(found) == 4
    joined = "\n".join(found)
    assert "unknown dimension 'revenue' (did you mean 'revenue_cycle'?)" in joined
    assert "unknown fact 'knowledge_biling'" in joined
    assert "unknown source 'onet_tech' (did you mean 'onet_technology'?)" in joined
    assert "rule id 'billing_knowledge' is already used" in joined


def test_schema_errors_name_the_field_and_line():
    text = SHIPPED.replace("schema_version: 1", "schema_version: 2").replace(
        "    weight: 3\n", "    wieght: 3\n", 1
    )
    found = problems(text)
    line = line_of(text, "schema_version")
    assert f"r.yaml:{line}: schema_version: schema_version 2 is not supported; this engine reads 1" in found
    assert any("unknown field 'wieght' (did you mean 'weight'?)" in f for f in found)


def test_credit_outside_zero_to_one_and_bad_thresholds_are_rejected():
    text = SHIPPED.replace("        credit: 1\n", "        credit: 1.5\n", 1).replace(
        "small_practice: {ready: 66, nearly: 46, developing: 27}",
        "small_practice: {ready: 40, nearly: 46, developing: 27}",
    )
    joined = "\n".join(problems(text))
    assert "less than or equal to 1" in joined
    assert "expected developing < nearly < ready" in joined


def test_actions_must_point_at_real_catalog_entries():
    text = SHIPPED.replace('"cert:CPB", "cert:CRCR"', '"cert:CBP", "cert:CRCR"', 1)
    [found] = problems(text)
    assert "unknown action 'cert:CBP' (did you mean" in found


def test_duplicate_keys_in_a_rules_file_are_an_error():
    text = SHIPPED.replace("title: Medical Office Manager\n", "title: Medical Office Manager\ntitle: X\n", 1)
    assert "duplicate key 'title'" in problems(text)[0]


def test_unknown_role_is_an_input_error_with_a_suggestion():
    with pytest.raises(InputError, match="did you mean 'medical_office_manager'"):
        ruleset_for("medical_ofice_manager")


def test_rulesets_are_compiled_once_per_process():
    assert ruleset_for("medical_office_manager") is ruleset_for("medical_office_manager")


def test_version_changes_when_the_rules_change(tmp_path: Path):
    edited = tmp_path / "medical_office_manager.yaml"
    edited.write_text(SHIPPED.replace("weight: 3\n", "weight: 2.5\n", 1))
    assert load_ruleset(edited).version != load_ruleset(RULES_DIR / "medical_office_manager.yaml").version


@pytest.mark.parametrize(
    ("explain", "expected"),
    [
        ('"{years_medical_office"', "braces do not match"),
        ('"{years_medical_office:d} in offices"', "write a fact as {fact_name}"),
        ('"{} in offices"', "write a fact as {fact_name}"),
        ('"{years_medical_office!r}"', "write a fact as {fact_name}"),
        ('"{years_in_office} in offices"', "unknown fact '{years_in_office}' in text"),
    ],
)
def test_explanation_placeholders_are_checked_before_they_can_crash(explain, expected):
    text = SHIPPED.replace('explain: "{years_medical_office} in medical offices"', f"explain: {explain}", 1)
    [found] = problems(text)
    assert "(medical_office_years).levels[0].explain" in found and expected in found


def test_a_schema_error_does_not_hide_a_bad_condition_in_the_same_rule():
    text = SHIPPED.replace(
        'when: "years_medical_office >= 6"\n        credit: 1',
        'when: "years_medical_ofice >= 6"\n        credit: 2',
        1,
    )
    found = problems(text)
    assert len(found) == 2
    assert any("levels[0].credit: Input should be less than or equal to 1" in f for f in found)
    assert any("unknown fact 'years_medical_ofice'" in f for f in found)
    assert all("(medical_office_years)" in f for f in found)


def test_a_value_of_the_wrong_shape_is_one_line_without_pydantic_jargon():
    [found] = problems(SHIPPED.replace("    weight: 3\n", "    weight: lots\n", 1))
    assert "(degree_level).weight:" in found
    assert "constrained" not in found and "dict[" not in found


def test_points_that_could_never_be_earned_are_an_error():
    no_points = SHIPPED.replace(
        "points: {small_practice: 6, large_group: 20, hospital: 24}",
        "points: {small_practice: 6, large_group: 20}",
    )
    found = "\n".join(problems(no_points))
    assert "no points for setting 'hospital'" in found
    assert "points add up to 76 in setting 'hospital', not 100" in found
    orphan = SHIPPED.replace(
        "  soft_skills:\n    title: Soft skills (self-rated)",
        "  ghost:\n    title: Ghost\n    description: nothing\n    points: "
        "{small_practice: 0, large_group: 0, hospital: 0}\n"
        "  soft_skills:\n    title: Soft skills (self-rated)",
    )
    assert any("dimension 'ghost' has no rules" in f for f in problems(orphan))
    missing_credit = SHIPPED.replace(
        "credit: {small_practice: 1, large_group: 0.95, hospital: 0.9}",
        "credit: {small_practice: 1, large_group: 0.95}",
    )
    assert any("no credit for setting 'hospital'" in f for f in problems(missing_credit))


def test_an_unquoted_year_is_read_as_a_year():
    rs = parse_ruleset(SHIPPED.replace('    as_of: "2023"\n', "    as_of: 2023\n", 1), "r.yaml")
    assert rs.spec.sources["bls_ooh_mhsm"].as_of == "2023"


def test_huge_numbers_in_conditions_are_refused():
    text = SHIPPED.replace(
        'when: "years_medical_office >= 6"', f'when: "years_medical_office >= 6{"0" * 400}"'
    )
    assert "must be under a billion" in problems(text)[0]
