"""Training and evaluating the readiness model, from the reference panel or an organization's outcomes.

``python -m advisor train`` runs :func:`train_panel`: it reads the labeled
reference profiles in ``data/training/``, evaluates rules alone, model alone
and the blend on held-out folds (grouped by person, so both settings and both
raters of one profile are always on the same side), chooses the blend weight
on those folds, trains the final model on everything, and writes it with its
model card to ``data/model/``.

``python -m advisor train --outcomes FILE.csv`` runs :func:`train_outcomes`:
the same, from an organization's own decisions (hired / advanced / rejected),
into a directory of its own; the shipped model is never overwritten.

Every fit uses a fixed seed, so the same data gives the same predictions.
"""

from __future__ import annotations

import csv
import datetime as _dt
import hashlib
import io
import itertools
import json
import platform
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import sklearn
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.isotonic import IsotonicRegression
from sklearn.metrics import cohen_kappa_score
from sklearn.model_selection import GroupKFold

from advisor import __version__
from advisor.catalog import DATA_DIR, Catalog
from advisor.errors import DataFileError, InputError, OutcomesError, Problem
from advisor.facts import derive_facts
from advisor.model import (
    FORMAT_VERSION,
    MAX_ADJUSTMENT,
    SHIPPED_DIR,
    Model,
    ModelMeta,
    Stage,
    band_anchors,
    bound_adjustment,
    compile_stage,
    feature_matrix,
    feature_names,
    monotone_constraints,
    write_model,
)
from advisor.modelcard import outcomes_card, panel_card
from advisor.profile import Profile, current_month, load_profile, parse_month, parse_profile
from advisor.rules import BANDS, RuleSet, ruleset_for
from advisor.scoring import score_facts

PANEL_DIR = DATA_DIR / "training"
PANEL_AS_OF = "2026-11"
"""The month the panel's profiles were written for (their README says so)."""
PANEL_SETTINGS = ("small_practice", "large_group")
ROLE = "medical_office_manager"
SEED = 20261128
OUTER_FOLDS = 5
INNER_FOLDS = 3
WEIGHTS = tuple(round(w, 2) for w in np.arange(0.0, 1.0001, 0.05))
MIN_OUTCOME_ROWS = 30
MIN_CLASS_SHARE = 0.10
POSITIVE = {"hired": 1, "advanced": 1, "rejected": 0}
POSITIVE_BAND = BANDS.index("nearly")
"""For an outcomes model, a band this high or higher predicts "hired or advanced"."""


# --- the data -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Rows:
    """Training rows: one per person, setting and label; with what the rules say of each."""

    x: npt.NDArray[np.float64]
    label: npt.NDArray[np.int_]
    """Band index (0 early ... 3 ready), or 0/1 for an outcome."""
    group: npt.NDArray[np.int_]
    """One number per person: rows of one person are never split between train and test."""
    setting: npt.NDArray[np.str_]
    source: npt.NDArray[np.str_]
    """Which rater (or ``outcome``) gave the label."""
    rules_score: npt.NDArray[np.float64]
    rules_band: npt.NDArray[np.int_]
    cap: npt.NDArray[np.int8]


def _rules_columns(
    ruleset: RuleSet, facts: pd.DataFrame, settings: Sequence[str]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int_], npt.NDArray[np.int8]]:
    """Rules score, rules band and the highest band the unmet gates allow, per row (rules only)."""
    score = np.zeros(len(facts))
    band = np.zeros(len(facts), dtype=int)
    cap = np.zeros(len(facts), dtype=np.int8)
    frame = facts.reset_index(drop=True)
    for setting in sorted(set(settings)):
        mask = np.array([s == setting for s in settings])
        table = score_facts(ruleset, frame[mask], setting, model=None)
        score[mask] = table["rules_score"].to_numpy()
        band[mask] = table["band"].map(BANDS.index).to_numpy()
        cap[mask] = table["band_cap"].map(BANDS.index).to_numpy()
    return score, band, cap


