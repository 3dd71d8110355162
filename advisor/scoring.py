"""Scoring: rule results turned into a readiness score, a band and an explanation.

Two entry points share one path:

* :func:`score_facts` scores a whole facts DataFrame (a batch of any size)
  and returns one row per profile: rules score, model adjustment, final
  score, band before and after gates, and evidence completeness.
* :func:`assess` runs one profile end to end and returns the
  :class:`Assessment` every view renders (and the CLI prints with ``--json``):
  every dimension, every rule with its status, points, explanation and
  sources, every gate, the facts used, completeness and versions.

The score is the sum of points earned over the points available in the
setting, on 0-100. The band follows the file's thresholds, then is capped by
any gate that is unmet or unknown. The model slot is wired in: its
adjustment is 0 until a trained model is installed, and it is always shown
apart from the rules score.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from pydantic import BaseModel, ConfigDict

from advisor import __version__
from advisor.facts import PROFILE_SECTIONS, derive_fact_bounds, unrecognized
from advisor.model import SETTING_FEATURE, Model, active_model, feature_matrix
from advisor.profile import Profile, check_profile, current_month, parse_month
from advisor.rules import BANDS, STATUS_CODES, Band, RuleResults, RuleSet, evaluate_rules, ruleset_for
from advisor.vocabulary import (
    EDUCATION_LEVEL_NAMES,
    KNOWLEDGE_LEVEL_NAMES,
    PROFICIENCY_LEVEL_NAMES,
    FactSpec,
)

_LEVEL_NAMES = {
    EDUCATION_LEVEL_NAMES["no_education"]: "no education listed",
    EDUCATION_LEVEL_NAMES["high_school"]: "high school",
    EDUCATION_LEVEL_NAMES["certificate"]: "a certificate",
    EDUCATION_LEVEL_NAMES["associate"]: "an associate degree",
    EDUCATION_LEVEL_NAMES["bachelor"]: "a bachelor's",
    EDUCATION_LEVEL_NAMES["master"]: "a master's",
    EDUCATION_LEVEL_NAMES["doctorate"]: "a doctorate",
}
_PROFICIENCY_NAMES = {0: "none", **{v: k for k, v in PROFICIENCY_LEVEL_NAMES.items()}}
_KNOWLEDGE_NAMES = {v: k for k, v in KNOWLEDGE_LEVEL_NAMES.items()}
_SECTION_LABELS = {
    "education": "education",
    "coursework": "coursework",
    "experience": "work history",
    "software": "software",
    "certifications": "certifications",
    "knowledge": "knowledge of terminology, coding, billing and HIPAA",
    "soft_skills": "soft-skill ratings",
}
_DETAIL_LABELS = {
    "experience": "the setting, role or duties of some jobs",
    "education": "the field of some degrees",
    "coursework": "the field of some degrees",
    "knowledge": "the setting, role or duties of some jobs",
}


# --- the Assessment object ---------------------------------------------------------------


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class Citation(_Out):
    """A source as shown next to a rule."""

    id: str
    title: str
    source: list[str]
    as_of: str
    note: str | None = None
    secondary: bool = False
    uncertain: bool = False
    gap: bool = False


class RuleItem(_Out):
    """One rule's outcome for this person."""

    rule_id: str
    statement: str
    status: Literal["met", "partly", "unmet", "unknown"]
    points: float
    max_points: float
    explanation: str
    self_rated: bool
    actions: list[str]
    sources: list[Citation]


class DimensionResult(_Out):
    """Points earned in one dimension, with the rules behind them."""

    id: str
    title: str
    description: str
    score: float
    max: float
    items: list[RuleItem]


class GateResult(_Out):
    """A hard requirement and whether it is met."""

    id: str
    statement: str
    status: Literal["met", "unmet", "unknown"]
    caps_band: Band
    explanation: str
    actions: list[str]
    sources: list[Citation]


REASONS = 3
"""How many of the model's reasons an assessment lists."""
ENOUGH_EVIDENCE = 0.5
"""Below this share of settled points, a band says more about what is missing than about the person."""


class Completeness(_Out):
    """How much of the score rests on evidence we actually have."""

    share: float
    enough: bool
    missing_sections: list[str]
    unknown_rules: list[str]
    unrecognized_software: list[str]
    software_suggestions: dict[str, str]
    unrecognized_certifications: list[str]
    message: str


