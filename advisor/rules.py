"""Rule files: what a role requires, as data an organization can edit without code.

One YAML file per role under ``rules/``. A file declares the practice
settings it knows, the score bands, its sources, its dimensions (with points
per setting), its rules and its gates:

* A **rule** belongs to a dimension and has ordered **levels**; each level is
  a condition over derived facts, a credit between 0 and 1 (optionally per
  setting) and a one-line explanation. A level may be limited to some
  settings; that is how "or equivalent experience" substitutions are written.
* A **gate** is a hard requirement for some settings; when unmet (or
  unknown) it caps the band, whatever the points say.
* Every rule and gate names its **sources**, declared once at the top with
  their ``as_of`` dates.

:func:`load_ruleset` validates the whole file against this schema, compiles
every condition once, and reports every problem as ``path:line: field:
message``. :func:`evaluate_rules` runs the compiled rules over a facts
DataFrame, vectorized: one profile or 100,000 take the same path.
"""

from __future__ import annotations

import functools
import hashlib
import string
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal, Self

import numpy as np
import numpy.typing as npt
import pandas as pd
from pydantic import Field, model_validator

from advisor.catalog import Catalog, load_catalog
from advisor.citation import Cited, StrictModel
from advisor.errors import (
    DataFileError,
    ExpressionError,
    InputError,
    Problem,
    RuleFileError,
    suggest,
)
from advisor.expression import Expression, compile_expression
from advisor.sourcefile import (
    Document,
    Loc,
    parse_document,
    read_document,
    validate_document,
)
from advisor.vocabulary import CONSTANTS, COURSE_AREAS, DUTIES, KNOWLEDGE_AREAS, SOFT_SKILLS

RULES_DIR = Path(__file__).resolve().parent.parent / "rules"
"""The rule files that ship with the product."""

Band = Literal["ready", "nearly", "developing", "early"]
BANDS: tuple[Band, ...] = ("early", "developing", "nearly", "ready")
"""Bands from lowest to highest."""

Credit = Annotated[float, Field(ge=0.0, le=1.0)]
Weight = Annotated[float, Field(ge=0.0)]
Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]

EXPERIENCE_KINDS = (
    "medical_office",
    "healthcare",
    "healthcare_admin",
    "supervisory",
    "supervisory_healthcare",
    "management",
    "billing_coding",
)
ACTION_KINDS = ("cert", "program", "experience", "course", "software", "knowledge", "duty", "skill")


class Source(Cited):
    """A document a rule relies on, declared once per file."""

    title: str


class SettingInfo(StrictModel):
    """A practice setting the file scores against."""

    label: str
    description: str


class Thresholds(StrictModel):
    """Lowest score for each band (``early`` is everything below ``developing``)."""

    ready: Annotated[float, Field(gt=0, le=100)]
    nearly: Annotated[float, Field(gt=0, le=100)]
    developing: Annotated[float, Field(gt=0, le=100)]

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if not self.developing < self.nearly < self.ready:
            raise ValueError("expected developing < nearly < ready")
        return self


class Bands(StrictModel):
    """Band thresholds per setting: the bar is not the same everywhere."""

    thresholds: dict[str, Thresholds]
    sources: list[str]
    note: str | None = None


class Dimension(StrictModel):
    """A scored area, with the points it carries in each setting."""

    title: str
    description: str
    points: dict[str, Annotated[float, Field(ge=0)]]


class Level(StrictModel):
    """One way to earn credit for a rule."""

    when: str
    credit: Credit | dict[str, Credit]
    explain: str
    settings: list[str] | None = None


class Rule(StrictModel):
    """A scored requirement: levels of credit over derived facts."""

    id: Identifier
    dimension: str
    statement: str
    weight: Weight | dict[str, Weight] = 1.0
    levels: Annotated[list[Level], Field(min_length=1)]
    unmet: str
    sources: Annotated[list[str], Field(min_length=1)]
    actions: list[str] = []
    self_rated: bool = False


class Gate(StrictModel):
    """A hard requirement in some settings; unmet or unknown caps the band."""

    id: Identifier
    statement: str
    settings: Annotated[list[str], Field(min_length=1)]
    when: str
    caps_band: Literal["nearly", "developing", "early"]
    met: str
    unmet: str
    sources: Annotated[list[str], Field(min_length=1)]
    actions: list[str] = []


