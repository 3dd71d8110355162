"""The profile model accepts the interchange format exactly and explains what it rejects."""

from __future__ import annotations

import json

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from advisor import profile as profile_module
from advisor.errors import InputError, ProfileError
from advisor.profile import (
    Profile,
    dump_profile,
    load_profile,
    parse_month,
    parse_profile,
    profile_to_dict,
    save_profile,
)
from tests.conftest import AS_OF, EXAMPLES, ROOT, TRAINING
from tests.strategies import profiles

SCHEMA = json.loads((ROOT / "docs" / "profile.schema.json").read_text())


def messages(text: str, fmt: str = "yaml", as_of: str | None = None) -> list[str]:
    with pytest.raises(ProfileError) as err:
        parse_profile(text, f"p.{fmt}", fmt, as_of=as_of)  # type: ignore[arg-type]
    return [str(p) for p in err.value.problems]


def test_every_reference_profile_is_accepted_and_round_trips(panel):
    for line in (TRAINING / "labeled_profiles.jsonl").read_text().splitlines()[:60]:
        profile = parse_profile(line, "x.json", "json", as_of=AS_OF)
        again = parse_profile(dump_profile(profile, "yaml"), "x.yaml", "yaml")
        assert profile_to_dict(again) == json.loads(line)


def test_model_fields_match_the_schema_exactly():
    assert set(Profile.model_fields) == set(SCHEMA["properties"])
    for section, model_name in (
        ("education", "Education"),
        ("experience", "Experience"),
        ("software", "Software"),
        ("certifications", "Certification"),
    ):
        schema_fields = set(SCHEMA["properties"][section]["items"]["properties"])
        assert set(getattr(profile_module, model_name).model_fields) == schema_fields


def _mutations() -> st.SearchStrategy[tuple[str, object]]:
    """Small edits that may or may not break a profile."""
    return st.sampled_from(
        [
            ("education", [{"level": "phd"}]),
            ("education", [{"level": "bachelor", "status": "done"}]),
            ("education", [{"field": "x"}]),
            ("experience", [{"title": "A", "start": "2020-1"}]),
            ("experience", [{"title": "A", "start": "2020-01", "direct_reports": -1}]),
            ("experience", [{"title": "A", "start": "2020-01", "duties": ["juggling"]}]),
            ("experience", [{"title": "A"}]),
            ("software", [{"name": "Epic", "proficiency": "guru"}]),
            ("certifications", [{"code": "CPC", "status": "lapsed"}]),
            ("knowledge", {"coding": "some"}),
            ("knowledge", {"typing": "expert"}),
            ("soft_skills", {"leadership": 0}),
            ("soft_skills", {"leadership": 5}),
            ("languages", ["Spanish"]),
            ("coursework", ["underwater_basket_weaving"]),
            ("nickname", "Al"),
            ("id", 7),
        ]
    )


@settings(max_examples=150, deadline=None)
@given(data=profiles(), edit=_mutations())
def test_accepts_exactly_what_the_schema_accepts(data, edit):
    key, value = edit
    candidate = {**data, key: value}
    schema_ok = jsonschema.Draft202012Validator(SCHEMA).is_valid(candidate)
    try:
        parse_profile(json.dumps(candidate), "p.json", "json")
        model_ok = True
    except ProfileError:
        model_ok = False
    assert model_ok == schema_ok, candidate


def test_absent_section_stays_absent_and_empty_list_stays_empty():
    profile = parse_profile("certifications: []\n", "p.yaml")
    assert profile.certifications == []
    assert profile.software is None
    assert profile_to_dict(profile) == {"certifications": []}


def test_unknown_enum_value_names_field_line_and_suggests():
    text = "education:\n  - level: bachelors\n"
    assert messages(text) == [
        "p.yaml:2: education[0].level: 'bachelors' is not one of: high_school, certificate, "
        "associate, bachelor, master, doctorate (did you mean 'bachelor'?)"
    ]


def test_unknown_field_is_rejected_with_did_you_mean():
    assert messages("experiance: []\n") == [
        "p.yaml:1: experiance: unknown field 'experiance' (did you mean 'experience'?)"
    ]


def test_all_problems_are_reported_at_once_in_line_order():
    text = (
        "experience:\n  - title: Clerk\n    start: 2020-13\n    direct_reports: -2\n"
        "soft_skills:\n  leadership: 9\n"
    )
    found = messages(text)
    assert [m.split(":")[1] for m in found] == ["3", "4", "6"]
    assert "has no month 13" in found[0]
    assert "direct_reports" in found[1] and "greater than or equal to 0" in found[1]
    assert "soft_skills.leadership" in found[2]


