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
import re
import string
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, Self, TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd
from pydantic import Field, ValidationError, model_validator

from advisor.actions import load_actions
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
from advisor.sourcefile import Document, Loc, decode_document, parse_document, problems_from, read_document
from advisor.vocabulary import CONSTANTS

RULES_DIR = Path(__file__).resolve().parent.parent / "rules"
"""The rule files that ship with the product."""

Band = Literal["ready", "nearly", "developing", "early"]
BANDS: tuple[Band, ...] = ("early", "developing", "nearly", "ready")
"""Bands from lowest to highest."""

Credit = Annotated[float, Field(ge=0.0, le=1.0)]
Weight = Annotated[float, Field(ge=0.0)]
Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]


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
_RULE_LOC = re.compile(r"^(rules|gates)\[(\d+)\]")


class _Head(StrictModel):
    """The file with rules and gates left raw, so each one is checked on its own."""

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
    rules: list[Any]
    gates: list[Any] = []


def _validated_items(
    doc: Document, key: str, model: type[_M], problems: list[Problem]
) -> list[tuple[int, _M]]:
    """Validate each rule (or gate) separately so one bad rule does not hide the others."""
    raw = doc.data.get(key) if isinstance(doc.data, dict) else None
    out: list[tuple[int, _M]] = []
    for i, item in enumerate(raw if isinstance(raw, list) else []):
        try:
            out.append((i, model.model_validate(item)))
        except ValidationError as exc:
            problems.extend(problems_from(exc, doc, model, prefix=(key, i)))
    return out


def _with_ids(problem: Problem, data: object) -> Problem:
    """``rules[3].levels[0]`` -> ``rules[3] (medical_office_years).levels[0]``: name the rule."""
    match = _RULE_LOC.match(problem.field)
    if not match or not isinstance(data, dict) or "(" in problem.field:
        return problem
    items = data.get(match.group(1))
    index = int(match.group(2))
    item = items[index] if isinstance(items, list) and index < len(items) else None
    rule_id = item.get("id") if isinstance(item, dict) else None
    if not isinstance(rule_id, str):
        return problem
    field = f"{match.group(0)} ({rule_id}){problem.field[match.end() :]}"
    return Problem(problem.path, problem.line, field, problem.message)