class RuleFile(StrictModel):
    """The whole rules file, as written."""

    schema_version: Literal[1]
    role: Identifier
    title: str
    version: str
    description: str
    soc: list[str]
    settings: dict[str, SettingInfo]
    bands: Bands
    sources: dict[str, Source]
    dimensions: dict[str, Dimension]
    rules: list[Rule]
    gates: list[Gate] = []


# --- compiled form ------------------------------------------------------------------------


@dataclass(frozen=True)
class CompiledLevel:
    """A level with its condition compiled and its credit resolved per setting."""

    condition: Expression
    credit: Mapping[str, float]
    explain: str
    settings: frozenset[str]


@dataclass(frozen=True)
class CompiledRule:
    """A rule ready to evaluate."""

    spec: Rule
    levels: tuple[CompiledLevel, ...]
    facts: frozenset[str]

    def weight(self, setting: str) -> float:
        """This rule's share of its dimension in ``setting`` (before normalizing)."""
        w = self.spec.weight
        return float(w.get(setting, 0.0)) if isinstance(w, dict) else float(w)


@dataclass(frozen=True)
class CompiledGate:
    """A gate ready to evaluate."""

    spec: Gate
    condition: Expression


@dataclass(frozen=True)
class RuleSet:
    """A validated, compiled rules file."""

    spec: RuleFile
    rules: tuple[CompiledRule, ...]
    gates: tuple[CompiledGate, ...]
    path: str
    version: str
    catalog: Catalog

    @property
    def settings(self) -> tuple[str, ...]:
        """Settings this role can be scored in."""
        return tuple(self.spec.settings)

    def rule_points(self, setting: str) -> npt.NDArray[np.float64]:
        """Maximum points of each rule in ``setting``: its share of its dimension's points."""
        weights = np.array([r.weight(setting) for r in self.rules])
        points = np.zeros(len(self.rules))
        for dim_id, dim in self.spec.dimensions.items():
            mask = np.array([r.spec.dimension == dim_id for r in self.rules])
            total = weights[mask].sum()
            if total > 0:
                points[mask] = dim.points.get(setting, 0.0) * weights[mask] / total
        return points


# --- loading ------------------------------------------------------------------------------

_PLACEHOLDER = string.Formatter()


def _placeholders(text: str) -> list[str]:
    return [name for _, name, _, _ in _PLACEHOLDER.parse(text) if name]


