"""The planner: recommendations, eligibility, roadmap and ladder, checked from the outside.

The roadmap checks re-implement the scheduling rules plainly (month by month,
with the public :class:`Action` API and the scoring engine) and compare.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from advisor.actions import Action, ActionCatalog, load_actions
from advisor.errors import InputError
from advisor.facts import derive_facts
from advisor.goals import Goals
from advisor.plan import Advice, advise, describe_condition, what_if
from advisor.profile import Profile, month_index, month_label
from advisor.rules import BANDS, rule_files, ruleset_for
from advisor.scoring import assess, score_facts
from advisor.vocabulary import CONSTANTS
from tests.conftest import AS_OF, example
from tests.strategies import profiles

NOW = month_index(AS_OF)
EXAMPLES = [
    "front_desk_lead",
    "receptionist_new",
    "mha_graduate_no_experience",
    "nurse_to_manager",
    "returning_after_gap",
    "coder_with_cpc",
]


def _advice(name: str, setting: str = "small_practice", **goals: object) -> Advice:
    return advise(example(name), Goals(setting=setting, **goals), AS_OF)


def _open(action: Action, row: dict[str, float]) -> bool:
    """Whether some prerequisite pathway of ``action`` holds on one row of facts."""
    columns = {k: np.array([v]) for k, v in row.items()}
    return not action.pathways or any(
        all(c.evaluate(columns, 1)[0] == 1.0 for c in conditions) for _, conditions in action.pathways
    )


def _with(profile: Profile, done: list[tuple[Action, int, int]]) -> Profile:
    """The profile with finished actions applied in the order they started."""
    for action, start, end in sorted(done, key=lambda d: (d[1], d[0].id)):
        profile = action.apply(profile, start, end)
    return profile


# --- the roadmap is feasible --------------------------------------------------------------


@pytest.mark.parametrize("name", EXAMPLES)
@pytest.mark.parametrize("setting", ["small_practice", "hospital"])
def test_every_roadmap_step_is_open_at_its_start_and_tracks_never_overfill(name, setting, catalog):
    advice = _advice(name, setting)
    actions = load_actions()
    profile = example(name)
    steps = [(actions.actions[s.id], month_index(s.start), month_index(s.end)) for s in advice.roadmap.steps]
    for action, start, end in steps:
        finished = [d for d in steps if d[2] <= start]
        row = derive_facts([_with(profile, finished)], month_label(start), catalog).iloc[0].to_dict()
        assert _open(action, row), f"{action.id} starts {month_label(start)} before its prerequisites hold"
        assert end - start == action.months_at(10, row["education_level"] >= 3)
        assert end <= NOW + advice.roadmap.horizon_months
    for month in range(NOW, NOW + advice.roadmap.horizon_months + 1):
        running = [a for a, s, e in steps if s <= month < e]
        assert sum(a.is_study for a in running) <= actions.max_parallel_study
        assert sum(not a.is_study for a in running) <= 1


@pytest.mark.parametrize("name", [*EXAMPLES, "retail_store_manager", "medical_assistant_to_admin"])
def test_the_roadmap_outcome_is_what_re_scoring_the_finished_plan_says(name, mom):
    advice = _advice(name)
    road = advice.roadmap
    actions = load_actions()
    steps = [(actions.actions[s.id], month_index(s.start), month_index(s.end)) for s in road.steps]
    for step, (_, _, end) in zip(road.steps, steps, strict=True):
        changed = _with(example(name), [d for d in steps if d[2] <= end])
        result = assess(changed, "medical_office_manager", "small_practice", month_label(end), mom)
        assert step.score_after == pytest.approx(result.score, abs=0.05)
        assert step.band_after == result.band
    assert road.total_cost_typical == pytest.approx(sum(s.cost_typical for s in road.steps))
    if road.reached:
        month = road.ready_month
        changed = _with(example(name), [d for d in steps if d[2] <= month_index(month)])
        assert assess(changed, "medical_office_manager", "small_practice", month, mom).band == "ready"
    else:
        assert BANDS.index(road.best_band) < BANDS.index("ready")
        assert "out of reach" in road.note


# --- the roadmap is optimal on small cases --------------------------------------------------


def _brute_force(profile: Profile, actions: list[Action], horizon: int, mom, catalog):
    """Every order of every subset, scheduled month by month; (ready offset or None, cost) each."""
    outcomes = []
    for size in range(len(actions) + 1):
        for order in itertools.permutations(actions, size):
            study, work, steps = [0, 0], 0, []
            feasible = True
            for action in order:
                months = action.months_at(10)
                slot = min(range(2), key=study.__getitem__) if action.is_study else None
                free = study[slot] if slot is not None else work
                start = None
                for month in range(free, horizon - months + 1):
                    finished = [(a, NOW + s, NOW + e) for a, s, e in steps if e <= month]
                    row = derive_facts([_with(profile, finished)], month_label(NOW + month), catalog)
                    if _open(action, row.iloc[0].to_dict()):
                        start = month
                        break
                if start is None:
                    feasible = False
                    break
                steps.append((action, start, start + months))
                if slot is not None:
                    study[slot] = start + months
                else:
                    work = start + months
            if not feasible:
                continue
            months = list(range(horizon + 1))
            changed = [_with(profile, [(a, NOW + s, NOW + e) for a, s, e in steps if e <= m]) for m in months]
            facts = derive_facts(changed, [month_label(NOW + m) for m in months], catalog)
            bands = score_facts(mom, facts, "small_practice")["band"].tolist()
            ready = next((m for m, band in zip(months, bands, strict=True) if band == "ready"), None)
            outcomes.append((ready, sum(a.cost.typical for a, _, _ in steps)))
    return outcomes


@pytest.mark.parametrize(
    ("name", "ids"),
    [
        ("receptionist_new", ["experience:supervisory_healthcare", "experience:management", "cert:CMOM"]),
        ("front_desk_lead", ["duty:hiring", "cert:CMOM", "course:management", "duty:budgeting"]),
    ],
)
def test_the_roadmap_matches_brute_force_over_all_orders(name, ids, mom, catalog):
    full = load_actions()
    small = ActionCatalog({i: full.actions[i] for i in ids}, full.max_parallel_study, full.assumptions)
    profile = example(name)
    outcomes = _brute_force(profile, [full.actions[i] for i in ids], 60, mom, catalog)
    reaching = [o for o in outcomes if o[0] is not None]
    assert reaching, "the case should be able to reach ready"
    quickest = advise(profile, Goals(budget_usd=100_000), AS_OF, actions=small).roadmap
    assert quickest.months_to_target == min(r for r, _ in reaching)
    cheapest = advise(profile, Goals(budget_usd=100_000, optimize="cost"), AS_OF, actions=small).roadmap
    assert cheapest.total_cost_typical == min(c for _, c in reaching)


def test_ready_out_of_reach_says_so_and_names_what_holds_it_back():
    road = _advice("receptionist_new", "hospital").roadmap
    assert not road.reached and road.ready_month is None
    assert "out of reach within 60 months" in road.note
    assert any("Bachelor" in statement for statement in road.holding_back)


def test_more_hours_and_budget_open_a_degree_and_reach_ready():
    road = _advice("receptionist_new", "hospital", hours_per_week=30, budget_usd=60_000).roadmap
    assert road.reached
    assert any(s.kind == "program" for s in road.steps)


def test_a_person_already_ready_gets_an_empty_roadmap():
    road = _advice("billing_supervisor").roadmap
    assert road.reached and road.months_to_target == 0 and road.steps == []
    assert road.note == "Ready now."


def test_the_budget_steers_the_roadmap():
    cheap = _advice("front_desk_lead", budget_usd=0).roadmap
    assert cheap.reached and cheap.total_cost_typical == 0 and not cheap.over_budget


# --- eligibility --------------------------------------------------------------------------


def _biller(start: str) -> Profile:
    return Profile.model_validate(
        {
            "education": [{"level": "bachelor", "status": "completed"}],
            "experience": [
                {
                    "title": "Biller",
                    "setting": "medical_office",
                    "role_family": "billing_coding",
                    "start": start,
                }
            ],
        }
    )


def test_cmpe_eligibility_at_exactly_24_months_versus_23():
    at_24 = {e.code: e for e in advise(_biller("2024-12"), Goals(), AS_OF).eligibility}["CMPE"]
    at_23 = {e.code: e for e in advise(_biller("2025-01"), Goals(), AS_OF).eligibility}["CMPE"]
    assert at_24.status == "eligible" and at_24.date is None
    assert at_23.status == "from_date" and at_23.date == "2026-12"
    assert at_23.waiting_for == ["2 years working in healthcare settings"]


def test_eligibility_covers_every_credential_with_a_status_and_a_source(catalog):
    advice = _advice("front_desk_lead")
    by_code = {e.code: e for e in advice.eligibility}
    assert set(by_code) == set(catalog.certifications)
    assert by_code["CMAA"].status == "held"
    assert by_code["RHIT"].status == "blocked" and "CAHIIM" in by_code["RHIT"].blocked_by
    assert all(e.source is not None and e.source.as_of for e in advice.eligibility)


def test_describe_condition_reads_like_a_sentence(catalog):
    assert describe_condition("years_healthcare >= 2", catalog.facts, CONSTANTS) == (
        "2 years working in healthcare settings"
    )
    assert (
        describe_condition("education_level >= bachelor", catalog.facts, CONSTANTS) == "a bachelor's degree"
    )


# --- recommendations ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["front_desk_lead", "mha_graduate_no_experience"])
def test_every_lift_is_the_re_scored_difference_at_the_month_it_is_done(name, mom):
    advice = _advice(name)
    actions = load_actions()
    assert advice.recommendations
    for rec in advice.recommendations[:8]:
        action = actions.actions[rec.id]
        start, end = month_index(rec.starts), month_index(rec.done_by)
        changed = action.apply(example(name), start, end)
        after = assess(changed, "medical_office_manager", "small_practice", rec.done_by, mom).score
        before = assess(example(name), "medical_office_manager", "small_practice", rec.done_by, mom).score
        assert rec.lift == pytest.approx(after - before, abs=0.11)
        assert rec.lift > 0


def test_nothing_already_held_is_recommended():
    advice = _advice("front_desk_lead")  # holds the CMAA, knows some software, works the front desk
    ids = {r.id for r in advice.recommendations}
    assert "cert:CMAA" not in ids
    held = {f"cert:{c.code}" for c in example("coder_with_cpc").certifications or []}
    assert not held & {r.id for r in _advice("coder_with_cpc").recommendations}


def test_recommendations_show_months_cost_source_and_eligibility():
    recs = _advice("front_desk_lead", hours_per_week=5).recommendations
    cmpe = next(r for r in recs if r.id == "cert:CMPE")
    assert cmpe.eligible_now is False and cmpe.eligibility.startswith("open from 2027-08")
    assert cmpe.cost_source is not None and cmpe.cost_source.source
    cmom = next(r for r in recs if r.id == "cert:CMOM")
    assert cmom.eligible_now is True
    assert cmom.months == math.ceil(105 / (5 * 52 / 12))  # 60-150 hours at 5 a week
    faster = next(
        r for r in _advice("front_desk_lead", hours_per_week=20).recommendations if r.id == "cert:CMOM"
    )
    assert faster.months < cmom.months


def test_open_actions_rank_before_blocked_ones():
    recs = _advice("receptionist_new").recommendations
    blocked = [i for i, r in enumerate(recs) if r.eligibility.startswith("needs first")]
    opened = [i for i, r in enumerate(recs) if not r.eligibility.startswith("needs first")]
    assert blocked and opened and max(opened) < min(blocked)


# --- ladder -------------------------------------------------------------------------------


def test_the_ladder_scores_every_role_with_rules_and_marks_the_target():
    ladder = _advice("front_desk_lead").ladder
    assert {r.role for r in ladder} == set(rule_files())
    assert [r.order for r in ladder] == sorted(r.order for r in ladder)
    target = [r for r in ladder if r.target]
    assert len(target) == 1 and target[0].role == "medical_office_manager"
    assert target[0].ready_how == "plan" and target[0].ready_month == "2027-05"
    assert all(r.median_pay_usd > 0 and r.pay_source is not None for r in ladder)


def test_plan_json_fills_the_assessment_fields():
    assessment = _advice("front_desk_lead").assessment
    assert assessment.recommendations and assessment.adjacent_roles
    assert assessment.plan is not None and set(assessment.plan) == {"roadmap", "eligibility"}


# --- what-if ------------------------------------------------------------------------------


def test_what_if_moves_the_score_by_re_scoring_the_picked_actions():
    result = what_if(example("front_desk_lead"), Goals(), ["cert:CMOM", "duty:hiring"], AS_OF)
    assert [s.id for s in result.roadmap.steps] == ["cert:CMOM", "duty:hiring"]
    assert result.after.score > result.without > 0
    assert result.after.as_of == max(s.end for s in result.roadmap.steps)


def test_what_if_reports_actions_that_cannot_start_within_the_horizon():
    result = what_if(example("receptionist_new"), Goals(), ["experience:management"], AS_OF, horizon=12)
    assert result.roadmap.unplaced == ["experience:management"] and result.roadmap.steps == []


def test_what_if_rejects_an_unknown_action():
    with pytest.raises(InputError, match="unknown action 'cert:NOPE'"):
        what_if(example("front_desk_lead"), Goals(), ["cert:NOPE"], AS_OF)


def test_a_bad_horizon_is_refused():
    with pytest.raises(InputError, match="horizon"):
        advise(example("front_desk_lead"), Goals(), AS_OF, horizon=0)


# --- properties ---------------------------------------------------------------------------


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=profiles())
def test_advice_is_deterministic_and_consistent(data):
    profile = Profile.model_validate(data)
    first = advise(profile, Goals(), AS_OF)
    assert advise(profile, Goals(), AS_OF).model_dump_json() == first.model_dump_json()
    assert all(r.lift > 0 for r in first.recommendations)
    road = first.roadmap
    assert road.reached == (road.ready_month is not None)
    assert 0 <= road.best_score <= 100
    assert all(s.start < s.end for s in road.steps)


def test_the_ladder_rules_all_load():
    for role in rule_files():
        assert ruleset_for(role).spec.role == role
