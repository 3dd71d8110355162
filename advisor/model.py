"""The learned half of the engine: a monotone, calibrated readiness model and its bounded blend.

The rules say what the published requirements are; the model learns how
experienced raters weigh them together (years of supervision against a
degree, the practice-size nuance). It sees only the derived facts the rules
see, plus whether the setting is a large organization; never a name, an id,
a language or anything else a person is.

Shape of the model (trained by :mod:`advisor.training`):

* one gradient-boosted classifier per band boundary, giving P(band >= k) for
  k = developing, nearly, ready (an ordinal model: the expected band is their
  sum), each constrained to be non-decreasing in every "more is better" fact
  and calibrated by isotonic regression on out-of-fold predictions;
* the expected band is placed on the 0-100 scale at the middle of each band of
  the setting, and the blend moves the rules score toward it by a weight
  chosen on held-out folds, by at most :data:`MAX_ADJUSTMENT` points and never
  past the ceiling of a band an unmet gate caps.

Saved as plain arrays: ``model.npz`` holds every tree's nodes and each
calibration curve (loaded with ``allow_pickle=False``, so loading can never run
code), next to ``model.json`` (what the model is, what it was trained on, its
metrics). The trees are evaluated here, all at once with numpy, exactly as
scikit-learn evaluates them (a test checks that on the training data), which
keeps a full assessment within a few milliseconds. Loading refuses a file whose
hash, format or feature list does not match, with a message that says so.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

import numpy as np
import numpy.typing as npt
import pandas as pd
from pydantic import BaseModel, ConfigDict, ValidationError

from advisor.catalog import DATA_DIR, Catalog
from advisor.errors import ModelError, Problem
from advisor.rules import Thresholds

FORMAT_VERSION = 1
MAX_ADJUSTMENT = 15.0
"""The most the model may move a score, in points."""
SHIPPED_DIR = DATA_DIR / "model"
MODEL_ENV = "ADVISOR_MODEL"
"""Which model the engine uses: unset for the shipped one, a directory, or ``none`` (rules only)."""
SETTING_FEATURE = "setting_large"
LARGE_SETTINGS = frozenset({"large_group", "hospital"})
NODE_FIELDS = ("roots", "feature", "threshold", "left", "right", "value", "missing_left")
"""Per stage, every tree's nodes in flat arrays; ``roots`` is where each tree starts. A leaf points
to itself both ways, so a walk of ``depth`` steps ends on a leaf from any root."""


# --- features -----------------------------------------------------------------------------


def feature_names(catalog: Catalog) -> tuple[str, ...]:
    """The model's inputs: every fact marked as a feature, then the setting flag."""
    return (*(name for name, spec in catalog.facts.items() if spec.feature), SETTING_FEATURE)


def monotone_constraints(catalog: Catalog) -> list[int]:
    """+1 for every "more is better" fact (the model may not decrease in it), 0 otherwise."""
    return [*(1 if spec.monotone else 0 for spec in catalog.facts.values() if spec.feature), 0]


def feature_matrix(facts: pd.DataFrame, settings: str | Sequence[str], names: Sequence[str]) -> npt.NDArray:
    """Facts (one row per person) and the setting(s) as the model's input matrix.

    An unknown fact counts as the lowest value (0), as the rules' cautious reading does:
    the model never reads fit into what was not said, and saying more can only raise
    its inputs, so the monotone constraints carry over to whole profiles."""
    matrix = np.nan_to_num(
        facts.to_numpy(dtype=float)[:, _positions(tuple(facts.columns), tuple(names))], nan=0.0
    )
    flags = (
        np.full(len(facts), float(settings in LARGE_SETTINGS))
        if isinstance(settings, str)
        else np.array([float(s in LARGE_SETTINGS) for s in settings])
    )
    return np.column_stack([matrix, flags])


@functools.lru_cache(maxsize=16)
def _positions(columns: tuple[str, ...], names: tuple[str, ...]) -> list[int]:
    """Where each feature (the setting flag aside) sits among the facts' columns."""
    where = {c: i for i, c in enumerate(columns)}
    return [where[n] for n in names if n != SETTING_FEATURE]


