"""Planning: recommendations with measured lift, credential eligibility, a dated roadmap, the ladder.

Everything here is measured by re-scoring changed profiles with the same
engine that made the assessment; nothing is estimated from weights.

* Recommendations apply each open action to the profile, re-score it at the
  month the action would be finished (the person keeps working meanwhile, so
  the comparison is with the same month without the action), and keep those
  that move the score.
* Eligibility evaluates every credential's prerequisite pathways on the
  person's facts month by month, so "eligible from 2027-09" is the first month
  a pathway holds.
* The roadmap searches every order of every subset of the most valuable
  actions (and the actions that open them). Study actions share a small
  number of slots (``max_parallel_study``); work actions (a new role, new
  duties) run one at a time; each action starts at the first month its
  prerequisites hold given what is finished by then. It returns the quickest
  plan to the target band, or the cheapest, preferring plans within budget.
* The ladder scores the person against every rung's rules.
* :func:`advise` runs all of it; :func:`what_if` schedules and re-scores a
  set of actions the person picks.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from pydantic import BaseModel, ConfigDict

from advisor.actions import Action, ActionCatalog, load_actions
from advisor.catalog import Catalog
from advisor.citation import Cited
from advisor.errors import InputError
from advisor.expression import Expression, kleene_and, kleene_or
from advisor.facts import derive_fact_series, derive_fact_timeline
from advisor.goals import Goals
from advisor.profile import Profile, check_profile, current_month, month_index, month_label, parse_month
from advisor.rules import BANDS, RuleSet, rule_files, ruleset_for
from advisor.scoring import Assessment, assess, score_facts
from advisor.vocabulary import CONSTANTS, EDUCATION_LEVEL_NAMES, PROFICIENCY_LEVEL_NAMES, FactSpec

HORIZON = 60
"""Months a roadmap may span."""
CANDIDATES = 5
"""The roadmap searches every order of every subset of this many actions."""
Optimize = Literal["time", "cost"]
READY = BANDS.index("ready")

_LEVEL_WORDS = {
    1: "a high-school diploma",
    2: "a certificate",
    3: "an associate degree",
    4: "a bachelor's degree",
    5: "a master's degree",
    6: "a doctorate",
}
_THRESHOLD = re.compile(r"^([a-z_]+) >= ([0-9.]+|[a-z_]+)$")


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class SourceNote(_Out):
    """Where a planning figure comes from."""

    source: list[str]
    as_of: str
    note: str | None = None
    secondary: bool = False
    uncertain: bool = False
    estimate: bool = False


def _note(cited: Cited | None, estimate: bool = False) -> SourceNote | None:
    if cited is None:
        return None
    return SourceNote(
        source=list(cited.source),
        as_of=cited.as_of,
        note=cited.note,
        secondary=cited.secondary,
        uncertain=cited.uncertain,
        estimate=estimate or cited.gap,
    )


class Recommendation(_Out):
    """One action, with the change it makes when re-scored."""

    id: str
    kind: str
    title: str
    lift: float
    score_before: float
    score_after: float
    band_before: str
    band_after: str
    months: int
    """How long the action takes at the person's hours."""
    starts: str
    """The first month it can start: now, or when a prerequisite is met by working on."""
    done_by: str
    cost_low: float
    cost_typical: float
    cost_high: float
    cost_what: str
    cost_estimate: bool
    duration: str
    duration_estimate: bool
    eligible_now: bool | None
    eligibility: str
    needs: list[str]
    """Conditions not met now (for an action that is not open yet)."""
    also: list[str]
    membership: str | None
    cost_source: SourceNote | None
    duration_source: SourceNote | None


class Eligibility(_Out):
    """Whether a person can sit a credential's exam, and from when."""

    code: str
    name: str
    issuer: str
    level: str
    status: Literal["held", "eligible", "from_date", "blocked", "unknown"]
    date: str | None
    pathway: str | None
    waiting_for: list[str]
    blocked_by: str | None
    also: list[str]
    membership: str | None
    summary: str
    source: SourceNote | None


class Step(_Out):
    """One action in a roadmap."""

    id: str
    title: str
    kind: str
    start: str
    end: str
    months: int
    cost_low: float
    cost_typical: float
    cost_high: float
    cost_estimate: bool
    score_after: float
    band_after: str


class Roadmap(_Out):
    """A dated, costed sequence of actions toward the target band."""

    role: str
    setting: str
    target_band: str
    optimize: Optimize
    hours_per_week: int
    budget_usd: int
    horizon_months: int
    reached: bool
    ready_month: str | None
    months_to_target: int | None
    best_band: str
    best_score: float
    steps: list[Step]
    total_cost_low: float
    total_cost_typical: float
    total_cost_high: float
    over_budget: bool
    unplaced: list[str]
    """Actions asked for (in a what-if) that cannot start within the horizon."""
    holding_back: list[str]
    """When ``ready`` is not reached: the hard requirements still unmet at the horizon."""
    note: str