class _Checker:
    """Cross-checks a parsed rule file and collects located problems."""

    def __init__(self, doc: Document, head: _Head, catalog: Catalog) -> None:
        self.doc, self.head, self.catalog = doc, head, catalog
        self.problems: list[Problem] = []
        self.kinds = {name: s.kind for name, s in catalog.facts.items()}

    def add(self, loc: Loc, message: str) -> None:
        self.problems.append(self.doc.problem(loc, message))

    def known(self, loc: Loc, value: str, choices: Collection[str], what: str) -> None:
        if value not in choices:
            self.add(loc, f"unknown {what} '{value}'" + suggest(value, list(choices)))

    def compile(self, loc: Loc, text: str) -> Expression | None:
        try:
            return compile_expression(text, self.kinds, CONSTANTS)
        except ExpressionError as exc:
            self.add(loc, str(exc))
            return None

    def text(self, loc: Loc, text: str) -> None:
        """Only ``{fact}`` placeholders: no positions, format specs or conversions."""
        try:
            parts = list(_PLACEHOLDER.parse(text))
        except ValueError as exc:
            self.add(loc, f"braces do not match ({exc}); write {{{{ and }}}} for a literal brace")
            return
        for _, name, spec, conversion in parts:
            if name is None:
                continue
            if not name or spec or conversion:
                self.add(loc, "write a fact as {fact_name}, with no position, format or conversion")
            elif name not in self.catalog.facts:
                self.add(loc, f"unknown fact '{{{name}}}' in text" + suggest(name, self.catalog.facts))

    def settings(self, loc: Loc, names: Collection[str]) -> None:
        for name in names:
            self.known(loc, name, self.head.settings, "setting")

    def every_setting(self, loc: Loc, given: Collection[str], what: str, among: Collection[str]) -> None:
        for name in among:
            if name not in given:
                self.add(loc, f"no {what} for setting '{name}' (write 0 to give none)")

    def action(self, loc: Loc, ref: str) -> None:
        known = load_actions().actions
        if ref not in known:
            self.add(loc, f"unknown action '{ref}'" + suggest(ref, list(known)))

    def check_head(self) -> None:
        head = self.head
        for key, dim in head.dimensions.items():
            self.settings(("dimensions", key, "points"), dim.points)
            self.every_setting(("dimensions", key, "points"), dim.points, "points", head.settings)
        for setting in head.settings:
            total = sum(d.points.get(setting, 0.0) for d in head.dimensions.values())
            if abs(total - 100.0) > 0.01:
                self.add(("dimensions",), f"points add up to {total:g} in setting '{setting}', not 100")
        for name in head.bands.sources:
            self.known(("bands", "sources"), name, head.sources, "source")
        self.settings(("bands", "thresholds"), head.bands.thresholds)
        self.every_setting(("bands", "thresholds"), head.bands.thresholds, "band thresholds", head.settings)

    def check_rule(self, i: int, rule: Rule, seen: dict[str, int]) -> CompiledRule | None:
        head, base = self.head, ("rules", i)
        if rule.id in seen:
            self.add((*base, "id"), f"rule id '{rule.id}' is already used by rules[{seen[rule.id]}]")
        seen.setdefault(rule.id, i)
        self.known((*base, "dimension"), rule.dimension, head.dimensions, "dimension")
        if isinstance(rule.weight, dict):
            self.settings((*base, "weight"), rule.weight)
            self.every_setting((*base, "weight"), rule.weight, "weight", head.settings)
        for name in rule.sources:
            self.known((*base, "sources"), name, head.sources, "source")
        for j, ref in enumerate(rule.actions):
            self.action((*base, "actions", j), ref)
        self.text((*base, "unmet"), rule.unmet)
        levels = []
        for j, level in enumerate(rule.levels):
            where: Loc = (*base, "levels", j)
            condition = self.compile((*where, "when"), level.when)
            self.text((*where, "explain"), level.explain)
            applies = level.settings if level.settings is not None else list(head.settings)
            if level.settings is not None:
                self.settings((*where, "settings"), level.settings)
            if isinstance(level.credit, dict):
                self.settings((*where, "credit"), level.credit)
                self.every_setting((*where, "credit"), level.credit, "credit", applies)
            if condition is not None:
                credit = (
                    {s: float(level.credit.get(s, 0.0)) for s in head.settings}
                    if isinstance(level.credit, dict)
                    else dict.fromkeys(head.settings, float(level.credit))
                )
                levels.append(CompiledLevel(condition, credit, level.explain, frozenset(applies)))
        if len(levels) != len(rule.levels):
            return None
        return CompiledRule(rule, tuple(levels), frozenset(n for lv in levels for n in lv.condition.names))

    def check_gate(self, i: int, gate: Gate, seen: dict[str, int]) -> CompiledGate | None:
        base = ("gates", i)
        if gate.id in seen:
            self.add((*base, "id"), f"id '{gate.id}' is already used by another rule or gate")
        seen.setdefault(gate.id, i)
        self.settings((*base, "settings"), gate.settings)
        for name in gate.sources:
            self.known((*base, "sources"), name, self.head.sources, "source")
        for j, ref in enumerate(gate.actions):
            self.action((*base, "actions", j), ref)
        self.text((*base, "met"), gate.met)
        self.text((*base, "unmet"), gate.unmet)
        condition = self.compile((*base, "when"), gate.when)
        return CompiledGate(gate, condition) if condition is not None else None

    def check_raw_conditions(self, key: str, index: int, raw: object) -> None:
        """Compile the conditions of a rule or gate that failed the schema, so their
        mistakes are reported in the same run."""
        if not isinstance(raw, dict):
            return
        if isinstance(raw.get("when"), str):
            self.compile((key, index, "when"), raw["when"])
        levels = raw.get("levels")
        for j, level in enumerate(levels if isinstance(levels, list) else []):
            if isinstance(level, dict) and isinstance(level.get("when"), str):
                self.compile((key, index, "levels", j, "when"), level["when"])

    def check_coverage(self, rules: Sequence[CompiledRule]) -> None:
        """Every dimension has rules, and carries weight wherever it carries points."""
        for key, dim in self.head.dimensions.items():
            members = [r for r in rules if r.spec.dimension == key]
            if not members:
                self.add(
                    ("dimensions", key), f"dimension '{key}' has no rules, so its points can never be earned"
                )
                continue
            for setting, points in dim.points.items():
                if points > 0 and sum(r.weight(setting) for r in members) <= 0:
                    self.add(
                        ("dimensions", key, "points"),
                        f"dimension '{key}' has points in '{setting}' but all its rules weigh 0 there",
                    )