class Assessment(_Out):
    """Everything a view needs to show one person's readiness for one role and setting."""

    role: str
    role_title: str
    setting: str
    setting_label: str
    setting_description: str
    as_of: str
    score: float
    band: Band
    band_before_gates: Band
    capped_by: list[str]
    rules_score: float
    model_adjustment: float
    model_score: float | None
    """The model's own view on the same 0-100 scale (None without a model); the adjustment moves
    the rules score part of the way toward it."""
    model_reasons: list[str]
    dimensions: list[DimensionResult]
    gates: list[GateResult]
    facts: dict[str, float | None]
    recommendations: list[dict[str, Any]]
    plan: dict[str, Any] | None
    adjacent_roles: list[dict[str, Any]]
    completeness: Completeness
    engine_version: str
    rules_version: str
    catalog_version: str
    model_version: str | None


# --- formatting facts into sentences ------------------------------------------------------


def format_fact(spec: FactSpec, value: float | None) -> str:
    """A fact's value in words: ``3.5 years``, ``a bachelor's``, ``working``, ``4/5``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "unknown"
    if spec.unit == "years":
        years = round(value, 1)
        return f"{years:g} year" if years == 1 else f"{years:g} years"
    if spec.unit == "level":
        names = _LEVEL_NAMES if spec.section == "education" else _PROFICIENCY_NAMES
        return names.get(int(value), f"{value:g}")
    if spec.unit == "knowledge":
        return _KNOWLEDGE_NAMES.get(int(value), str(value))
    if spec.unit == "rating":
        return f"{int(value)}/5"
    if spec.unit == "flag":
        return "yes" if value >= 1 else "no"
    if spec.unit == "share":
        return f"{value:.0%}"
    return f"{value:g}"


class _Formatter(dict[str, str]):
    def __init__(self, specs: Mapping[str, FactSpec], row: Mapping[str, float]) -> None:
        super().__init__()
        self.specs, self.row = specs, row

    def __missing__(self, key: str) -> str:
        return format_fact(self.specs[key], self.row[key])


def _explain(template: str, specs: Mapping[str, FactSpec], row: Mapping[str, float]) -> str:
    return template.format_map(_Formatter(specs, row))


# --- batch scoring ------------------------------------------------------------------------


def band_of(scores: npt.ArrayLike, ruleset: RuleSet, setting: str) -> npt.NDArray[np.int8]:
    """Band index (0 early ... 3 ready) from scores, by the file's thresholds for ``setting``."""
    s = np.asarray(scores, dtype=float)
    b = ruleset.spec.bands.thresholds[setting]
    return np.select([s >= b.ready, s >= b.nearly, s >= b.developing], [3, 2, 1], 0).astype(np.int8)


def _gate_caps(results: RuleResults, ruleset: RuleSet) -> npt.NDArray[np.int8]:
    cap = np.full(results.gates.shape[0], 3, dtype=np.int8)
    for k, gi in enumerate(results.gate_index):
        limit = BANDS.index(ruleset.gates[gi].spec.caps_band)
        failed = results.gates[:, k] != 1.0
        cap = np.where(failed, np.minimum(cap, limit), cap).astype(np.int8)
    return cap


ModelChoice = Model | Literal["auto"] | None
"""``"auto"``: the model chosen for the role (:func:`advisor.model.active_model`); ``None``: rules only."""


def chosen_model(ruleset: RuleSet, model: ModelChoice = "auto") -> Model | None:
    """The model a scoring call uses for ``ruleset``'s role."""
    if model == "auto":
        return active_model(ruleset.spec.role, ruleset.catalog)
    return model


def score_facts(
    ruleset: RuleSet,
    facts: pd.DataFrame,
    setting: str,
    upper: pd.DataFrame | None = None,
    model: ModelChoice = "auto",
) -> pd.DataFrame:
    """Score every row of ``facts`` in ``setting``: the batch path (and the single one).

    ``upper`` is the facts' upper-bound frame, when details were left out.
    Returns columns ``rules_score``, ``model_adjustment``, ``score``,
    ``band_before_gates``, ``band``, ``band_cap`` (the highest band the unmet
    gates allow; the three bands are ordered categoricals over ``BANDS``, so
    ``band >= "nearly"`` compares ranks) and ``completeness`` (share of points
    the evidence settles), indexed like ``facts``.
    """
    results = evaluate_rules(ruleset, facts, setting, upper)
    return score_results(results, ruleset, facts, chosen_model(ruleset, model))


