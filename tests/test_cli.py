"""The command line, as a counselor would use it."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from advisor.cli import main
from advisor.rules import RULES_DIR
from advisor.scoring import assess
from tests.conftest import EXAMPLES, ROOT, example


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "advisor", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )


def test_assess_prints_a_readable_assessment():
    done = run(
        "assess",
        str(EXAMPLES / "billing_supervisor.yaml"),
        "--role",
        "medical_office_manager",
        "--setting",
        "small_practice",
        "--as-of",
        "2026-11",
    )
    assert done.returncode == 0, done.stderr
    text = done.stdout
    assert re.search(r"Score \d+\.\d / 100   band: READY", text)
    assert "Hard requirements (gates)" in text and "[met]" in text
    assert "Leadership and supervision" in text
    assert "5.2 years supervising staff in healthcare" in text
    assert (
        "Sources" in text
        and "https://www.bls.gov/OOH/management/medical-and-health-services-managers.htm" in text
    )


def test_assess_json_is_the_assessment_object(capsys):
    code = main(
        [
            "assess",
            str(EXAMPLES / "front_desk_lead.yaml"),
            "--setting",
            "large_group",
            "--as-of",
            "2026-11",
            "--json",
        ]
    )
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["setting"] == "large_group" and data["band"] == "developing"
    assert data["as_of"] == "2026-11" and data["dimensions"][0]["items"]


def test_as_of_makes_results_reproducible(capsys):
    args = ["assess", str(EXAMPLES / "front_desk_lead.yaml"), "--json"]
    main([*args, "--as-of", "2025-06"])
    earlier = json.loads(capsys.readouterr().out)
    main([*args, "--as-of", "2026-11"])
    later = json.loads(capsys.readouterr().out)
    assert earlier["facts"]["years_supervisory_healthcare"] < later["facts"]["years_supervisory_healthcare"]
    main([*args, "--as-of", "2026-11"])
    assert json.loads(capsys.readouterr().out) == later


def test_the_setting_changes_the_result(capsys):
    scores = {}
    for setting in ("small_practice", "large_group", "hospital"):
        main(
            [
                "assess",
                str(EXAMPLES / "small_practice_manager_no_degree.yaml"),
                "--setting",
                setting,
                "--as-of",
                "2026-11",
                "--json",
            ]
        )
        scores[setting] = json.loads(capsys.readouterr().out)["score"]
    assert scores["small_practice"] > scores["large_group"] > scores["hospital"]


@pytest.mark.parametrize(
    ("content", "suffix", "expected"),
    [
        ("education: [\n", ".yaml", "client.yaml:2: YAML syntax"),
        ('{"education": [}', ".json", "client.json:1: JSON syntax"),
        ("education:\n  - level: phd\n", ".yaml", "client.yaml:2: education[0].level: 'phd' is not one of"),
        (
            "experience:\n  - {title: A, start: 2021-05, end: 2020-01}\n",
            ".yaml",
            "client.yaml:2: experience[0].end: 2020-01 is before the start 2021-05",
        ),
        (
            "experience:\n  - {title: A, start: 2031-05}\n",
            ".yaml",
            "client.yaml:2: experience[0].start: 2031-05 is after the assessment date 2026-11",
        ),
        (
            "experience:\n  - {title: A, start: 2021-05, direct_reports: -3}\n",
            ".yaml",
            "client.yaml:2: experience[0].direct_reports: Input should be greater than or equal to 0",
        ),
    ],
)
def test_bad_profiles_get_one_line_per_problem_and_a_nonzero_exit(tmp_path: Path, content, suffix, expected):
    path = tmp_path / f"client{suffix}"
    path.write_text(content)
    done = run("assess", str(path), "--as-of", "2026-11")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines[0].endswith(expected) or expected in lines[0]
    assert done.stdout == ""


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["assess", "missing.yaml"], "missing.yaml: file not found"),
        (["assess", "examples/front_desk_lead.yaml", "--setting", "clinic"], "invalid choice: 'clinic'"),
        (
            ["assess", "examples/front_desk_lead.yaml", "--as-of", "2026-13"],
            "--as-of: '2026-13' has no month 13",
        ),
        (["assess", "examples/front_desk_lead.yaml", "--role", "astronaut"], "unknown role 'astronaut'"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        (["plan", "examples/front_desk_lead.yaml", "--hours-per-week", "0"], "expected 1 to 80, got 0"),
        (["plan", "examples/front_desk_lead.yaml", "--hours-per-week", "ten"], "expected a whole number"),
        (["plan", "examples/front_desk_lead.yaml", "--budget", "-5"], "expected 0 to 500000, got -5"),
        (["plan", "examples/front_desk_lead.yaml", "--optimize", "fun"], "invalid choice: 'fun'"),
        (["plan", "examples/front_desk_lead.yaml", "--role", "astronaut"], "unknown role 'astronaut'"),
        (["plan", "missing.yaml"], "missing.yaml: file not found"),
    ],
)
def test_bad_arguments_get_a_one_line_error(args, expected):
    done = run(*args)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1
    assert expected in done.stderr and "Traceback" not in done.stderr


def test_rules_check_passes_on_the_shipped_rules():
    done = run("rules", "check")
    assert done.returncode == 0, done.stderr
    assert "medical_office_manager.yaml: ok" in done.stdout


def test_rules_check_prints_every_problem_with_file_line_and_rule_id(tmp_path: Path):
    text = (RULES_DIR / "medical_office_manager.yaml").read_text()
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        text.replace('"years_medical_office >= 6"', '"years_medical_ofice >= 6"').replace(
            '"knowledge_billing >= expert"', '"knowledge_billing >= = expert"'
        )
    )
    good = tmp_path / "good.yaml"
    good.write_text(text)
    done = run("rules", "check", str(tmp_path))
    assert done.returncode == 1
    problems = done.stderr.strip().splitlines()
    assert len(problems) == 2
    assert all(p.startswith(f"{bad}:") for p in problems)
    assert "(medical_office_years)" in problems[0] and "did you mean 'years_medical_office'" in problems[0]
    assert "(billing_knowledge)" in problems[1] and "syntax error" in problems[1]
    assert "good.yaml: ok" in done.stdout


def test_rules_check_reports_yaml_syntax_errors(tmp_path: Path):
    bad = tmp_path / "broken.yaml"
    bad.write_text("schema_version: 1\nrules: [\n")
    done = run("rules", "check", str(bad))
    assert done.returncode == 1 and "broken.yaml:3: YAML syntax" in done.stderr


def test_facts_lists_the_vocabulary_and_a_profiles_facts(capsys):
    assert main(["facts"]) == 0
    assert "years_supervisory_healthcare" in capsys.readouterr().out
    assert main(["facts", str(EXAMPLES / "billing_supervisor.yaml"), "--as-of", "2026-11"]) == 0
    out = capsys.readouterr().out
    assert "years_supervisory_healthcare" in out and "5.2 years" in out


def test_as_of_in_the_future_is_refused():
    done = run("assess", "examples/receptionist_new.yaml", "--as-of", "2099-12")
    assert done.returncode == 2 and "is in the future" in done.stderr
    done = run("assess", "examples/receptionist_new.yaml", "--as-of", "9999-12")
    assert done.returncode == 2 and "not a plausible year" in done.stderr


def test_output_into_a_closed_pipe_ends_quietly():
    class ClosedPipe(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

    assert main(["facts"], out=ClosedPipe()) == 1


def test_rules_check_on_a_missing_path_is_an_input_error():
    done = run("rules", "check", "no/such/rules.yaml")
    assert done.returncode == 2 and "no such file or directory" in done.stderr


def test_role_and_rules_file_must_agree(tmp_path: Path):
    other = tmp_path / "other.yaml"
    other.write_text(
        (RULES_DIR / "medical_office_manager.yaml")
        .read_text()
        .replace("role: medical_office_manager", "role: billing_supervisor")
    )
    done = run(
        "assess", "examples/receptionist_new.yaml", "--rules", str(other), "--role", "medical_office_manager"
    )
    assert done.returncode == 2 and "does not match" in done.stderr


def test_deeply_nested_or_huge_input_is_a_message_not_a_traceback(tmp_path: Path):
    deep = tmp_path / "deep.yaml"
    deep.write_text("education: " + "[" * 500 + "]" * 500 + "\n")
    big = tmp_path / "big.yaml"
    big.write_text("experience:\n  - {title: A, start: 2020-01, direct_reports: " + "9" * 400 + "}\n")
    for path in (deep, big):
        done = run("assess", str(path), "--as-of", "2026-11")
        assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr


def test_plan_prints_a_roadmap_recommendations_eligibility_and_the_ladder():
    done = run("plan", "examples/front_desk_lead.yaml", "--as-of", "2026-11", "--hours-per-week", "8")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Roadmap (quickest to READY; 8 study hours a week; budget $2,000)" in out
    assert "'Ready' by 2027-05, 6 months from now." in out
    assert "CMPE     from 2027-08, when you reach: 4 years supervising staff in healthcare" in out
    assert "*Medical office manager" in out
    assert re.search(r"\+\d+\.\d  nearly -> READY", out)


def test_plan_json_is_the_assessment_with_plan_fields_filled(capsys):
    code = main(["plan", str(EXAMPLES / "front_desk_lead.yaml"), "--as-of", "2026-11", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    expected = assess(example("front_desk_lead"), setting="small_practice", as_of="2026-11")
    assert data["role"] == "medical_office_manager" and data["score"] == expected.score
    assert data["recommendations"][0]["lift"] > 0
    assert data["plan"]["roadmap"]["ready_month"] is not None
    assert {e["code"] for e in data["plan"]["eligibility"]} >= {"CMOM", "CMPE", "CHAM"}
    assert any(r["target"] for r in data["adjacent_roles"])


def test_plan_optimize_cost_gives_the_cheapest_roadmap(capsys):
    args = ["plan", str(EXAMPLES / "front_desk_lead.yaml"), "--as-of", "2026-11", "--json"]
    main([*args, "--optimize", "cost"])
    cheapest = json.loads(capsys.readouterr().out)["plan"]["roadmap"]
    main(args)
    quickest = json.loads(capsys.readouterr().out)["plan"]["roadmap"]
    assert cheapest["optimize"] == "cost" and cheapest["reached"]
    assert cheapest["total_cost_typical"] <= quickest["total_cost_typical"]
    assert cheapest["months_to_target"] >= quickest["months_to_target"]