_M = TypeVar("_M", bound=StrictModel)


def _compile(doc: Document, catalog: Catalog) -> RuleSet:
    if not isinstance(doc.data, dict):
        raise RuleFileError([Problem(doc.path, 1, "", "a rules file must be a mapping of fields")])
    problems: list[Problem] = []
    try:
        head: _Head | None = _Head.model_validate(doc.data)
    except ValidationError as exc:
        head = None
        problems.extend(problems_from(exc, doc, _Head))
    rules = _validated_items(doc, "rules", Rule, problems)
    gates = _validated_items(doc, "gates", Gate, problems)
    compiled_rules: list[CompiledRule] = []
    compiled_gates: list[CompiledGate] = []
    if head is not None:
        checker = _Checker(doc, head, catalog)
        checker.check_head()
        seen: dict[str, int] = {}
        for i, rule in rules:
            compiled = checker.check_rule(i, rule, seen)
            if compiled is not None:
                compiled_rules.append(compiled)
        for i, gate in gates:
            compiled_gate = checker.check_gate(i, gate, seen)
            if compiled_gate is not None:
                compiled_gates.append(compiled_gate)
        checker.check_coverage(compiled_rules)
        for key, valid in (("rules", {i for i, _ in rules}), ("gates", {i for i, _ in gates})):
            for i, raw in enumerate(doc.data.get(key) or []):
                if i not in valid:
                    checker.check_raw_conditions(key, i, raw)
        problems.extend(checker.problems)
    if problems:
        located = {str(p): p for p in (_with_ids(p, doc.data) for p in problems)}
        raise RuleFileError(sorted(located.values(), key=lambda p: p.line or 0))
    spec = RuleFile.model_validate(doc.data)
    digest = hashlib.sha256(repr(doc.data).encode()).hexdigest()[:8]
    return RuleSet(
        spec, tuple(compiled_rules), tuple(compiled_gates), doc.path, f"{spec.version}+{digest}", catalog
    )


def load_ruleset(path: str | Path, catalog: Catalog | None = None) -> RuleSet:
    """Load, validate and compile one rules file; raise :class:`RuleFileError` on any problem."""
    try:
        doc = read_document(path)
    except DataFileError as exc:
        raise RuleFileError(exc.problems) from None
    return _compile(doc, catalog or load_catalog())


def parse_ruleset(content: str | bytes, path: str = "rules.yaml", catalog: Catalog | None = None) -> RuleSet:
    """Like :func:`load_ruleset` for content already in memory (e.g. an upload; bytes must be UTF-8)."""
    try:
        doc = (
            decode_document(content, path, "yaml")
            if isinstance(content, bytes)
            else parse_document(content, path, "yaml")
        )
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
    ruleset = _cached(str(path), path.stat().st_mtime)
    if ruleset.spec.role != role:
        raise RuleFileError(
            [Problem(str(path), None, "role", f"says '{ruleset.spec.role}' but the file is named '{role}'")]
        )
    return ruleset


# --- evaluation ---------------------------------------------------------------------------

Status = Literal["met", "partly", "unmet", "unknown"]
STATUS_CODES: tuple[Status, ...] = ("unmet", "partly", "met", "unknown")


@dataclass(frozen=True)
class RuleResults:
    """Vectorized results of one ruleset over ``n`` rows in one setting.

    ``credit``, ``possible`` and ``status`` are ``(n, rules)``: the credit the
    evidence earns, the most it could earn if what is unknown turned out well,
    and the status code (see ``STATUS_CODES``). ``level`` is the index of the
    level that gave the credit (-1 when none). ``gates`` is ``(n, gates)`` with
    1.0 met, 0.0 unmet and NaN unknown.
    """

    setting: str
    points: npt.NDArray[np.float64]
    credit: npt.NDArray[np.float64]
    possible: npt.NDArray[np.float64]
    status: npt.NDArray[np.int8]
    level: npt.NDArray[np.int16]
    gates: npt.NDArray[np.float64]
    gate_index: tuple[int, ...]

    @property
    def earned(self) -> npt.NDArray[np.float64]:
        """Points earned per row and rule."""
        return self.credit * self.points