def test_end_before_start_and_future_dates_are_reported_against_the_assessment_date():
    text = (
        "experience:\n"
        "  - {title: A, start: 2020-05, end: 2019-01}\n"
        "  - {title: B, start: 2027-01}\n"
        "education:\n  - {level: bachelor, year: 2030}\n"
    )
    found = messages(text, as_of="2026-11")
    assert "p.yaml:2: experience[0].end: 2019-01 is before the start 2020-05" in found
    assert "p.yaml:3: experience[1].start: 2027-01 is after the assessment date 2026-11" in found
    assert any("education[0].year: 2030 is in the future" in m for m in found)


def test_full_dates_and_wrong_types_are_explained():
    found = messages("experience:\n  - {title: A, start: 2020-05-01}\nid: 5\n")
    assert any("use YYYY-MM" in m for m in found)
    assert any(m.startswith("p.yaml:3: id:") for m in found)


def test_yes_no_words_are_not_silently_turned_into_booleans():
    # YAML 1.1 reads `no` as False; a strict model refuses it for a string field.
    assert any("name" in m for m in messages("name: no\n"))


def test_malformed_yaml_and_json_report_a_line():
    assert messages("education: [\n", "yaml")[0].startswith("p.yaml:")
    assert messages('{"education": [}', "json")[0].startswith("p.json:1: JSON syntax")


def test_duplicate_keys_are_an_error_in_yaml_and_json():
    assert messages("id: a\nid: b\n") == ["p.yaml:2: duplicate key 'id' (first at line 1)"]
    assert "duplicate key 'id'" in messages('{"id": "a",\n "id": "b"}', "json")[0]


def test_a_profile_must_be_a_mapping():
    assert messages("- 1\n- 2\n") == ["p.yaml:1: a profile must be a mapping of fields"]


def test_save_is_atomic_and_keeps_the_old_file_when_serializing_fails(tmp_path, monkeypatch):
    target = tmp_path / "client.json"
    original = load_profile(EXAMPLES / "coder_with_cpc.yaml")
    save_profile(original, target)
    before = target.read_bytes()

    def boom(*_args, **_kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("advisor.profile.os.replace", boom)
    with pytest.raises(OSError):
        save_profile(parse_profile("id: other\n", "x.yaml"), target)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["client.json"]


def test_save_and_load_yaml_and_json_round_trip(tmp_path):
    original = load_profile(EXAMPLES / "billing_supervisor.yaml")
    for name in ("c.json", "c.yaml"):
        save_profile(original, tmp_path / name)
        assert load_profile(tmp_path / name) == original


def test_missing_file_and_directory_are_clear(tmp_path):
    with pytest.raises(ProfileError, match="file not found"):
        load_profile(tmp_path / "nope.yaml")
    with pytest.raises(ProfileError, match="is a directory"):
        load_profile(tmp_path)


def test_as_of_must_be_a_real_month():
    assert parse_month("2026-03") == "2026-03"
    with pytest.raises(InputError, match="--as-of: '2026-3' is not a month"):
        parse_month("2026-3")
    with pytest.raises(InputError, match="no month 13"):
        parse_month("2026-13")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("education: null\n", "p.yaml:1: education: cannot be null; leave it out if unknown"),
        ("education:\n  - {level: bachelor, field: null}\n", "p.yaml:2: education[0].field: cannot be null"),
        ("knowledge: {coding: null}\n", "p.yaml:1: knowledge.coding: cannot be null"),
        (
            "experience:\n  - {title: '  ', start: 2020-01}\n",
            "p.yaml:2: experience[0].title: cannot be blank",
        ),
        ("software:\n  - {name: ''}\n", "p.yaml:2: software[0].name: cannot be blank"),
        ("experience:\n  - {title: A, start: 1066-10}\n", "'1066-10' is not a plausible year"),
        (
            "experience:\n  - {title: A, start: 2020-01, direct_reports: 1000000000000}\n",
            "direct_reports: Input should be less than or equal to 10000",
        ),
        ('experience:\n  - {title: A, start: "2020-01\\n"}\n', "is not a month in the form YYYY-MM"),
    ],
)
def test_values_the_schema_or_common_sense_rejects(text, expected):
    assert expected in messages(text)[0]


def test_nulls_the_schema_allows_are_accepted_and_whole_floats_are_integers():
    profile = parse_profile(
        "education:\n  - {level: bachelor, year: null}\n"
        "experience:\n  - {title: A, start: 2020-01, end: null, direct_reports: 2.0}\n",
        "p.yaml",
    )
    assert profile.experience[0].direct_reports == 2 and profile.experience[0].end is None