class Rung(_Out):
    """A role on the ladder, with the person's readiness and the BLS facts."""

    role: str
    title: str
    order: int
    soc: str
    score: float
    band: str
    target: bool
    median_pay_usd: float
    pay_period: str
    pay_year: str
    pay_source: SourceNote | None
    entry_education: str
    entry_education_source: SourceNote | None
    outlook: str
    outlook_source: SourceNote | None
    ready_month: str | None
    months_to_ready: int | None
    ready_how: Literal["now", "working_on", "plan", "not_in_horizon"]
    """How ``ready`` comes: already, by keeping the current job, with the roadmap, or not in the horizon."""


class Advice(_Out):
    """An assessment with everything that says what to do next."""

    assessment: Assessment
    """For the goal's setting, with ``recommendations``, ``plan`` and ``adjacent_roles`` filled."""
    recommendations: list[Recommendation]
    eligibility: list[Eligibility]
    roadmap: Roadmap
    ladder: list[Rung]


class WhatIf(_Out):
    """The person's own pick of actions, scheduled and re-scored."""

    picked: list[str]
    roadmap: Roadmap
    before: Assessment
    after: Assessment
    """The assessment at the month the last picked action is done, with them all done."""
    without: float
    """The score at that month without the actions (experience still accrues)."""


# --- words --------------------------------------------------------------------------------


def describe_condition(text: str, specs: Mapping[str, FactSpec], constants: Mapping[str, float]) -> str:
    """A condition in words: ``years_healthcare >= 2`` -> ``2 years working in healthcare settings``."""
    match = _THRESHOLD.match(text)
    if match is None:
        return text
    name, raw = match.groups()
    spec = specs.get(name)
    if spec is None:
        return text
    value = constants.get(raw, None) if not raw[0].isdigit() else float(raw)
    if value is None:
        return text
    description = spec.description.split(" (")[0]
    if spec.unit == "years":
        rest = description.removeprefix("Years ").removeprefix("years ")
        return f"{value:g} year{'s' if value != 1 else ''} {rest}"
    if spec.unit == "level" and spec.section == "education":
        words = _LEVEL_WORDS.get(int(value), f"level {value:g}")
        group = name.removesuffix("_education_level").replace("_", " ")
        return words if name == "education_level" else f"{words} in {group}"
    return f"{description}: at least {value:g}"


# --- shared state -------------------------------------------------------------------------

Columns = dict[str, npt.NDArray[np.float64]]
DoneKey = frozenset[tuple[str, int]]
"""Actions finished, as (id, start month offset); the start only matters for a new job."""


def _columns(facts: pd.DataFrame) -> Columns:
    matrix = facts.to_numpy(dtype=float)
    return {name: matrix[:, i] for i, name in enumerate(facts.columns.tolist())}


def _key(action: Action, start: int) -> tuple[str, int]:
    """A new job's facts depend on when it starts (experience accrues from then); a credential,
    course or duty gives the same whenever it was started."""
    return (action.id, start if action.kind == "experience" else 0)