def panel_data(catalog: Catalog, ruleset: RuleSet, directory: Path = PANEL_DIR) -> tuple[Rows, str]:
    """The reference panel as training rows (both raters' labels, both settings), and its hash."""
    profiles_path, labels_path = directory / "labeled_profiles.jsonl", directory / "labels.jsonl"
    digest = hashlib.sha256(profiles_path.read_bytes() + labels_path.read_bytes()).hexdigest()
    profiles = [
        parse_profile(line, f"{profiles_path}:{n}", "json")
        for n, line in enumerate(profiles_path.read_text().splitlines(), 1)
    ]
    labels = {}
    for line in labels_path.read_text().splitlines():
        record = json.loads(line)
        labels[record["id"]] = record
    facts = derive_facts(profiles, PANEL_AS_OF, catalog)
    names = feature_names(catalog)
    blocks: dict[str, list[Any]] = {k: [] for k in ("x", "label", "group", "setting", "source", "row")}
    for setting in PANEL_SETTINGS:
        for rater in ("rater1", "rater2"):
            blocks["x"].append(feature_matrix(facts, setting, names))
            blocks["label"] += [BANDS.index(labels[p.id][rater][setting]) for p in profiles]
            blocks["group"] += list(range(len(profiles)))
            blocks["setting"] += [setting] * len(profiles)
            blocks["source"] += [rater] * len(profiles)
            blocks["row"] += list(range(len(profiles)))
    repeated = facts.iloc[blocks["row"]]
    score, band, cap = _rules_columns(ruleset, repeated, blocks["setting"])
    rows = Rows(
        np.vstack(blocks["x"]),
        np.array(blocks["label"]),
        np.array(blocks["group"]),
        np.array(blocks["setting"]),
        np.array(blocks["source"]),
        score,
        band,
        cap,
    )
    return rows, digest


# --- fitting ------------------------------------------------------------------------------


def _classifier(constraints: list[int], seed: int) -> HistGradientBoostingClassifier:
    return HistGradientBoostingClassifier(
        max_iter=60,
        learning_rate=0.12,
        max_depth=3,
        min_samples_leaf=12,
        l2_regularization=1.0,
        monotonic_cst=constraints,
        early_stopping=False,
        random_state=seed,
    )


def fit_stages(
    x: npt.NDArray, label: npt.NDArray, group: npt.NDArray, stages: int, constraints: list[int], seed: int
) -> list[Stage]:
    """One calibrated monotone classifier per boundary (P(label >= k), k = 1 .. stages).

    The isotonic calibration is fitted on out-of-fold predictions (folds grouped by
    person), then the classifier is refitted on every row."""
    out = []
    folds = GroupKFold(n_splits=min(INNER_FOLDS, len(set(group.tolist()))))
    for k in range(1, stages + 1):
        target = (label >= k).astype(int)
        held_out = np.zeros(len(target))
        for train, test in folds.split(x, target, group):
            if len(set(target[train].tolist())) < 2:
                held_out[test] = target[train][0]
                continue
            held_out[test] = (
                _classifier(constraints, seed).fit(x[train], target[train]).predict_proba(x[test])[:, 1]
            )
        calibrator = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(held_out, target)
        out.append(compile_stage(_classifier(constraints, seed).fit(x, target), calibrator))
    return out


def _model(stages: Sequence[Stage], baseline: npt.NDArray[np.float64], weight: float) -> Model:
    """An in-memory model (for evaluation), shaped like a loaded one."""
    meta = ModelMeta(
        format=FORMAT_VERSION,
        role=ROLE,
        kind="panel",
        version="in-memory",
        features=[],
        weight=weight,
        stages=len(stages),
        trained="",
        data_sha256="",
        binary_sha256="",
        libraries={},
        seed=0,
        metrics={},
    )
    return Model(Path("."), meta, tuple(stages), baseline)


# --- metrics ------------------------------------------------------------------------------