def band_anchors(thresholds: Thresholds) -> npt.NDArray[np.float64]:
    """The score at the middle of each band: where an expected band of 0, 1, 2, 3 sits."""
    t = thresholds
    return np.array(
        [t.developing / 2, (t.developing + t.nearly) / 2, (t.nearly + t.ready) / 2, (t.ready + 100) / 2]
    )


# --- the model ----------------------------------------------------------------------------


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class ModelMeta(_Frozen):
    """What ``model.json`` says about a model."""

    format: int
    role: str
    kind: Literal["panel", "outcomes"]
    version: str
    features: list[str]
    weight: float
    stages: int
    trained: str
    data_sha256: str
    binary_sha256: str
    libraries: dict[str, str]
    seed: int
    metrics: dict[str, Any]


@dataclass(frozen=True)
class Stage:
    """P(label >= k): boosted trees (as arrays) and the isotonic curve that calibrates them."""

    nodes: Mapping[str, npt.NDArray]
    """:data:`NODE_FIELDS`."""
    base: float
    """The trees' starting raw value (log-odds)."""
    depth: int
    curve_x: npt.NDArray[np.float64]
    curve_y: npt.NDArray[np.float64]

    def raw(self, x: npt.NDArray) -> npt.NDArray[np.float64]:
        """Sum of the trees' leaf values for every row: walk all trees at once, level by level.

        A row goes left when its value is <= the node's threshold, and a missing value
        goes the way the node learned; as scikit-learn's predictor does."""
        n = self.nodes
        rows, width = x.shape
        flat = np.ascontiguousarray(x, dtype=float).ravel()
        offset = (np.arange(rows) * width)[:, None]
        node = np.broadcast_to(n["roots"], (rows, len(n["roots"]))).copy()
        feature, threshold, missing_left, children = (
            n["feature"],
            n["threshold"],
            n["missing_left"],
            self.children,
        )
        for _ in range(self.depth):
            value = flat[offset + feature[node]]
            left = (value <= threshold[node]) | (np.isnan(value) & missing_left[node])
            node = children[2 * node + left]
        return self.base + n["value"][node].sum(axis=1)

    @functools.cached_property
    def children(self) -> npt.NDArray[np.int64]:
        """Right and left child of every node, interleaved: one lookup per step of the walk."""
        return np.stack([self.nodes["right"], self.nodes["left"]], axis=1).ravel()

    def probability(self, x: npt.NDArray) -> npt.NDArray[np.float64]:
        """Calibrated probability for every row."""
        p = 1.0 / (1.0 + np.exp(-self.raw(x)))
        return np.interp(p, self.curve_x, self.curve_y)


def compile_stage(classifier: Any, calibrator: Any) -> Stage:
    """A fitted binary ``HistGradientBoostingClassifier`` and ``IsotonicRegression`` as arrays."""
    trees = [predictors[0].nodes for predictors in classifier._predictors]
    roots = np.cumsum([0, *(len(t) for t in trees[:-1])])
    parts: dict[str, list[npt.NDArray]] = {name: [] for name in NODE_FIELDS if name != "roots"}
    for start, t in zip(roots, trees, strict=True):
        leaf = t["is_leaf"].astype(bool)
        own = start + np.arange(len(t))
        parts["feature"].append(np.where(leaf, 0, t["feature_idx"]))
        parts["threshold"].append(np.where(leaf, np.inf, t["num_threshold"]))
        parts["left"].append(np.where(leaf, own, start + t["left"].astype(np.int64)))
        parts["right"].append(np.where(leaf, own, start + t["right"].astype(np.int64)))
        parts["value"].append(np.where(leaf, t["value"], 0.0))
        parts["missing_left"].append(leaf | t["missing_go_to_left"].astype(bool))
    nodes = {name: np.concatenate(values) for name, values in parts.items()}
    nodes["roots"] = roots.astype(np.int64)
    depth = int(max(t["depth"].max() for t in trees))
    base = float(np.asarray(classifier._baseline_prediction).ravel()[0])
    curve = (np.asarray(calibrator.X_thresholds_, float), np.asarray(calibrator.y_thresholds_, float))
    return Stage(nodes, base, depth, *curve)