@dataclass
class _Context:
    """Everything planning shares for one profile, role, setting and date.

    Frames are the person's facts month by month (offset 0 is now) with a set of
    actions done; their scores are computed in batches, because scoring many
    timelines at once costs little more than scoring one.
    """

    profile: Profile
    ruleset: RuleSet
    setting: str
    goals: Goals
    now: int
    horizon: int
    actions: ActionCatalog
    months: dict[str, int] = field(init=False)
    _facts: dict[DoneKey, tuple[pd.DataFrame, pd.DataFrame, Columns]] = field(
        init=False, default_factory=dict
    )
    _scores: dict[DoneKey, tuple[npt.NDArray[np.float64], npt.NDArray[np.int_]]] = field(
        init=False, default_factory=dict
    )
    _truth: dict[tuple[str, DoneKey], npt.NDArray[np.float64]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        base = self.columns(frozenset())
        has_associate = float(np.nan_to_num(base["education_level"][0])) >= EDUCATION_LEVEL_NAMES["associate"]
        hours = self.goals.hours_per_week
        self.months = {a.id: a.months_at(hours, has_associate) for a in self.actions.actions.values()}

    @property
    def catalog(self) -> Catalog:
        return self.ruleset.catalog

    def month(self, offset: int) -> str:
        return month_label(self.now + offset)

    def profile_with(self, done: DoneKey) -> Profile:
        profile = self.profile
        for action_id, start in sorted(done, key=lambda k: (k[1], k[0])):  # in time order: jobs end jobs
            action = self.actions.actions[action_id]
            profile = action.apply(profile, self.now + start, self.now + start + self.months[action_id])
        return profile

    def frame(self, done: DoneKey) -> tuple[pd.DataFrame, pd.DataFrame, Columns]:
        if done not in self._facts:
            lower, upper = derive_fact_timeline(
                self.profile_with(done), self.month(0), self.horizon, self.catalog
            )
            self._facts[done] = (lower, upper, _columns(lower))
        return self._facts[done]

    def columns(self, done: DoneKey) -> Columns:
        return self.frame(done)[2]

    def score_all(self, wanted: Iterable[tuple[DoneKey, int, int]]) -> None:
        """Score, in one batch, the months ``start`` to ``stop`` (exclusive) of each frame asked
        for that are not scored yet: only the months a plan looks at are ever scored."""
        rows: dict[DoneKey, set[int]] = {}
        for done, start, stop in wanted:
            scored = self._scores.get(done)
            need = (
                range(start, stop) if scored is None else [m for m in range(start, stop) if scored[1][m] < 0]
            )
            if need:
                rows.setdefault(done, set()).update(need)
        if not rows:
            return
        todo = sorted(rows, key=sorted)
        picks = [sorted(rows[d]) for d in todo]
        frames = [self.frame(d) for d in todo]
        lower = pd.concat([f[0].iloc[p] for f, p in zip(frames, picks, strict=True)], ignore_index=True)
        upper = pd.concat([f[1].iloc[p] for f, p in zip(frames, picks, strict=True)], ignore_index=True)
        table = score_facts(self.ruleset, lower, self.setting, upper=upper)
        scores = table["score"].to_numpy()
        bands = table["band"].map(BANDS.index).to_numpy()
        at = 0
        for done, pick in zip(todo, picks, strict=True):
            if done not in self._scores:
                self._scores[done] = (np.full(self.horizon + 1, np.nan), np.full(self.horizon + 1, -1))
            full_scores, full_bands = self._scores[done]
            full_scores[pick] = scores[at : at + len(pick)]
            full_bands[pick] = bands[at : at + len(pick)]
            at += len(pick)

    def scores(
        self, done: DoneKey, start: int = 0, stop: int | None = None
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int_]]:
        """Scores and bands of a frame by month; months ``start`` to ``stop`` are sure to be filled
        (others may be NaN and -1)."""
        self.score_all([(done, start, self.horizon + 1 if stop is None else stop)])
        return self._scores[done]

    def open_from(self, action: Action, done: DoneKey) -> npt.NDArray[np.float64]:
        """Per month: 1 where ``action`` is open with ``done`` finished, 0 where not, NaN unknown."""
        key = (action.id, done)
        if key not in self._truth:
            self._truth[key] = _truth(action.pathways, self.columns(done), self.horizon + 1)
        return self._truth[key]


def _truth(
    pathways: Sequence[tuple[Any, Sequence[Expression]]], columns: Columns, rows: int
) -> npt.NDArray[np.float64]:
    """1 where some pathway holds, 0 where none does, NaN where it cannot be told."""
    if not pathways:
        return np.ones(rows)
    best = np.zeros(rows)
    for _, conditions in pathways:
        holds = np.ones(rows)
        for condition in conditions:
            holds = kleene_and(holds, condition.evaluate(columns, rows))
        best = kleene_or(best, holds)
    return best


@dataclass(frozen=True)
class _Opening:
    """When a set of prerequisite pathways first holds on a timeline."""

    first: int | None
    """Month offset of the first month some pathway holds; None if none does within the horizon."""
    pathway: int | None
    """Index of the pathway that opens first, or else of the closest one."""
    unmet: tuple[str, ...]
    """Conditions of that pathway not met now (opening later) or at the horizon (blocked)."""
    unknown: bool
    """Nothing holds, and the profile does not say enough to tell."""


def _opening(pathways: Sequence[tuple[Any, Sequence[Expression]]], columns: Columns, rows: int) -> _Opening:
    if not pathways:
        return _Opening(0, None, (), False)
    evaluated = []
    for index, (_, conditions) in enumerate(pathways):
        values = [c.evaluate(columns, rows) for c in conditions]
        holds = np.all([v == 1.0 for v in values], axis=0)
        first = int(np.argmax(holds)) if holds.any() else None
        evaluated.append((first, index, conditions, values))
    reachable = [e for e in evaluated if e[0] is not None]
    if reachable:
        first, index, conditions, values = min(reachable, key=lambda e: (e[0], e[1]))
        unmet = tuple(c.text for c, v in zip(conditions, values, strict=True) if v[0] != 1.0)
        return _Opening(first, index, unmet, False)
    # Blocked: the pathway with the fewest conditions unmet at the horizon is the closest.
    first, index, conditions, values = min(evaluated, key=lambda e: (sum(v[-1] != 1.0 for v in e[3]), e[1]))
    unmet = tuple(c.text for c, v in zip(conditions, values, strict=True) if v[-1] != 1.0)
    unknown = not any(v[-1] == 0 for v in values)
    return _Opening(None, index, unmet, unknown)


