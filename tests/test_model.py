"""The readiness model: reproducible, monotone, bounded, explained, refused when it does not fit.

Training runs here on the shipped panel (a few seconds) into temporary folders;
the shipped model in data/model/ is only ever read.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.isotonic import IsotonicRegression

from advisor.cli import main
from advisor.errors import ModelError, OutcomesError
from advisor.facts import derive_facts
from advisor.model import (
    MAX_ADJUSTMENT,
    SHIPPED_DIR,
    compile_stage,
    feature_matrix,
    feature_names,
    load_model,
)
from advisor.profile import Profile
from advisor.rules import BANDS
from advisor.scoring import assess, score_facts
from advisor.training import panel_data, train_outcomes, train_panel
from tests.conftest import AS_OF, example
from tests.strategies import profiles

SETTINGS = ["small_practice", "large_group", "hospital"]


@pytest.fixture(scope="module")
def shipped(catalog):
    return load_model(SHIPPED_DIR, catalog)


@pytest.fixture(scope="module")
def retrained(tmp_path_factory):
    """The panel model trained again, here, with the shipped seed."""
    return train_panel(tmp_path_factory.mktemp("retrained") / "model")


# --- training -----------------------------------------------------------------------------


def test_training_again_gives_the_same_model(retrained, shipped, catalog, mom):
    again = load_model(retrained.directory, catalog)
    rows, _ = panel_data(catalog, mom)
    assert np.array_equal(again.probabilities(rows.x), shipped.probabilities(rows.x))
    assert again.meta.weight == shipped.meta.weight
    assert again.meta.metrics["held_out"] == shipped.meta.metrics["held_out"]
    assert again.meta.data_sha256 == shipped.meta.data_sha256


def test_the_blend_agrees_with_the_raters_at_least_as_well_as_the_rules(shipped):
    for setting, ways in shipped.meta.metrics["held_out"].items():
        assert ways["blend"]["qwk"] >= ways["rules"]["qwk"], setting
        assert ways["blend"]["exact"] >= ways["rules"]["exact"] - 0.01, setting


def test_the_shipped_model_is_small_and_carries_its_card(shipped):
    assert (SHIPPED_DIR / "model.npz").stat().st_size < 5 * 1024 * 1024
    card = (SHIPPED_DIR / "MODEL_CARD.md").read_text()
    for needed in (shipped.meta.data_sha256, "Known limits", "self-rated", "not hiring outcomes", "kappa"):
        assert needed in card
    assert shipped.meta.libraries["scikit-learn"] and shipped.meta.features[-1] == "setting_large"


def test_the_array_evaluator_matches_scikit_learn(catalog, mom):
    rows, _ = panel_data(catalog, mom)
    x = rows.x.copy()
    x[::5, 3] = np.nan  # missing values take the branch the trees learned
    target = (rows.label >= 2).astype(int)
    clf = HistGradientBoostingClassifier(max_iter=30, max_depth=3, random_state=0).fit(x, target)
    iso = IsotonicRegression(out_of_bounds="clip").fit(clf.predict_proba(x)[:, 1], target)
    stage = compile_stage(clf, iso)
    assert np.allclose(stage.raw(x), clf.decision_function(x), atol=1e-9)
    assert np.allclose(stage.probability(x), iso.predict(clf.predict_proba(x)[:, 1]), atol=1e-9)


# --- what the model may do ----------------------------------------------------------------


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=profiles(), setting=st.sampled_from(SETTINGS), feature=st.integers(0, 200), more=st.floats(0.1, 10)
)
def test_the_model_never_decreases_when_a_fact_increases(shipped, catalog, data, setting, feature, more):
    facts = derive_facts([Profile.model_validate(data)], AS_OF, catalog)
    x = feature_matrix(facts, setting, shipped.meta.features)
    i = feature % (len(shipped.meta.features) - 1)  # any fact (the setting flag is not one)
    bumped = x.copy()
    bumped[0, i] += more
    assert shipped.expected_band(bumped)[0] >= shipped.expected_band(x)[0] - 1e-12
    p = shipped.probabilities(x)[0]
    assert np.all(np.diff(p) <= 1e-12) and np.all((p >= 0) & (p <= 1))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=profiles(), setting=st.sampled_from(SETTINGS))
def test_the_adjustment_is_bounded_and_never_lifts_past_a_gate(mom, catalog, data, setting):
    facts = derive_facts([Profile.model_validate(data)], AS_OF, catalog)
    row = score_facts(mom, facts, setting).iloc[0]
    assert abs(row["model_adjustment"]) <= MAX_ADJUSTMENT + 1e-9
    assert row["score"] == pytest.approx(
        min(100, max(0, row["rules_score"] + row["model_adjustment"])), abs=0.05
    )
    cap = BANDS.index(row["band_cap"])
    if cap < 3 and row["model_adjustment"] > 0:
        t = mom.spec.bands.thresholds[setting]
        assert row["score"] < [t.developing, t.nearly, t.ready][cap]
    assert BANDS.index(row["band"]) <= cap


def test_the_assessment_shows_rules_model_and_reasons_apart():
    a = assess(example("receptionist_new"), as_of=AS_OF)
    assert a.score == pytest.approx(a.rules_score + a.model_adjustment, abs=0.05)
    assert a.model_score is not None and a.model_version
    assert 1 <= len(a.model_reasons) <= 3
    assert all("the model's view by" in r and "typical profile" in r for r in a.model_reasons)
    rules_only = assess(example("receptionist_new"), as_of=AS_OF, model=None)
    assert rules_only.score == a.rules_score and rules_only.model_reasons == []


def test_a_name_or_languages_never_move_the_model(shipped, catalog):
    base = example("front_desk_lead")
    other = base.model_copy(update={"name": "Someone Else", "languages": ["Spanish", "Tagalog"]})
    x = [
        feature_matrix(derive_facts([p], AS_OF, catalog), "small_practice", shipped.meta.features)
        for p in (base, other)
    ]
    assert np.array_equal(x[0], x[1])
    assert not {"name", "languages", "id", "age", "gender"} & set(feature_names(catalog))


# --- a model that does not fit is refused -------------------------------------------------


@pytest.fixture
def copy_of_model(tmp_path):
    target = tmp_path / "model"
    shutil.copytree(SHIPPED_DIR, target)
    return target


def _edit_meta(directory: Path, **changes) -> None:
    meta = json.loads((directory / "model.json").read_text())
    meta.update(changes)
    (directory / "model.json").write_text(json.dumps(meta))


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (
            lambda d: (d / "model.npz").write_bytes(b"PK" + (d / "model.npz").read_bytes()[2:-9]),
            "does not match the hash",
        ),
        (lambda d: _edit_meta(d, format=99), "format 99; this engine reads format 1"),
        (lambda d: _edit_meta(d, features=["years_healthcare", "setting_large"]), "features do not match"),
        (lambda d: (d / "model.json").write_text("{not json"), "model.json"),
        (lambda d: (d / "model.npz").unlink(), "model.npz: not found"),
    ],
    ids=["corrupted", "format", "features", "bad-json", "missing"],
)
def test_a_damaged_or_mismatched_model_is_refused_clearly(copy_of_model, catalog, damage, expected):
    damage(copy_of_model)
    with pytest.raises(ModelError) as caught:
        load_model(copy_of_model, catalog)
    assert expected in str(caught.value)


def test_the_cli_refuses_a_damaged_model_in_one_line(copy_of_model, capsys, monkeypatch):
    monkeypatch.setenv("ADVISOR_MODEL", "")
    _edit_meta(copy_of_model, format=2)
    code = main(["assess", "examples/front_desk_lead.yaml", "--as-of", AS_OF, "--model", str(copy_of_model)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "format 2" in err[0]


# --- an organization's own outcomes -------------------------------------------------------


def _outcomes_csv(path: Path, rows: int, outcome=None, drop: str | None = None) -> Path:
    panel = (Path(__file__).resolve().parent.parent / "data/training/labeled_profiles.jsonl").read_text()
    columns = [c for c in ("id", "profile", "setting", "outcome") if c != drop]
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        for i, line in enumerate(panel.splitlines()[:rows]):
            record = {"id": str(i), "profile": line, "setting": "small_practice"}
            record["outcome"] = (
                outcome(i, json.loads(line)) if outcome else ("hired" if i % 3 == 0 else "rejected")
            )
            writer.writerow({k: v for k, v in record.items() if k in columns})
    return path


def _seniority(i: int, profile: dict) -> str:
    supervised = any(job.get("supervisory") for job in profile.get("experience", []))
    return "hired" if supervised else ("advanced" if i % 5 == 0 else "rejected")


def test_an_outcomes_file_trains_a_local_model_the_engine_can_use(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ADVISOR_MODEL", "")  # restored after the test; --model below changes it
    data = _outcomes_csv(tmp_path / "outcomes.csv", 60, _seniority)
    report = train_outcomes(data, tmp_path / "local")
    assert report.meta.kind == "outcomes" and report.meta.stages == 1
    assert set(report.meta.metrics["held_out"]["small_practice"]) == {"rules", "model", "blend"}
    assert (tmp_path / "local" / "MODEL_CARD.md").read_text().startswith("# Model card: local outcomes model")
    code = main(
        [
            "assess",
            "examples/front_desk_lead.yaml",
            "--as-of",
            AS_OF,
            "--json",
            "--model",
            str(tmp_path / "local"),
        ]
    )
    assert code == 0 and json.loads(capsys.readouterr().out)["model_version"] == report.meta.version


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda p: _outcomes_csv(p, 40, drop="outcome"), "columns: missing outcome"),
        (lambda p: _outcomes_csv(p, 40, lambda i, _: "hired"), "no row is rejected"),
        (lambda p: _outcomes_csv(p, 20), "20 rows; at least 30 are needed"),
        (
            lambda p: _outcomes_csv(p, 40, lambda i, _: "hired" if i else "rejected"),
            "only 1 of 40 rows are rejected",
        ),
        (
            lambda p: _outcomes_csv(p, 40, lambda i, _: "maybe" if i == 3 else "hired"),
            ":5: outcome: expected hired",
        ),
    ],
    ids=["no-outcome-column", "one-class", "too-few-rows", "imbalanced", "bad-value"],
)
def test_a_bad_outcomes_file_is_refused_with_the_problem_named(tmp_path, make, expected):
    path = make(tmp_path / "outcomes.csv")
    with pytest.raises(OutcomesError) as caught:
        train_outcomes(path, tmp_path / "local")
    assert expected in str(caught.value)
    assert not (tmp_path / "local").exists()


def test_the_shipped_model_is_never_the_outcomes_target(tmp_path, capsys):
    data = _outcomes_csv(tmp_path / "outcomes.csv", 40, _seniority)
    before = (SHIPPED_DIR / "model.json").read_bytes()
    code = main(["train", "--outcomes", str(data), "--out", str(SHIPPED_DIR)])
    assert code == 2 and "never overwritten" in capsys.readouterr().err
    assert (SHIPPED_DIR / "model.json").read_bytes() == before
