"""Invariants over generated profiles: determinism, range and monotonicity."""

from __future__ import annotations

import copy

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.profile import Profile, month_index, month_label
from advisor.scoring import assess
from tests.conftest import AS_OF
from tests.strategies import AS_OF_INDEX, CERT_CODES, FIELDS, SOFTWARE_NAMES, jobs, profiles

SETTINGS = st.sampled_from(["small_practice", "large_group", "hospital"])
BANDS = ["early", "developing", "nearly", "ready"]
RUN = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def score(data: dict, setting: str) -> tuple[float, int]:
    result = assess(Profile.model_validate(data), setting=setting, as_of=AS_OF)
    return result.score, BANDS.index(result.band)


def never_lower(before: dict, after: dict, setting: str) -> None:
    old, new = score(before, setting), score(after, setting)
    assert new[0] >= old[0] - 1e-9, (old, new)
    assert new[1] >= old[1], (old, new)


@RUN
@given(data=profiles(), setting=SETTINGS)
def test_score_is_in_range_and_the_same_every_time(data, setting):
    first = assess(Profile.model_validate(data), setting=setting, as_of=AS_OF)
    second = assess(Profile.model_validate(copy.deepcopy(data)), setting=setting, as_of=AS_OF)
    assert 0 <= first.score <= 100
    assert first.model_dump() == second.model_dump()


@RUN
@given(data=profiles(), code=st.sampled_from(CERT_CODES), setting=SETTINGS)
def test_adding_a_certification_never_lowers_the_score(data, code, setting):
    more = copy.deepcopy(data)
    more["certifications"] = [*more.get("certifications", []), {"code": code}]
    never_lower(data, more, setting)


@RUN
@given(
    data=profiles(),
    level=st.sampled_from(["high_school", "certificate", "associate", "bachelor", "master", "doctorate"]),
    field=st.sampled_from(FIELDS),
    status=st.sampled_from(["completed", "in_progress"]),
    setting=SETTINGS,
)
def test_adding_a_degree_never_lowers_the_score(data, level, field, status, setting):
    more = copy.deepcopy(data)
    entry = {"level": level, "status": status, **({"field": field} if field else {})}
    more["education"] = [*more.get("education", []), entry]
    never_lower(data, more, setting)


@RUN
@given(
    data=profiles(),
    name=st.sampled_from(SOFTWARE_NAMES),
    proficiency=st.sampled_from(["basic", "intermediate", "advanced"]),
    setting=SETTINGS,
)
def test_adding_a_software_product_never_lowers_the_score(data, name, proficiency, setting):
    more = copy.deepcopy(data)
    more["software"] = [*more.get("software", []), {"name": name, "proficiency": proficiency}]
    never_lower(data, more, setting)


@RUN
@given(data=profiles(), job=jobs(), setting=SETTINGS)
def test_adding_a_job_never_lowers_the_score(data, job, setting):
    more = copy.deepcopy(data)
    more["experience"] = [*more.get("experience", []), job]
    never_lower(data, more, setting)


@RUN
@given(data=profiles(), pick=st.integers(0, 3), setting=SETTINGS)
def test_one_more_month_in_a_job_never_lowers_the_score(data, pick, setting):
    finished = [
        i
        for i, j in enumerate(data.get("experience") or [])
        if j["end"] is not None and month_index(j["end"]) < AS_OF_INDEX
    ]
    if not finished:
        return
    more = copy.deepcopy(data)
    job = more["experience"][finished[pick % len(finished)]]
    job["end"] = month_label(month_index(job["end"]) + 1)
    never_lower(data, more, setting)


@RUN
@given(data=profiles(), setting=SETTINGS)
def test_the_name_never_changes_anything(data, setting):
    named = {**data, "name": "Somebody Else", "id": "other", "languages": ["Tagalog"]}
    a = assess(Profile.model_validate(data), setting=setting, as_of=AS_OF).model_dump()
    b = assess(Profile.model_validate(named), setting=setting, as_of=AS_OF).model_dump()
    assert a == b