def _words(conditions: Iterable[str], catalog: Catalog) -> list[str]:
    return [describe_condition(c, catalog.facts, CONSTANTS) for c in conditions]


def _already_done(action: Action, profile: Profile, facts: Mapping[str, float], catalog: Catalog) -> bool:
    """True when the profile already has what the action would give."""
    effect = action.effect
    if action.kind == "cert":
        return facts.get(f"cert_{effect['code']}".replace("-", "_"), 0) == 1
    if action.kind == "program":
        program = catalog.programs[action.id.split(":", 1)[1]]
        held = facts.get(f"{program.field_group}_education_level", 0)
        return bool(np.nan_to_num(held) >= EDUCATION_LEVEL_NAMES[program.level])
    if action.kind == "course":
        return facts.get(f"course_{effect['coursework']}", 0) == 1
    if action.kind == "duty":
        return all(facts.get(f"duty_{d}", 0) == 1 for d in effect["duties"])
    if action.kind == "software":
        wanted = PROFICIENCY_LEVEL_NAMES[effect["proficiency"]]
        return any(
            s.name in effect["software"] and PROFICIENCY_LEVEL_NAMES[s.proficiency or "basic"] >= wanted
            for s in profile.software or []
        )
    family = effect["job"]["role_family"]
    return any(j.end is None and j.role_family == family for j in profile.experience or [])


# --- recommendations ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Measured:
    """An open action with its opening on the person's current path and its measured effect."""

    action: Action
    opening: _Opening
    wait: int
    """Months until it can start (0 when open now or blocked)."""
    score: float
    band: int
    row: int
    """This action's row in :attr:`_Measurement.horizon`."""
    horizon_gain: tuple[int, float]
    """Bands and points gained at the horizon when started as early as possible: how the roadmap
    picks its candidates."""

    @property
    def blocked(self) -> bool:
        return self.opening.first is None


@dataclass(frozen=True)
class _Measurement:
    actions: list[_Measured]
    horizon: Columns
    """The facts at the horizon with each action done, one row per action: what opens what."""


def _measure(ctx: _Context) -> _Measurement:
    """Re-score the profile with each open action done, at the month it would be finished and at
    the horizon, in one batch."""
    base = ctx.columns(frozenset())
    facts_now = {name: float(values[0]) for name, values in base.items()}
    rows = ctx.horizon + 1
    pending = []
    for action in ctx.actions.actions.values():
        if _already_done(action, ctx.profile, facts_now, ctx.catalog):
            continue
        opening = _opening(action.pathways, base, rows)
        wait = opening.first or 0
        if wait + ctx.months[action.id] > ctx.horizon:
            continue
        pending.append((action, opening, wait))
    changed = [a.apply(ctx.profile, ctx.now + w, ctx.now + w + ctx.months[a.id]) for a, _, w in pending]
    # Two rows per action, in one pass each: the month it is done, and the horizon.
    when = [[ctx.month(w + ctx.months[a.id]), ctx.month(ctx.horizon)] for a, _, w in pending]
    lower, upper = derive_fact_series(changed, when, ctx.catalog)
    table = score_facts(ctx.ruleset, lower, ctx.setting, upper=upper)
    scores = table["score"].to_numpy()[0::2]
    bands = table["band"].map(BANDS.index).to_numpy()[0::2]
    at_horizon = table["score"].to_numpy()[1::2]
    bands_at_horizon = table["band"].map(BANDS.index).to_numpy()[1::2]
    base_scores, base_bands = ctx.scores(frozenset())
    last = ctx.horizon
    measured = [
        _Measured(
            a,
            o,
            w,
            float(scores[i]),
            int(bands[i]),
            i,
            (int(bands_at_horizon[i] - base_bands[last]), float(at_horizon[i] - base_scores[last])),
        )
        for i, (a, o, w) in enumerate(pending)
    ]
    return _Measurement(measured, _columns(lower.iloc[1::2]))


def _eligibility_words(eligible: bool | None, opening: _Opening, starts: str, catalog: Catalog) -> str:
    if eligible:
        return "open now"
    needs = "; ".join(_words(opening.unmet, catalog))
    if opening.first is not None:
        return f"open from {starts}, when you reach: {needs}"
    if eligible is None:
        return "not known: the profile does not say enough" + (f" ({needs})" if needs else "")
    return f"needs first: {needs}" if needs else "not open to you yet"