def agreement(predicted: npt.NDArray, truth: npt.NDArray, classes: int = 4) -> dict[str, float]:
    """Exact, within one band, and quadratic weighted kappa."""
    labels = list(range(classes))
    kappa = cohen_kappa_score(truth, predicted, labels=labels, weights="quadratic")
    return {
        "exact": round(float((predicted == truth).mean()), 3),
        "within_one": round(float((np.abs(predicted - truth) <= 1).mean()), 3),
        "qwk": round(float(0.0 if np.isnan(kappa) else kappa), 3),
    }


def calibration_table(p: npt.NDArray, outcome: npt.NDArray, bins: int = 5) -> list[dict[str, Any]]:
    """Predicted probability in bins against how often the outcome happened."""
    edges = np.linspace(0, 1, bins + 1)
    out = []
    for low, high in itertools.pairwise(edges):
        mask = (p >= low) & ((p < high) if high < 1 else (p <= high))
        out.append(
            {
                "bin": f"{low:.1f}-{high:.1f}",
                "n": int(mask.sum()),
                "predicted": round(float(p[mask].mean()), 3) if mask.any() else None,
                "observed": round(float(outcome[mask].mean()), 3) if mask.any() else None,
            }
        )
    return out


def _bands_from(scores: npt.NDArray, thresholds: Sequence[Any], cap: npt.NDArray | None) -> npt.NDArray:
    t = np.array([[th.developing, th.nearly, th.ready] for th in thresholds])
    band = (scores[:, None] >= t).sum(axis=1)
    return band if cap is None else np.minimum(band, cap)


@dataclass(frozen=True)
class _Held:
    """Out-of-fold model output for every row."""

    score: npt.NDArray[np.float64]
    p_top: npt.NDArray[np.float64]


def _held_out(rows: Rows, stages: int, constraints: list[int], seed: int, thresholds: Sequence[Any]) -> _Held:
    score = np.zeros(len(rows.label))
    p_top = np.zeros(len(rows.label))
    folds = GroupKFold(n_splits=min(OUTER_FOLDS, len(set(rows.group.tolist()))))
    for train, test in folds.split(rows.x, rows.label, rows.group):
        fitted = fit_stages(rows.x[train], rows.label[train], rows.group[train], stages, constraints, seed)
        model = _model(fitted, np.nanmedian(rows.x[train], axis=0), 1.0)
        expected = model.expected_band(rows.x[test])
        anchors = np.array([band_anchors(thresholds[i]) for i in test])
        score[test] = [np.interp(e, [0, 1, 2, 3], a) for e, a in zip(expected, anchors, strict=True)]
        p_top[test] = model.probabilities(rows.x[test])[:, -1]
    return _Held(score, p_top)


def _blend(rows: Rows, held: _Held, weight: float, thresholds: Sequence[Any]) -> npt.NDArray:
    """The blend's band for every row, given the held-out model scores."""
    bands = np.zeros(len(rows.label), dtype=int)
    for setting in sorted(set(rows.setting.tolist())):
        mask = rows.setting == setting
        t = thresholds[int(np.argmax(mask))]
        adjusted = bound_adjustment(
            weight * (held.score[mask] - rows.rules_score[mask]), rows.rules_score[mask], rows.cap[mask], t
        )
        final = np.clip(np.round(rows.rules_score[mask] + np.round(adjusted, 1), 1), 0, 100)
        bands[mask] = _bands_from(final, [t] * int(mask.sum()), rows.cap[mask])
    return bands


def _report(
    rows: Rows, predictions: dict[str, npt.NDArray], p_top: dict[str, npt.NDArray], classes: int, top: int
) -> dict[str, Any]:
    """Metrics per setting and way of scoring, averaged over the label sources (raters)."""
    out: dict[str, Any] = {}
    for setting in sorted(set(rows.setting.tolist())):
        per: dict[str, Any] = {}
        for way, predicted in predictions.items():
            scores = []
            for source in sorted(set(rows.source.tolist())):
                mask = (rows.setting == setting) & (rows.source == source)
                truth = rows.label[mask]
                result = agreement(predicted[mask], truth, classes)
                result["brier"] = round(float(np.mean((p_top[way][mask] - (truth >= top)) ** 2)), 3)
                scores.append(result)
            per[way] = {k: round(float(np.mean([s[k] for s in scores])), 3) for k in scores[0]}
        out[setting] = per
    return out