@dataclass(frozen=True)
class Model:
    """A loaded model: its description, its stages, and a typical input for explanations."""

    directory: Path
    meta: ModelMeta
    stages: tuple[Stage, ...]
    baseline: npt.NDArray[np.float64]

    @property
    def version(self) -> str:
        return self.meta.version

    def card(self) -> str:
        """The model card written next to the model (Markdown), or "" if there is none."""
        path = self.directory / "MODEL_CARD.md"
        return path.read_text(encoding="utf-8") if path.is_file() else ""

    def probabilities(self, x: npt.NDArray) -> npt.NDArray[np.float64]:
        """Calibrated P(label >= k) per stage; never increasing from one stage to the next."""
        columns = [np.clip(s.probability(x), 0.0, 1.0) for s in self.stages]
        return np.minimum.accumulate(np.column_stack(columns), axis=1)

    def expected_band(self, x: npt.NDArray) -> npt.NDArray[np.float64]:
        """0 (early) ... 3 (ready); an outcomes model's single stage is spread over the same scale."""
        p = self.probabilities(x)
        return p.sum(axis=1) * (3 / p.shape[1])

    def score(self, x: npt.NDArray, thresholds: Thresholds) -> npt.NDArray[np.float64]:
        """The model's readiness on the 0-100 scale of the setting's bands."""
        return np.interp(self.expected_band(x), [0.0, 1.0, 2.0, 3.0], band_anchors(thresholds))

    def adjustment(
        self,
        x: npt.NDArray,
        rules_score: npt.NDArray[np.float64],
        cap: npt.NDArray[np.int8],
        thresholds: Thresholds,
    ) -> npt.NDArray[np.float64]:
        """Points added to the rules score: ``weight`` of the way to the model's score, at most
        :data:`MAX_ADJUSTMENT` either way, and never past the top of a band a gate caps."""
        raw = self.meta.weight * (self.score(x, thresholds) - rules_score)
        return bound_adjustment(raw, rules_score, cap, thresholds)

    def contributions(self, x: npt.NDArray, thresholds: Thresholds) -> npt.NDArray[np.float64]:
        """For one row: how many points each feature moves the model's score, against a typical
        profile's value of it (the rest held as they are). A feature at its typical value moves
        nothing, so only the others are evaluated."""
        differs = np.flatnonzero(x[0] != self.baseline)
        varied = np.repeat(x, len(differs), axis=0)
        varied[np.arange(len(differs)), differs] = self.baseline[differs]
        scores = self.score(np.vstack([x, varied]), thresholds)
        effects = np.zeros(x.shape[1])
        effects[differs] = scores[0] - scores[1:]
        return effects


def bound_adjustment(
    raw: npt.NDArray[np.float64],
    rules_score: npt.NDArray[np.float64],
    cap: npt.NDArray[np.int8],
    thresholds: Thresholds,
) -> npt.NDArray[np.float64]:
    """At most :data:`MAX_ADJUSTMENT` either way, not below 0 or above 100 in total, and never
    lifting a score past the top of the band an unmet gate caps it at."""
    t = thresholds
    tops = np.array([t.developing, t.nearly, t.ready, np.inf]) - 0.1
    ceiling = np.maximum(0.0, tops[cap] - rules_score)
    bounded = np.minimum(np.clip(raw, -MAX_ADJUSTMENT, MAX_ADJUSTMENT), ceiling)
    return np.clip(bounded, -rules_score, 100.0 - rules_score)


# --- files --------------------------------------------------------------------------------


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _problem(path: Path, message: str) -> ModelError:
    return ModelError([Problem(str(path), None, "", message)])