def _recommend(ctx: _Context, measured: Sequence[_Measured]) -> list[Recommendation]:
    base_scores, base_bands = ctx.scores(frozenset())
    out = []
    for m in measured:
        action = m.action
        done = m.wait + ctx.months[action.id]
        before = float(base_scores[done])
        lift = round(m.score - before, 1)
        if lift <= 0:
            continue
        now = ctx.open_from(action, frozenset())[0]
        eligible = None if math.isnan(now) else bool(now == 1.0)
        starts = ctx.month(m.wait)
        out.append(
            Recommendation(
                id=action.id,
                kind=action.kind,
                title=action.title,
                lift=lift,
                score_before=round(before, 1),
                score_after=round(m.score, 1),
                band_before=BANDS[int(base_bands[done])],
                band_after=BANDS[m.band],
                months=ctx.months[action.id],
                starts=starts,
                done_by=ctx.month(done),
                cost_low=action.cost.low,
                cost_typical=action.cost.typical,
                cost_high=action.cost.high,
                cost_what=action.cost.what,
                cost_estimate=action.cost.estimate,
                duration=action.duration.text,
                duration_estimate=action.duration.estimate,
                eligible_now=eligible,
                eligibility=_eligibility_words(eligible, m.opening, starts, ctx.catalog),
                needs=[] if eligible else _words(m.opening.unmet, ctx.catalog),
                also=list(action.also),
                membership=action.membership,
                cost_source=_note(action.cost.citation, action.cost.estimate),
                duration_source=_note(action.duration.citation, action.duration.estimate),
            )
        )
    # Open (now or by working on) before blocked; then a band gained; then lift per month waited
    # and spent; then the cheaper; then the id, so equal values always rank the same way.
    out.sort(
        key=lambda r: (
            r.eligible_now is not True and not r.eligibility.startswith("open from"),
            -(BANDS.index(r.band_after) - BANDS.index(r.band_before)),
            -r.lift / (month_index(r.done_by) - ctx.now),
            r.cost_typical,
            r.id,
        )
    )
    return out


# --- eligibility --------------------------------------------------------------------------


def _eligibility(ctx: _Context) -> list[Eligibility]:
    catalog = ctx.catalog
    columns = ctx.columns(frozenset())
    rows = ctx.horizon + 1
    out = []
    for code, cert in catalog.certifications.items():
        prereq = cert.prerequisites
        pathways = catalog.prerequisites[code]
        common: dict[str, Any] = dict(
            code=code,
            name=cert.name,
            issuer=cert.issuer,
            level=cert.level,
            summary=prereq.summary,
            membership=cert.membership,
            source=_note(prereq),
            also=list(dict.fromkeys([a for p in prereq.pathways for a in p.also] + prereq.also_pathways)),
        )
        if columns.get(f"cert_{code}".replace("-", "_"), np.zeros(rows))[0] == 1:
            out.append(
                Eligibility(status="held", date=None, pathway=None, waiting_for=[], blocked_by=None, **common)
            )
            continue
        if not pathways:
            status: Literal["eligible", "unknown"] = "unknown" if prereq.gap else "eligible"
            out.append(
                Eligibility(status=status, date=None, pathway=None, waiting_for=[], blocked_by=None, **common)
            )
            continue
        opening = _opening(pathways, columns, rows)
        label = pathways[opening.pathway or 0][0].label
        if opening.first is not None:
            out.append(
                Eligibility(
                    status="eligible" if opening.first == 0 else "from_date",
                    date=None if opening.first == 0 else ctx.month(opening.first),
                    pathway=label,
                    waiting_for=_words(opening.unmet, catalog),
                    blocked_by=None,
                    **common,
                )
            )
            continue
        out.append(
            Eligibility(
                status="unknown" if opening.unknown else "blocked",
                date=None,
                pathway=label,
                waiting_for=[],
                blocked_by=prereq.blocked_without or ", ".join(_words(opening.unmet, catalog)),
                **common,
            )
        )
    return out


# --- roadmap ------------------------------------------------------------------------------

Placed = tuple[Action, int, int]
"""(action, start offset, end offset), months from now."""


def _finished(steps: Sequence[Placed], month: int) -> DoneKey:
    return frozenset(_key(a, s) for a, s, e in steps if e <= month)


@dataclass(frozen=True)
class _State:
    """A partial schedule: when each study slot and the work track are next free."""

    study: tuple[int, ...]
    work: int
    steps: tuple[Placed, ...]