class _Checker:
    """Cross-checks a parsed rule file and collects located problems."""

    def __init__(self, doc: Document, spec: RuleFile, catalog: Catalog) -> None:
        self.doc, self.spec, self.catalog = doc, spec, catalog
        self.problems: list[Problem] = []
        self.kinds = {name: s.kind for name, s in catalog.facts.items()}

    def add(self, loc: Loc, message: str, field: str | None = None) -> None:
        self.problems.append(self.doc.problem(loc, message, field))

    def known(self, loc: Loc, value: str, choices: Sequence[str] | Mapping[str, object], what: str) -> None:
        if value not in choices:
            self.add(loc, f"unknown {what} '{value}'" + suggest(value, list(choices)))

    def compile(self, loc: Loc, text: str, label: str) -> Expression | None:
        try:
            return compile_expression(text, self.kinds, CONSTANTS)
        except ExpressionError as exc:
            self.add(loc, str(exc), label)
            return None

    def text(self, loc: Loc, text: str, label: str) -> None:
        for name in _placeholders(text):
            if name not in self.catalog.facts:
                self.add(loc, f"unknown fact '{{{name}}}' in text" + suggest(name, self.catalog.facts), label)

    def settings(self, loc: Loc, names: Sequence[str] | Mapping[str, object]) -> None:
        for name in names:
            self.known(loc, name, self.spec.settings, "setting")

    def action(self, loc: Loc, ref: str) -> None:
        kind, _, target = ref.partition(":")
        choices: Collection[str] = {
            "cert": self.catalog.certifications,
            "program": self.catalog.programs,
            "experience": EXPERIENCE_KINDS,
            "course": COURSE_AREAS,
            "software": self.catalog.categories,
            "knowledge": KNOWLEDGE_AREAS,
            "duty": DUTIES,
            "skill": SOFT_SKILLS,
        }.get(kind, ())
        if kind not in ACTION_KINDS:
            self.add(loc, f"action '{ref}' must be kind:target with kind one of {', '.join(ACTION_KINDS)}")
        elif target not in choices:
            self.add(loc, f"unknown {kind} '{target}' in action '{ref}'" + suggest(target, list(choices)))

    def check(self) -> tuple[tuple[CompiledRule, ...], tuple[CompiledGate, ...]]:
        spec = self.spec
        for key, dim in spec.dimensions.items():
            self.settings(("dimensions", key, "points"), dim.points)
        for name in spec.bands.sources:
            self.known(("bands", "sources"), name, spec.sources, "source")
        self.settings(("bands", "thresholds"), spec.bands.thresholds)
        for name in spec.settings:
            if name not in spec.bands.thresholds:
                self.add(("bands", "thresholds"), f"no band thresholds for setting '{name}'")
        seen: dict[str, int] = {}
        rules = []
        for i, rule in enumerate(spec.rules):
            base: Loc = ("rules", i)
            label = f"rules[{i}] ({rule.id})"
            if rule.id in seen:
                self.add(
                    (*base, "id"), f"rule id '{rule.id}' is already used by rules[{seen[rule.id]}]", label
                )
            seen.setdefault(rule.id, i)
            self.known((*base, "dimension"), rule.dimension, spec.dimensions, "dimension")
            if isinstance(rule.weight, dict):
                self.settings((*base, "weight"), rule.weight)
            for name in rule.sources:
                self.known((*base, "sources"), name, spec.sources, "source")
            for j, ref in enumerate(rule.actions):
                self.action((*base, "actions", j), ref)
            self.text((*base, "unmet"), rule.unmet, label)
            levels = []
            for j, level in enumerate(rule.levels):
                where: Loc = (*base, "levels", j)
                condition = self.compile((*where, "when"), level.when, f"{label}.levels[{j}].when")
                self.text((*where, "explain"), level.explain, f"{label}.levels[{j}].explain")
                if isinstance(level.credit, dict):
                    self.settings((*where, "credit"), level.credit)
                if level.settings is not None:
                    self.settings((*where, "settings"), level.settings)
                if condition is not None:
                    credit = (
                        {s: float(level.credit.get(s, 0.0)) for s in spec.settings}
                        if isinstance(level.credit, dict)
                        else dict.fromkeys(spec.settings, float(level.credit))
                    )
                    allowed = frozenset(level.settings if level.settings is not None else spec.settings)
                    levels.append(CompiledLevel(condition, credit, level.explain, allowed))
            names = frozenset(n for lv in levels for n in lv.condition.names)
            rules.append(CompiledRule(rule, tuple(levels), names))
        gates = []
        gate_seen: dict[str, int] = {}
        for i, gate in enumerate(spec.gates):
            base = ("gates", i)
            label = f"gates[{i}] ({gate.id})"
            if gate.id in gate_seen or gate.id in seen:
                self.add((*base, "id"), f"id '{gate.id}' is already used", label)
            gate_seen.setdefault(gate.id, i)
            self.settings((*base, "settings"), gate.settings)
            for name in gate.sources:
                self.known((*base, "sources"), name, spec.sources, "source")
            for j, ref in enumerate(gate.actions):
                self.action((*base, "actions", j), ref)
            self.text((*base, "met"), gate.met, label)
            self.text((*base, "unmet"), gate.unmet, label)
            condition = self.compile((*base, "when"), gate.when, f"{label}.when")
            if condition is not None:
                gates.append(CompiledGate(gate, condition))
        return tuple(rules), tuple(gates)


def _compile(doc: Document, catalog: Catalog) -> RuleSet:
    if not isinstance(doc.data, dict):
        raise RuleFileError([Problem(doc.path, 1, "", "a rules file must be a mapping")])
    spec = validate_document(doc, RuleFile, RuleFileError)
    checker = _Checker(doc, spec, catalog)
    rules, gates = checker.check()
    if checker.problems:
        raise RuleFileError(sorted(checker.problems, key=lambda p: p.line or 0))
    digest = hashlib.sha256(repr(doc.data).encode()).hexdigest()[:8]
    return RuleSet(spec, rules, gates, doc.path, f"{spec.version}+{digest}", catalog)


def load_ruleset(path: str | Path, catalog: Catalog | None = None) -> RuleSet:
    """Load, validate and compile one rules file; raise :class:`RuleFileError` on any problem."""
    try:
        doc = read_document(path)
    except DataFileError as exc:
        raise RuleFileError(exc.problems) from None
    return _compile(doc, catalog or load_catalog())