def _choose_weight(
    rows: Rows, held: _Held, thresholds: Sequence[Any], classes: int
) -> tuple[float, dict[float, float]]:
    """The blend weight with the best mean kappa over the held-out folds (ties: the smaller)."""
    curve = {}
    for weight in WEIGHTS:
        bands = _blend(rows, held, weight, thresholds)
        kappas = [
            agreement(bands[m], rows.label[m], classes)["qwk"]
            for setting in sorted(set(rows.setting.tolist()))
            for source in sorted(set(rows.source.tolist()))
            if (m := (rows.setting == setting) & (rows.source == source)).any()
        ]
        curve[weight] = round(float(np.mean(kappas)), 4)
    best = max(curve.items(), key=lambda item: (item[1], -item[0]))[0]
    return best, curve


# --- training -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TrainingReport:
    """What training found and where it wrote the model."""

    directory: Path
    meta: ModelMeta
    rater_agreement: dict[str, dict[str, float]] | None

    def text(self) -> str:
        """The figures as the train command prints them."""
        m = self.meta.metrics
        lines = [f"model {self.meta.version} written to {self.directory}", ""]
        lines.append(
            f"Held-out figures ({m['folds']} folds grouped by person; blend weight {self.meta.weight:g} "
            "chosen on the same folds):"
        )
        lines.append(f"  {'setting':<16}{'scoring':<10}{'exact':>7}{'within 1':>10}{'kappa':>8}{'brier':>8}")
        for setting, ways in m["held_out"].items():
            for way, r in ways.items():
                lines.append(
                    f"  {setting:<16}{way:<10}{r['exact']:>7.3f}{r['within_one']:>10.3f}"
                    f"{r['qwk']:>8.3f}{r['brier']:>8.3f}"
                )
        if self.rater_agreement:
            lines.append("  between the two raters (the ceiling):")
            for setting, r in self.rater_agreement.items():
                lines.append(
                    f"  {setting:<16}{'raters':<10}{r['exact']:>7.3f}{r['within_one']:>10.3f}{r['qwk']:>8.3f}"
                )
        lines.append("")
        lines.append("Calibration of the model's P(top band), held out:")
        for b in m["calibration"]:
            if b["n"]:
                lines.append(
                    f"  {b['bin']}: n={b['n']:<4} predicted {b['predicted']:.2f}"
                    f"  observed {b['observed']:.2f}"
                )
        lines.append(f"\nTrained in {m['seconds']:.1f} s; model file {m['size_kb']:.0f} KB.")
        return "\n".join(lines) + "\n"


def _libraries() -> dict[str, str]:
    return {
        "python": platform.python_version(),
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
        "advisor": __version__,
    }