def coded_text(
    labels: Sequence[str], codes: npt.ArrayLike, index: pd.Index | None = None, ordered: bool = False
) -> pd.Series:
    """``labels[codes]`` as a categorical text column, its categories the distinct labels in
    their order (``ordered``: compared in that order, as bands are). 100,000 rows of bands or
    reasons hold only a few hundred distinct texts: kept as codes into them, they are never
    copied per row while ranking, filtering and exporting (Arrow writes them as plain text)."""
    remap, dtype = _categories(tuple(labels), ordered)
    values = pd.Categorical.from_codes(remap[np.asarray(codes, dtype=np.int64)], dtype=dtype)
    return pd.Series(values, index=index)


@functools.lru_cache(maxsize=256)
def _categories(labels: tuple[str, ...], ordered: bool) -> tuple[npt.NDArray[np.intp], pd.CategoricalDtype]:
    """Each label's code among the distinct labels, and their dtype (made once per label list:
    a single assessment asks for the same bands every time). The codes are read-only."""
    remap, distinct = pd.factorize(pd.Index(list(labels), dtype="str"))
    remap.setflags(write=False)
    return remap, pd.CategoricalDtype(distinct, ordered=ordered)


def score_results(
    results: RuleResults, ruleset: RuleSet, facts: pd.DataFrame, model: Model | None
) -> pd.DataFrame:
    """Scores, bands and completeness from evaluated rules (see :func:`score_facts` for the
    columns). ``results.points`` may be re-weighted by the caller (a screening rubric)."""
    index = facts.index
    total = results.points.sum()
    raw = 100.0 * results.earned.sum(axis=1) / total if total > 0 else np.zeros(len(index))
    # Round first, so the score a person sees is exactly the one the band was read from.
    rules_score = np.round(raw, 1)
    cap = _gate_caps(results, ruleset)
    if model is None:
        adjustment = np.zeros(len(index))
    else:
        x = feature_matrix(facts, results.setting, model.meta.features)
        thresholds = ruleset.spec.bands.thresholds[results.setting]
        adjustment = np.round(model.adjustment(x, rules_score, cap, thresholds), 1)
    score = np.clip(np.round(rules_score + adjustment, 1), 0.0, 100.0)
    before = band_of(score, ruleset, results.setting)
    band = np.minimum(before, cap)
    unsettled = ((results.possible - results.credit) * results.points).sum(axis=1)
    completeness = 1.0 - unsettled / total if total > 0 else np.ones(len(index))
    return pd.DataFrame(
        {
            "rules_score": rules_score,
            "model_adjustment": adjustment,
            "score": score,
            "band_before_gates": coded_text(BANDS, before, index, ordered=True),
            "band": coded_text(BANDS, band, index, ordered=True),
            "band_cap": coded_text(BANDS, cap, index, ordered=True),
            "completeness": completeness,
        },
        index=index,
    )


# --- one profile, explained ---------------------------------------------------------------


def _citations(ruleset: RuleSet, ids: Sequence[str]) -> list[Citation]:
    out = []
    for sid in ids:
        src = ruleset.spec.sources[sid]
        out.append(
            Citation(
                id=sid,
                title=src.title,
                source=list(src.source),
                as_of=src.as_of,
                note=src.note,
                secondary=src.secondary,
                uncertain=src.uncertain,
                gap=src.gap,
            )
        )
    return out