def _place(state: _State, action: Action, ctx: _Context) -> _State | None:
    """Start ``action`` at the first month a slot is free and its prerequisites hold given what
    is finished by then; ``None`` if that cannot happen within the horizon."""
    months = ctx.months[action.id]
    slot = min(range(len(state.study)), key=state.study.__getitem__) if action.is_study else None
    month = state.study[slot] if slot is not None else state.work
    while month + months <= ctx.horizon:
        later = [e for _, _, e in state.steps if e > month]
        until = min(later, default=ctx.horizon + 1)
        window = ctx.open_from(action, _finished(state.steps, month))[month:until] == 1.0
        if window.any():
            start = month + int(np.argmax(window))
            if start + months > ctx.horizon:
                return None
            steps = (*state.steps, (action, start, start + months))
            if slot is None:
                return _State(state.study, start + months, steps)
            study = tuple(start + months if i == slot else t for i, t in enumerate(state.study))
            return _State(study, state.work, steps)
        month = until
    return None


def _schedules(candidates: Sequence[Action], ctx: _Context) -> list[tuple[Placed, ...]]:
    """The schedule of every feasible order of every subset of ``candidates`` (depth-first, so an
    order whose prefix cannot be placed is not extended), without repeats."""
    found: dict[frozenset[tuple[str, int, int]], tuple[Placed, ...]] = {}

    def extend(state: _State, used: frozenset[str]) -> None:
        found.setdefault(frozenset((a.id, s, e) for a, s, e in state.steps), state.steps)
        for action in candidates:
            if action.id not in used:
                placed = _place(state, action, ctx)
                if placed is not None:
                    extend(placed, used | {action.id})

    extend(_State((0,) * ctx.actions.max_parallel_study, 0, ()), frozenset())
    return list(found.values())


def _events(steps: Sequence[Placed]) -> list[int]:
    return sorted({0, *(e for _, _, e in steps)})


def _windows(steps: Sequence[Placed], ctx: _Context) -> list[tuple[DoneKey, int, int]]:
    """The frames and months :func:`_readiness` looks at, so they can be scored in one batch."""
    bounds = itertools.pairwise([*_events(steps), ctx.horizon + 1])
    return [(_finished(steps, a), a, b) for a, b in bounds] + [
        (_finished(steps, ctx.horizon), ctx.horizon, ctx.horizon + 1)
    ]


def _readiness(steps: Sequence[Placed], ctx: _Context, target: int) -> tuple[int | None, int, float]:
    """First month the band reaches ``target`` (or None), and the band and score at the horizon."""
    events = _events(steps)
    for i, start in enumerate(events):
        stop = events[i + 1] if i + 1 < len(events) else ctx.horizon + 1
        _, bands = ctx.scores(_finished(steps, start), start, stop)
        hit = bands[start:stop] >= target
        if hit.any():
            break
    else:
        start, hit = -1, np.zeros(1, dtype=bool)
    scores, bands = ctx.scores(_finished(steps, ctx.horizon), ctx.horizon)
    ready = start + int(np.argmax(hit)) if hit.any() else None
    return ready, int(bands[ctx.horizon]), float(scores[ctx.horizon])


def _objective(
    optimize: Optimize, ready: int | None, band: int, score: float, steps: Sequence[Placed], budget: int
) -> tuple[object, ...]:
    """Smaller is better: reaching the target first, then staying within budget, then time or
    cost, then fewer steps, then the higher final score, then the steps themselves (so equal
    plans resolve the same way)."""
    cost = sum(a.cost.typical for a, _, _ in steps)
    tie = (len(steps), -score, sorted((s, a.id) for a, s, _ in steps))
    if ready is None:
        return (1, cost > budget, -band, -score, cost, *tie)
    if optimize == "time":
        return (0, cost > budget, ready, cost, *tie)
    return (0, cost > budget, cost, ready, *tie)


def _candidates(ctx: _Context, measurement: _Measurement) -> list[Action]:
    """The actions that gain most at the horizon, each preceded by the actions that open it when
    working on would not (a medical-office job before a supervisor's, before a manager's)."""
    valuable = sorted(
        (m for m in measurement.actions if m.horizon_gain[1] > 1e-9),
        key=lambda m: (
            -m.horizon_gain[0],
            -m.horizon_gain[1],
            ctx.months[m.action.id],
            m.action.cost.typical,
            m.action.id,
        ),
    )
    chosen: list[Action] = []
    for m in valuable:
        if len(chosen) >= CANDIDATES:
            break
        if m.action in chosen:
            continue
        need = [] if not m.blocked else _enablers(m.action, measurement, chosen, ctx, depth=3)
        if need is None:
            continue
        new = [a for a in [*need, m.action] if a not in chosen]
        if len(chosen) + len(new) <= CANDIDATES:
            chosen += new
    return chosen