def _columns(facts: pd.DataFrame) -> dict[str, npt.NDArray[np.float64]]:
    matrix = facts.to_numpy(dtype=float)
    return {name: matrix[:, i] for i, name in enumerate(facts.columns.tolist())}


def _differing_rows(
    facts: pd.DataFrame, upper: pd.DataFrame | None
) -> tuple[npt.NDArray[np.intp], dict[str, npt.NDArray[np.float64]] | None]:
    """Rows whose upper bounds differ from their facts, and those rows' upper-bound columns."""
    if upper is None:
        return np.zeros(0, dtype=np.intp), None
    lo, hi = facts.to_numpy(dtype=float), upper.to_numpy(dtype=float)
    rows = np.flatnonzero(~((lo == hi) | (np.isnan(lo) & np.isnan(hi))).all(axis=1))
    if rows.size == 0:
        return rows, None
    return rows, {name: hi[rows, i] for i, name in enumerate(upper.columns.tolist())}


def _best_credit(
    rule: CompiledRule, setting: str, columns: Mapping[str, npt.NDArray[np.float64]], n: int
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.int16]]:
    """Highest credit of a true level, highest credit of an unknown level, and the level given."""
    known = np.zeros(n)
    unknown = np.zeros(n)
    chosen = np.full(n, -1, dtype=np.int16)
    for li, lv in enumerate(rule.levels):
        if setting not in lv.settings:
            continue
        value = lv.credit[setting]
        truth = lv.condition.evaluate(columns, n)
        better = (truth == 1.0) & (value > known)
        known[better] = value
        chosen[better] = li
        np.maximum(unknown, value, out=unknown, where=np.isnan(truth))
    return known, unknown, chosen


def evaluate_rules(
    ruleset: RuleSet, facts: pd.DataFrame, setting: str, upper: pd.DataFrame | None = None
) -> RuleResults:
    """Evaluate every rule and applicable gate of ``ruleset`` over ``facts``.

    ``upper`` holds the facts' upper bounds (see :func:`advisor.facts.derive_fact_bounds`);
    a rule that would earn more on them is reported as possibly higher, and a
    gate they would meet counts as unknown rather than unmet. Flag facts are 0, 1 or
    NaN (unknown), as the facts module derives them; the conditions' three-valued logic
    relies on it.
    """
    if setting not in ruleset.spec.settings:
        raise InputError(
            f"unknown setting '{setting}'"
            + suggest(setting, ruleset.settings)
            + f"; choose one of {', '.join(ruleset.settings)}"
        )
    n = len(facts)
    columns = _columns(facts)
    rows, high = _differing_rows(facts, upper)
    shape = (n, len(ruleset.rules))
    credit, possible = np.zeros(shape), np.zeros(shape)
    status = np.zeros(shape, dtype=np.int8)
    level = np.full(shape, -1, dtype=np.int16)
    for r, rule in enumerate(ruleset.rules):
        known, unknown, chosen = _best_credit(rule, setting, columns, n)
        best = np.maximum(known, unknown)
        if high is not None:
            high_known, high_unknown, _ = _best_credit(rule, setting, high, rows.size)
            best[rows] = np.maximum(best[rows], np.maximum(high_known, high_unknown))
        credit[:, r], possible[:, r], level[:, r] = known, best, chosen
        code = np.where(known >= 0.999, 2, np.where(known > 0, 1, 0))
        status[:, r] = np.where((known == 0) & (best > 0), 3, code)
    gate_index = tuple(i for i, g in enumerate(ruleset.gates) if setting in g.spec.settings)
    gates = np.zeros((n, len(gate_index)))
    for k, gi in enumerate(gate_index):
        condition = ruleset.gates[gi].condition
        value = np.array(condition.evaluate(columns, n), dtype=float)  # a copy: columns may be read-only
        if high is not None:
            above = condition.evaluate(high, rows.size)
            value[rows] = np.where((value[rows] == 0.0) & (above != 0.0), np.nan, value[rows])
        gates[:, k] = value
    return RuleResults(
        setting, ruleset.rule_points(setting), credit, possible, status, level, gates, gate_index
    )