def _joined(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _not_said(
    names: frozenset[str], specs: Mapping[str, FactSpec], row: Mapping[str, float], high: Mapping[str, float]
) -> list[str]:
    """What the profile leaves out that these facts depend on, in words."""
    said: set[str] = set()
    for name in names:
        if math.isnan(row[name]):
            said.add(_SECTION_LABELS.get(specs[name].section, specs[name].section))
        elif high[name] != row[name]:
            said.add(_DETAIL_LABELS.get(specs[name].section, "some details"))
    return sorted(said)


def _unknown_text(
    names: frozenset[str], specs: Mapping[str, FactSpec], row: Mapping[str, float], high: Mapping[str, float]
) -> str:
    missing = _not_said(names, specs, row, high)
    what = _joined(missing) if missing else "enough to decide"
    return f"Unknown: the profile does not give {what}. Add it to sharpen the score."


def _dimensions(
    ruleset: RuleSet, results: RuleResults, row: Mapping[str, float], high: Mapping[str, float]
) -> list[DimensionResult]:
    """Every dimension with its rule items, explained from the row's facts."""
    specs = ruleset.catalog.facts
    dims: list[DimensionResult] = []
    for dim_id, dim in ruleset.spec.dimensions.items():
        items = []
        for r, rule in enumerate(ruleset.rules):
            if rule.spec.dimension != dim_id or results.points[r] <= 0:
                continue
            status = STATUS_CODES[results.status[0, r]]
            level = int(results.level[0, r])
            if status == "unknown":
                text = _unknown_text(rule.facts, specs, row, high)
            else:
                text = _explain(rule.levels[level].explain if level >= 0 else rule.spec.unmet, specs, row)
                if results.possible[0, r] > results.credit[0, r]:
                    missing = _not_said(rule.facts, specs, row, high)
                    text += (
                        f" (could be more: the profile does not give {_joined(missing)})" if missing else ""
                    )
            items.append(
                RuleItem(
                    rule_id=rule.spec.id,
                    statement=rule.spec.statement,
                    status=status,
                    points=round(float(results.earned[0, r]), 2),
                    max_points=round(float(results.points[r]), 2),
                    explanation=text,
                    self_rated=rule.spec.self_rated,
                    actions=list(rule.spec.actions),
                    sources=_citations(ruleset, rule.spec.sources),
                )
            )
        dims.append(
            DimensionResult(
                id=dim_id,
                title=dim.title,
                description=dim.description,
                score=round(sum(i.points for i in items), 2),
                max=round(sum(i.max_points for i in items), 2),
                items=items,
            )
        )
    return dims


def _gates(
    ruleset: RuleSet, results: RuleResults, row: Mapping[str, float], high: Mapping[str, float]
) -> list[GateResult]:
    """Every gate that applies in the setting, with its status and explanation."""
    specs = ruleset.catalog.facts
    gates: list[GateResult] = []
    for k, gi in enumerate(results.gate_index):
        gate = ruleset.gates[gi]
        value = results.gates[0, k]
        status: Literal["met", "unmet", "unknown"] = (
            "unknown" if math.isnan(value) else ("met" if value == 1.0 else "unmet")
        )
        if status == "unknown":
            text = _unknown_text(gate.condition.names, specs, row, high)
        else:
            text = _explain(gate.spec.met if status == "met" else gate.spec.unmet, specs, row)
        gates.append(
            GateResult(
                id=gate.spec.id,
                statement=gate.spec.statement,
                status=status,
                caps_band=gate.spec.caps_band,
                explanation=text,
                actions=list(gate.spec.actions),
                sources=_citations(ruleset, gate.spec.sources),
            )
        )
    return gates


def _completeness(
    profile: Profile, ruleset: RuleSet, dims: Sequence[DimensionResult], share: float
) -> Completeness:
    unknown_rules = [i.rule_id for d in dims for i in d.items if i.status == "unknown"]
    odd = unrecognized(profile, ruleset.catalog)
    missing = [_SECTION_LABELS[s] for s in PROFILE_SECTIONS if getattr(profile, s) is None]
    if share >= 0.9995:
        message = "Every rule had evidence to work with."
    elif share < ENOUGH_EVIDENCE:
        left_out = _joined(missing) if missing else "many details"
        message = (
            f"Too little to judge yet: only {share:.0%} of the points are settled by what was given. "
            f"Add {left_out} for a real assessment."
        )
    else:
        left_out = _joined(missing) if missing else "some details of jobs or degrees"
        message = (
            f"Not given: {left_out}. Nothing was assumed about them, so {share:.0%} of the points "
            "are settled by the evidence given. Add more to sharpen the score."
        )
    suggestions = {
        name: hint for name in odd["software"] if (hint := ruleset.catalog.software_suggestion(name))
    }
    return Completeness(
        share=round(share, 3),
        enough=share >= ENOUGH_EVIDENCE,
        missing_sections=missing,
        unknown_rules=unknown_rules,
        unrecognized_software=odd["software"],
        software_suggestions=suggestions,
        unrecognized_certifications=odd["certifications"],
        message=message,
    )


def _build(
    profile: Profile,
    ruleset: RuleSet,
    setting: str,
    as_of: str,
    bounds: tuple[pd.DataFrame, pd.DataFrame],
    table: pd.DataFrame,
    results: RuleResults,
    model: Model | None,
) -> Assessment:
    facts, upper = bounds
    row = dict(zip(facts.columns.tolist(), facts.to_numpy(dtype=float)[0].tolist(), strict=True))
    high = dict(zip(upper.columns.tolist(), upper.to_numpy(dtype=float)[0].tolist(), strict=True))
    first = table.iloc[0]
    view: tuple[float | None, list[str]] = (
        (None, [])
        if model is None
        else _model_view(model, ruleset, setting, facts, row, float(first["model_adjustment"]))
    )
    dims = _dimensions(ruleset, results, row, high)
    gates = _gates(ruleset, results, row, high)
    before = BANDS.index(first["band_before_gates"])
    capped_by = [g.id for g in gates if g.status != "met" and BANDS.index(g.caps_band) < before]
    used = sorted(
        {n for r in ruleset.rules for n in r.facts} | {n for g in ruleset.gates for n in g.condition.names}
    )
    return Assessment(
        role=ruleset.spec.role,
        role_title=ruleset.spec.title,
        setting=setting,
        setting_label=ruleset.spec.settings[setting].label,
        setting_description=ruleset.spec.settings[setting].description,
        as_of=as_of,
        score=float(first["score"]),
        band=first["band"],
        band_before_gates=first["band_before_gates"],
        capped_by=capped_by,
        rules_score=float(first["rules_score"]),
        model_adjustment=float(first["model_adjustment"]),
        model_score=view[0],
        model_reasons=view[1],
        dimensions=dims,
        gates=gates,
        facts={n: (None if math.isnan(row[n]) else round(row[n], 3)) for n in used},
        recommendations=[],
        plan=None,
        adjacent_roles=[],
        completeness=_completeness(profile, ruleset, dims, float(first["completeness"])),
        engine_version=__version__,
        rules_version=ruleset.version,
        catalog_version=ruleset.catalog.fingerprint,
        model_version=None if model is None else model.version,
    )


def _model_view(
    model: Model,
    ruleset: RuleSet,
    setting: str,
    facts: pd.DataFrame,
    row: Mapping[str, float],
    adjustment: float,
) -> tuple[float, list[str]]:
    """The model's own score, and the facts that move it most against a typical profile, in words."""
    x = feature_matrix(facts, setting, model.meta.features)
    thresholds = ruleset.spec.bands.thresholds[setting]
    effects = model.contributions(x, thresholds)
    person = [i for i, name in enumerate(model.meta.features) if name != SETTING_FEATURE]
    # Facts pushing the way the model moved the score come first: they are the "why".
    direction = 1.0 if adjustment >= 0 else -1.0
    order = sorted(
        person, key=lambda i: (effects[i] * direction <= 0, -abs(effects[i]), model.meta.features[i])
    )
    reasons = []
    for i in order[:REASONS]:
        if abs(effects[i]) < 0.05:
            break
        spec = ruleset.catalog.facts[model.meta.features[i]]
        value = None if math.isnan(row[spec.name]) else row[spec.name]
        way = "raises" if effects[i] > 0 else "lowers"
        reasons.append(
            f"{spec.description.split(' (')[0]}: {format_fact(spec, value)} "
            f"({way} the model's view by {abs(effects[i]):.1f} points against a typical profile)"
        )
    return round(float(model.score(x, thresholds)[0]), 1), reasons


def assess(
    profile: Profile,
    role: str = "medical_office_manager",
    setting: str = "small_practice",
    as_of: str | None = None,
    ruleset: RuleSet | None = None,
    model: ModelChoice = "auto",
) -> Assessment:
    """Assess one profile for ``role`` in ``setting`` as of ``as_of`` (``YYYY-MM``, default this month).

    Raises :class:`~advisor.errors.ProfileError` for dates that make no sense
    on that date and :class:`~advisor.errors.InputError` for an unknown role,
    setting or date.
    """
    month = parse_month(as_of, "as_of") if as_of is not None else current_month()
    rules = ruleset or ruleset_for(role)
    check_profile(profile, month)
    bounds = derive_fact_bounds([profile], month, rules.catalog)
    results = evaluate_rules(rules, bounds[0], setting, bounds[1])
    learned = chosen_model(rules, model)
    table = score_results(results, rules, bounds[0], learned)
    return _build(profile, rules, setting, month, bounds, table, results, learned)


def assess_all_settings(
    profile: Profile,
    role: str = "medical_office_manager",
    as_of: str | None = None,
    ruleset: RuleSet | None = None,
) -> dict[str, Assessment]:
    """The same profile assessed in every setting the role's rules know, in file order."""
    rules = ruleset or ruleset_for(role)
    return {setting: assess(profile, rules.spec.role, setting, as_of, rules) for setting in rules.settings}


def largest_gaps(assessment: Assessment, count: int = 3) -> list[tuple[DimensionResult, RuleItem]]:
    """The rules with the most points still to earn (unknown ones included), largest first."""
    items = [(d, i) for d in assessment.dimensions for i in d.items if i.max_points - i.points > 0.05]
    items.sort(key=lambda pair: (-(pair[1].max_points - pair[1].points), pair[1].rule_id))
    return items[:count]