def _enablers(
    action: Action, measurement: _Measurement, chosen: Sequence[Action], ctx: _Context, depth: int
) -> list[Action] | None:
    """Actions that open ``action`` by the horizon (first to last), preferring one already chosen,
    then one open by working on, then the quickest; ``None`` if no chain of ``depth`` does."""
    measured = measurement.actions
    opens = _truth(action.pathways, measurement.horizon, len(measured)) == 1.0
    ranked = sorted(
        (
            (m.action not in chosen, m.blocked, ctx.months[m.action.id], m.action.cost.typical, m.action.id),
            m,
        )
        for m in measured
        if m.action is not action and opens[m.row]
    )
    for _, other in ranked:
        if not other.blocked or other.action in chosen:
            return [other.action]
        if depth > 1:
            before = _enablers(other.action, measurement, chosen, ctx, depth - 1)
            if before is not None:
                return [*before, other.action]
    return None


def _best_schedule(
    candidates: Sequence[Action], ctx: _Context, optimize: Optimize
) -> tuple[tuple[Placed, ...], int | None, int, float]:
    schedules = _schedules(candidates, ctx)  # never empty: the empty schedule always fits
    ctx.score_all(window for s in schedules for window in _windows(s, ctx))
    rated = [(steps, *_readiness(steps, ctx, READY)) for steps in schedules]
    return min(rated, key=lambda r: _objective(optimize, r[1], r[2], r[3], r[0], ctx.goals.budget_usd))


def _roadmap(
    ctx: _Context,
    steps: Sequence[Placed],
    ready: int | None,
    band: int,
    score: float,
    optimize: Optimize,
    unplaced: Sequence[str] = (),
) -> Roadmap:
    out = []
    ctx.score_all((_finished(steps, e), e, e + 1) for _, _, e in steps)
    for action, start, end in sorted(steps, key=lambda s: (s[1], s[2], s[0].id)):
        scores, bands = ctx.scores(_finished(steps, end), end, end + 1)
        out.append(
            Step(
                id=action.id,
                title=action.title,
                kind=action.kind,
                start=ctx.month(start),
                end=ctx.month(end),
                months=end - start,
                cost_low=action.cost.low,
                cost_typical=action.cost.typical,
                cost_high=action.cost.high,
                cost_estimate=action.cost.estimate,
                score_after=round(float(scores[end]), 1),
                band_after=BANDS[int(bands[end])],
            )
        )
    totals = [sum(getattr(a.cost, k) for a, _, _ in steps) for k in ("low", "typical", "high")]
    over = totals[1] > ctx.goals.budget_usd
    if ready == 0:
        note = "Ready now."
    elif ready is not None and not out:
        note = f"Keep working: experience alone reaches 'ready' by {ctx.month(ready)}."
    elif ready is not None:
        note = f"'Ready' by {ctx.month(ready)}, {ready} months from now."
    else:
        note = (
            f"'Ready' is out of reach within {ctx.horizon} months with the actions considered; "
            f"the best reachable band is '{BANDS[band]}'."
        )
    holding_back = []
    if ready is None:
        final = ctx.profile_with(_finished(steps, ctx.horizon))
        outcome = assess(final, ctx.ruleset.spec.role, ctx.setting, ctx.month(ctx.horizon), ctx.ruleset)
        holding_back = [g.statement for g in outcome.gates if g.status != "met"]
        if holding_back:
            note += " Still unmet then: " + "; ".join(holding_back) + "."
    if over:
        note += f" The typical cost (${totals[1]:,.0f}) is over the ${ctx.goals.budget_usd:,} budget."
    return Roadmap(
        role=ctx.ruleset.spec.role,
        setting=ctx.setting,
        target_band="ready",
        optimize=optimize,
        hours_per_week=ctx.goals.hours_per_week,
        budget_usd=ctx.goals.budget_usd,
        horizon_months=ctx.horizon,
        reached=ready is not None,
        ready_month=None if ready is None else ctx.month(ready),
        months_to_target=ready,
        best_band=BANDS[band],
        best_score=round(score, 1),
        steps=out,
        total_cost_low=totals[0],
        total_cost_typical=totals[1],
        total_cost_high=totals[2],
        over_budget=over,
        unplaced=list(unplaced),
        holding_back=holding_back,
        note=note,
    )


# --- ladder -------------------------------------------------------------------------------