def load_model(directory: str | Path, catalog: Catalog) -> Model:
    """Load and check a model directory (``model.json`` and ``model.npz``)."""
    root = Path(directory)
    meta_path, binary = root / "model.json", root / "model.npz"
    for path in (meta_path, binary):
        if not path.is_file():
            raise _problem(path, "not found; train one with `python -m advisor train`")
    try:
        meta = ModelMeta.model_validate_json(meta_path.read_bytes())
    except ValidationError as exc:
        raise ModelError(
            [Problem(str(meta_path), None, ".".join(map(str, e["loc"])), e["msg"]) for e in exc.errors()]
        ) from None
    retrain = "; retrain with `python -m advisor train`"
    if meta.format != FORMAT_VERSION:
        raise _problem(meta_path, f"format {meta.format}; this engine reads format {FORMAT_VERSION}{retrain}")
    expected = list(feature_names(catalog))
    if meta.features != expected:
        gone = [f for f in meta.features if f not in expected]
        new = [f for f in expected if f not in meta.features]
        detail = ", ".join([*(f"{f} no longer exists" for f in gone[:3]), *(f"{f} is new" for f in new[:3])])
        detail = detail or "different order"
        raise _problem(meta_path, f"features do not match this engine's ({detail}){retrain}")
    if sha256(binary) != meta.binary_sha256:
        raise _problem(binary, "does not match the hash in model.json: the file is corrupted or was replaced")
    try:
        with np.load(binary, allow_pickle=False) as arrays:
            stages = tuple(_stage(arrays, k) for k in range(meta.stages))
            baseline = np.asarray(arrays["baseline"], dtype=float)
    except (KeyError, ValueError, OSError) as exc:
        raise _problem(binary, f"cannot be read as a model ({exc})") from None
    if baseline.shape != (len(expected),) or any(not _consistent(s, len(expected)) for s in stages):
        raise _problem(binary, "holds a different model than model.json describes")
    return Model(root, meta, stages, baseline)


def _consistent(stage: Stage, features: int) -> bool:
    """Every index in range, so a damaged file cannot make the walk read out of bounds."""
    n = stage.nodes
    size = len(n["feature"])
    return (
        all(len(n[name]) == size for name in NODE_FIELDS if name != "roots")
        and bool(np.all((n["feature"] >= 0) & (n["feature"] < features)))
        and all(bool(np.all((n[k] >= 0) & (n[k] < size))) for k in ("left", "right", "roots"))
    )


def _stage(arrays: Mapping[str, npt.NDArray], k: int) -> Stage:
    nodes = {name: np.asarray(arrays[f"stage{k}_{name}"]) for name in NODE_FIELDS}
    return Stage(
        nodes,
        float(arrays[f"stage{k}_base"]),
        int(arrays[f"stage{k}_depth"]),
        np.asarray(arrays[f"stage{k}_curve_x"], float),
        np.asarray(arrays[f"stage{k}_curve_y"], float),
    )


_LOADED: dict[tuple[str, tuple[float, float], str], Model] = {}
"""Models loaded in this process, by directory, file times and catalog fingerprint."""


def chosen_directory() -> Path | None:
    """The model directory the engine uses (``ADVISOR_MODEL``), or None for rules only."""
    setting = os.environ.get(MODEL_ENV, "").strip()
    if setting.lower() in ("none", "off", "rules"):
        return None
    if setting:
        return Path(setting)
    return SHIPPED_DIR if (SHIPPED_DIR / "model.json").is_file() else None


def active_model(role: str, catalog: Catalog) -> Model | None:
    """The model for ``role``, if one is chosen and was trained for that role."""
    directory = chosen_directory()
    if directory is None:
        return None
    try:
        stamp = ((directory / "model.json").stat().st_mtime, (directory / "model.npz").stat().st_mtime)
    except OSError:
        raise _problem(directory, "no model here; train one with `python -m advisor train`") from None
    key = (str(directory.resolve()), stamp, catalog.fingerprint)
    if key not in _LOADED:
        _LOADED[key] = load_model(directory, catalog)
    model = _LOADED[key]
    return model if model.meta.role == role else None


def write_model(
    directory: Path, stages: Sequence[Stage], baseline: npt.NDArray[np.float64], meta: Mapping[str, Any]
) -> ModelMeta:
    """Write ``model.npz`` then ``model.json`` (with the arrays' hash) into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, npt.NDArray] = {"baseline": np.asarray(baseline, float)}
    for k, stage in enumerate(stages):
        arrays |= {f"stage{k}_{name}": stage.nodes[name] for name in NODE_FIELDS}
        arrays[f"stage{k}_base"] = np.array(stage.base)
        arrays[f"stage{k}_depth"] = np.array(stage.depth)
        arrays[f"stage{k}_curve_x"] = stage.curve_x
        arrays[f"stage{k}_curve_y"] = stage.curve_y
    binary = directory / "model.npz"
    np.savez_compressed(binary, **cast(dict[str, Any], arrays))
    full = ModelMeta(**{**meta, "binary_sha256": sha256(binary)})
    (directory / "model.json").write_text(json.dumps(full.model_dump(), indent=2) + "\n")
    return full