def _fit_and_write(
    rows: Rows,
    stages: int,
    kind: str,
    digest: str,
    directory: Path,
    catalog: Catalog,
    ruleset: RuleSet,
    seed: int,
    card: Callable[[ModelMeta, dict[str, Any] | None], str],
    rater_agreement: dict[str, dict[str, float]] | None,
) -> TrainingReport:
    started = _dt.datetime.now()
    constraints = monotone_constraints(catalog)
    thresholds = [ruleset.spec.bands.thresholds[s] for s in rows.setting]
    classes = stages + 1
    held = _held_out(rows, stages, constraints, seed, thresholds)
    weight, curve = _choose_weight(rows, held, thresholds, classes)
    bands = {
        "rules": rows.rules_band,
        "model": _bands_from(held.score, thresholds, None),
        "blend": _blend(rows, held, weight, thresholds),
    }
    if stages == 1:  # an outcome: "nearly" or "ready" is the prediction that the person got through
        predictions = {way: (b >= POSITIVE_BAND).astype(int) for way, b in bands.items()}
    else:
        predictions = bands
    top = classes - 1
    p_top = {way: (p >= top).astype(float) for way, p in predictions.items()}
    p_top["model"] = held.p_top
    held_out = _report(rows, predictions, p_top, classes, top)
    final = fit_stages(rows.x, rows.label, rows.group, stages, constraints, seed)
    baseline = np.nanmedian(rows.x, axis=0)
    baseline = np.where(np.isnan(baseline), 0.0, baseline)
    with tempfile.TemporaryDirectory(dir=directory.parent if directory.parent.exists() else None) as tmp:
        staging = Path(tmp) / "model"
        meta = write_model(
            staging,
            final,
            baseline,
            {
                "format": FORMAT_VERSION,
                "role": ruleset.spec.role,
                "kind": kind,
                "version": f"{kind}-{_dt.date.today().isoformat()}-{digest[:8]}",
                "features": list(feature_names(catalog)),
                "weight": weight,
                "stages": stages,
                "trained": _dt.date.today().isoformat(),
                "data_sha256": digest,
                "libraries": _libraries(),
                "seed": seed,
                "metrics": {
                    "folds": OUTER_FOLDS,
                    "held_out": held_out,
                    "weight_curve": {f"{w:g}": q for w, q in curve.items()},
                    "calibration": calibration_table(held.p_top, (rows.label >= top).astype(float)),
                    "rows": len(rows.label),
                    "people": len(set(rows.group.tolist())),
                    "seconds": round((_dt.datetime.now() - started).total_seconds(), 1),
                    "size_kb": 0.0,
                    "max_adjustment": MAX_ADJUSTMENT,
                },
            },
        )
        size = (staging / "model.npz").stat().st_size / 1024
        metrics = {**meta.metrics, "size_kb": round(size, 1)}
        meta = meta.model_copy(update={"metrics": metrics})
        (staging / "model.json").write_text(json.dumps(meta.model_dump(), indent=2) + "\n")
        (staging / "MODEL_CARD.md").write_text(card(meta, rater_agreement))
        _replace_directory(staging, directory)
    return TrainingReport(directory, meta, rater_agreement)


def _replace_directory(staging: Path, directory: Path) -> None:
    """Put the new model in place only once it is complete."""
    if directory.exists():
        old = directory.with_name(directory.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        directory.rename(old)
        shutil.move(str(staging), str(directory))
        shutil.rmtree(old, ignore_errors=True)
    else:
        directory.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(staging), str(directory))


def _rater_agreement(rows: Rows) -> dict[str, dict[str, float]]:
    out = {}
    for setting in PANEL_SETTINGS:
        first = rows.label[(rows.setting == setting) & (rows.source == "rater1")]
        second = rows.label[(rows.setting == setting) & (rows.source == "rater2")]
        out[setting] = agreement(first, second)
    return out


def train_panel(directory: Path = SHIPPED_DIR, seed: int = SEED) -> TrainingReport:
    """Train the shipped model from the reference panel, evaluate it, and write it with its card."""
    ruleset = ruleset_for(ROLE)
    rows, digest = panel_data(ruleset.catalog, ruleset)
    return _fit_and_write(
        rows,
        3,
        "panel",
        digest,
        directory,
        ruleset.catalog,
        ruleset,
        seed,
        panel_card,
        _rater_agreement(rows),
    )


# --- an organization's outcomes -----------------------------------------------------------