def parse_ruleset(text: str, path: str = "rules.yaml", catalog: Catalog | None = None) -> RuleSet:
    """Like :func:`load_ruleset` for text already in memory (e.g. an upload)."""
    try:
        doc = parse_document(text, path, "yaml")
    except DataFileError as exc:
        raise RuleFileError(exc.problems) from None
    return _compile(doc, catalog or load_catalog())


def rule_files(rules_dir: str | Path | None = None) -> dict[str, Path]:
    """The rules files in a directory, by role id (file stem)."""
    root = Path(rules_dir) if rules_dir else RULES_DIR
    return {p.stem: p for p in sorted(root.glob("*.yaml"))}


@functools.lru_cache(maxsize=32)
def _cached(path: str, mtime: float) -> RuleSet:
    return load_ruleset(path)


def ruleset_for(role: str, rules_dir: str | Path | None = None) -> RuleSet:
    """The compiled rules for a role id, loaded once per process (reloaded if the file changes)."""
    files = rule_files(rules_dir)
    if role not in files:
        raise InputError(
            f"unknown role '{role}'" + suggest(role, files) + f"; known roles: {', '.join(files) or 'none'}"
        )
    path = files[role]
    return _cached(str(path), path.stat().st_mtime)


# --- evaluation ---------------------------------------------------------------------------

Status = Literal["met", "partly", "unmet", "unknown"]
STATUS_CODES: tuple[Status, ...] = ("unmet", "partly", "met", "unknown")


@dataclass(frozen=True)
class RuleResults:
    """Vectorized results of one ruleset over ``n`` rows in one setting.

    ``credit`` and ``status`` are ``(n, rules)``; ``level`` is the index of the
    level that gave the credit (-1 when none); ``gates`` is ``(n, gates)`` with
    1.0 met, 0.0 unmet and NaN unknown.
    """

    setting: str
    points: npt.NDArray[np.float64]
    credit: npt.NDArray[np.float64]
    status: npt.NDArray[np.int8]
    level: npt.NDArray[np.int16]
    gates: npt.NDArray[np.float64]
    gate_index: tuple[int, ...]

    @property
    def earned(self) -> npt.NDArray[np.float64]:
        """Points earned per row and rule."""
        return self.credit * self.points


def evaluate_rules(ruleset: RuleSet, facts: pd.DataFrame, setting: str) -> RuleResults:
    """Evaluate every rule and applicable gate of ``ruleset`` over ``facts``."""
    if setting not in ruleset.spec.settings:
        raise InputError(
            f"unknown setting '{setting}'"
            + suggest(setting, ruleset.settings)
            + f"; choose one of {', '.join(ruleset.settings)}"
        )
    n = len(facts)
    matrix = facts.to_numpy(dtype=float)
    columns = {name: matrix[:, i] for i, name in enumerate(facts.columns)}
    credit = np.zeros((n, len(ruleset.rules)))
    status = np.zeros((n, len(ruleset.rules)), dtype=np.int8)
    level = np.full((n, len(ruleset.rules)), -1, dtype=np.int16)
    for r, rule in enumerate(ruleset.rules):
        known = np.zeros(n)
        possible = np.zeros(n)
        chosen = np.full(n, -1, dtype=np.int16)
        for li, lv in enumerate(rule.levels):
            if setting not in lv.settings:
                continue
            value = lv.credit[setting]
            truth = lv.condition.evaluate(columns, n)
            better = (truth == 1.0) & (value > known)
            known = np.where(better, value, known)
            chosen = np.where(better, li, chosen)
            possible = np.where(np.isnan(truth), np.maximum(possible, value), possible)
        credit[:, r] = known
        level[:, r] = chosen
        code = np.where(known >= 0.999, 2, np.where(known > 0, 1, 0))
        status[:, r] = np.where((known == 0) & (possible > 0), 3, code)
    gate_index = tuple(i for i, g in enumerate(ruleset.gates) if setting in g.spec.settings)
    gates = np.zeros((n, len(gate_index)))
    for k, gi in enumerate(gate_index):
        gates[:, k] = ruleset.gates[gi].condition.evaluate(columns, n)
    return RuleResults(setting, ruleset.rule_points(setting), credit, status, level, gates, gate_index)