def _ladder(ctx: _Context, roadmap: Roadmap) -> list[Rung]:
    files = rule_files()
    lower, upper, _ = ctx.frame(frozenset())
    out = []
    for role_id, role in sorted(ctx.catalog.roles.items(), key=lambda item: item[1].order):
        if role_id not in files:
            continue
        target = role_id == ctx.ruleset.spec.role
        if target:  # already scored month by month for the roadmap
            scores, bands = ctx.scores(frozenset())
        else:
            rules = ruleset_for(role_id)
            setting = ctx.setting if ctx.setting in rules.settings else next(iter(rules.settings))
            table = score_facts(rules, lower, setting, upper=upper)
            scores, bands = table["score"].to_numpy(), table["band"].map(BANDS.index).to_numpy()
        hit = bands == READY
        if target and roadmap.reached:
            months: int | None = roadmap.months_to_target
            how: Literal["now", "working_on", "plan", "not_in_horizon"] = (
                "now" if months == 0 else "plan" if roadmap.steps else "working_on"
            )
        elif hit.any():
            months = int(np.argmax(hit))
            how = "now" if months == 0 else "working_on"
        else:
            months, how = None, "not_in_horizon"
        pay = role.median_pay
        out.append(
            Rung(
                role=role_id,
                title=role.title,
                order=role.order,
                soc=role.soc,
                score=float(scores[0]),
                band=BANDS[int(bands[0])],
                target=target,
                median_pay_usd=pay.usd,
                pay_period=pay.period,
                pay_year=pay.data_year,
                pay_source=_note(pay),
                entry_education=role.typical_entry_education.value,
                entry_education_source=_note(role.typical_entry_education),
                outlook=role.outlook.text,
                outlook_source=_note(role.outlook),
                ready_month=None if months is None else ctx.month(months),
                months_to_ready=months,
                ready_how=how,
            )
        )
    return out


# --- entry points -------------------------------------------------------------------------


def _start(
    profile: Profile, goals: Goals, as_of: str | None, horizon: int, actions: ActionCatalog | None
) -> tuple[_Context, Assessment]:
    if not 1 <= horizon <= 240:
        raise InputError(f"horizon: expected 1 to 240 months, got {horizon}")
    month = parse_month(as_of, "as_of") if as_of is not None else current_month()
    ruleset = ruleset_for(goals.role)
    check_profile(profile, month)
    assessment = assess(profile, goals.role, goals.setting, month, ruleset)
    ctx = _Context(
        profile, ruleset, goals.setting, goals, month_index(month), horizon, actions or load_actions()
    )
    return ctx, assessment


def advise(
    profile: Profile,
    goals: Goals,
    as_of: str | None = None,
    horizon: int = HORIZON,
    actions: ActionCatalog | None = None,
) -> Advice:
    """Assess ``profile`` for the goal's role and setting and say what to do next: ranked
    recommendations, credential eligibility, the roadmap to ``ready`` (quickest or cheapest,
    as the goals say) and the ladder."""
    ctx, assessment = _start(profile, goals, as_of, horizon, actions)
    optimize = goals.optimize
    measurement = _measure(ctx)
    recommendations = _recommend(ctx, measurement.actions)
    steps, ready, band, score = _best_schedule(_candidates(ctx, measurement), ctx, optimize)
    road = _roadmap(ctx, steps, ready, band, score, optimize)
    rungs = _ladder(ctx, road)
    eligibility = _eligibility(ctx)
    filled = assessment.model_copy(
        update={
            "recommendations": [r.model_dump() for r in recommendations],
            "plan": {"roadmap": road.model_dump(), "eligibility": [e.model_dump() for e in eligibility]},
            "adjacent_roles": [r.model_dump() for r in rungs],
        }
    )
    return Advice(
        assessment=filled,
        recommendations=recommendations,
        eligibility=eligibility,
        roadmap=road,
        ladder=rungs,
    )


def what_if(
    profile: Profile,
    goals: Goals,
    picked: Sequence[str],
    as_of: str | None = None,
    horizon: int = HORIZON,
    actions: ActionCatalog | None = None,
) -> WhatIf:
    """Schedule the picked actions in the order given (each as early as its prerequisites and the
    study slots allow) and re-score: the score before, and with them all done."""
    ctx, before = _start(profile, goals, as_of, horizon, actions)
    unknown = [a for a in picked if a not in ctx.actions.actions]
    if unknown:
        raise InputError(f"picked: unknown action {unknown[0]!r}")
    state = _State((0,) * ctx.actions.max_parallel_study, 0, ())
    unplaced = []
    for action_id in dict.fromkeys(picked):
        placed = _place(state, ctx.actions.actions[action_id], ctx)
        if placed is None:
            unplaced.append(action_id)
        else:
            state = placed
    ctx.score_all(_windows(state.steps, ctx))
    ready, band, score = _readiness(state.steps, ctx, READY)
    road = _roadmap(ctx, state.steps, ready, band, score, "time", unplaced)
    end = max((e for _, _, e in state.steps), default=0)
    changed = ctx.profile_with(_finished(state.steps, end))
    after = assess(changed, goals.role, goals.setting, ctx.month(end), ctx.ruleset)
    base_scores, _ = ctx.scores(frozenset())
    return WhatIf(
        picked=list(dict.fromkeys(picked)),
        roadmap=road,
        before=before,
        after=after,
        without=round(float(base_scores[end]), 1),
    )