def outcomes_data(path: Path, catalog: Catalog, ruleset: RuleSet) -> tuple[Rows, str]:
    """Read and validate an outcomes CSV; every problem is reported at once with its row."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise OutcomesError([Problem(str(path), None, "", f"cannot be read: {exc.strerror}")]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise OutcomesError([Problem(str(path), None, "", "is not UTF-8 text")]) from None
    reader = csv.DictReader(io.StringIO(text))
    columns = reader.fieldnames or []
    missing = [c for c in ("profile", "outcome") if c not in columns]
    if missing:
        raise OutcomesError(
            [
                Problem(
                    str(path),
                    1,
                    "columns",
                    f"missing {', '.join(missing)} (found: {', '.join(columns) or 'none'})",
                )
            ]
        )
    problems: list[Problem] = []
    profiles: list[Profile] = []
    outcomes, settings, months = [], [], []
    for line, record in enumerate(reader, 2):
        outcome = (record.get("outcome") or "").strip().lower()
        if outcome not in POSITIVE:
            problems.append(
                Problem(str(path), line, "outcome", f"expected hired, advanced or rejected, got {outcome!r}")
            )
        setting = (record.get("setting") or "small_practice").strip()
        if setting not in ruleset.settings:
            problems.append(
                Problem(str(path), line, "setting", f"expected one of {', '.join(ruleset.settings)}")
            )
        try:
            month = parse_month((record.get("as_of") or current_month()).strip(), "as_of")
        except InputError as exc:
            problems.append(Problem(str(path), line, "as_of", str(exc)))
            month = current_month()
        profile = _outcome_profile(path, line, (record.get("profile") or "").strip(), problems)
        if profile is not None:
            profiles.append(profile)
            outcomes.append(POSITIVE.get(outcome, 0))
            settings.append(setting)
            months.append(month)
    if problems:
        raise OutcomesError(problems)
    _check_balance(path, outcomes)
    facts = derive_facts(profiles, months, catalog)
    score, band, cap = _rules_columns(ruleset, facts, settings)
    rows = Rows(
        feature_matrix(facts, settings, feature_names(catalog)),
        np.array(outcomes),
        np.arange(len(outcomes)),
        np.array(settings),
        np.array(["outcome"] * len(outcomes)),
        score,
        band,
        cap,
    )
    return rows, hashlib.sha256(raw).hexdigest()


def _outcome_profile(path: Path, line: int, cell: str, problems: list[Problem]) -> Profile | None:
    """A profile given inline (JSON) or as a file path relative to the CSV."""
    if not cell:
        problems.append(Problem(str(path), line, "profile", "empty: give a profile as JSON, or a file path"))
        return None
    try:
        if cell.startswith("{"):
            return parse_profile(cell, f"{path}:{line}", "json")
        return load_profile(path.parent / cell)
    except DataFileError as exc:
        problems += [Problem(str(path), line, "profile", str(p)) for p in exc.problems]
        return None


def _check_balance(path: Path, outcomes: Sequence[int]) -> None:
    n = len(outcomes)
    if n < MIN_OUTCOME_ROWS:
        raise OutcomesError(
            [Problem(str(path), None, "rows", f"{n} rows; at least {MIN_OUTCOME_ROWS} are needed")]
        )
    positive = sum(outcomes)
    for count, what in ((positive, "hired or advanced"), (n - positive, "rejected")):
        if count == 0:
            raise OutcomesError(
                [
                    Problem(
                        str(path), None, "outcome", f"no row is {what}: a model needs both kinds of outcome"
                    )
                ]
            )
        if count < MIN_CLASS_SHARE * n:
            raise OutcomesError(
                [
                    Problem(
                        str(path),
                        None,
                        "outcome",
                        f"only {count} of {n} rows are {what}; each kind needs at least "
                        f"{MIN_CLASS_SHARE:.0%} of the rows",
                    )
                ]
            )


def train_outcomes(csv_path: Path, directory: Path, seed: int = SEED) -> TrainingReport:
    """Train a local model from an organization's outcomes into ``directory`` (never the shipped one)."""
    if directory.resolve() == SHIPPED_DIR.resolve() or SHIPPED_DIR.resolve() in directory.resolve().parents:
        raise InputError(
            f"--out {directory}: the shipped model's folder is never overwritten; choose another"
        )
    ruleset = ruleset_for(ROLE)
    rows, digest = outcomes_data(csv_path, ruleset.catalog, ruleset)
    return _fit_and_write(
        rows, 1, "outcomes", digest, directory, ruleset.catalog, ruleset, seed, outcomes_card, None
    )
