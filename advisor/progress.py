"""A client's progress over visits: assess and keep, compare with today's rules, chart the way.

:func:`assess_client` plans for a stored client's current profile and goals
and keeps the result (snapshot and versions included). :func:`reassess`
re-runs an old assessment's own profile with today's rules and says what
changed and why (the rules, or nothing). :func:`progress` lists score and
band per visit with what the person did in between, read from the profile
snapshots: credentials earned, degrees finished, courses, software, new roles.
Scoring reads only the profile: names, notes and dates of the record never
reach it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from advisor.goals import Goals
from advisor.plan import advise
from advisor.profile import Profile, current_month
from advisor.scoring import Assessment
from advisor.store import AssessmentRecord, Store


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DimensionChange(_Out):
    """One dimension's score then and now."""

    title: str
    then: float
    now: float


class RuleChange(_Out):
    """A rule whose status differs between then and now."""

    statement: str
    then: str
    now: str


class Comparison(_Out):
    """An old assessment against the same profile under today's rules."""

    then: Assessment
    now: Assessment
    rules_then: str
    rules_now: str
    dimensions: list[DimensionChange]
    rules: list[RuleChange]

    @property
    def changed(self) -> bool:
        return self.then.score != self.now.score or self.then.band != self.now.band or bool(self.rules)


class Visit(_Out):
    """One point of the progress chart."""

    date: dt.datetime
    as_of: str
    role: str
    setting: str
    score: float
    band: str
    done_since: list[str]
    """What the profile gained since the visit before (empty for the first)."""


def assess_client(store: Store, client_id: str, as_of: str | None = None) -> AssessmentRecord:
    """Assess a client's current profile for their goals, with the plan, and keep it."""
    client = store.client(client_id)
    profile = client.current_profile()
    advice = advise(profile, client.current_goals(), as_of or current_month())
    return store.record_assessment(client_id, profile, advice.assessment)


def reassess(record: AssessmentRecord, as_of: str | None = None) -> Comparison:
    """The same profile snapshot, assessed with today's rules (for the record's role and setting)."""
    then = record.assessment()
    goals = Goals(role=record.role, setting=record.setting)
    now = advise(record.snapshot(), goals, as_of or record.as_of).assessment
    old_dims = {d.title: d.score for d in then.dimensions}
    dims = [
        DimensionChange(title=d.title, then=old_dims.get(d.title, 0.0), now=d.score)
        for d in now.dimensions
        if round(old_dims.get(d.title, 0.0), 1) != round(d.score, 1)
    ]
    old_rules = {i.statement: i.status for d in then.dimensions for i in d.items}
    rules = [
        RuleChange(statement=i.statement, then=old_rules.get(i.statement, "not a rule then"), now=i.status)
        for d in now.dimensions
        for i in d.items
        if old_rules.get(i.statement) != i.status
    ]
    return Comparison(
        then=then,
        now=now,
        rules_then=then.rules_version,
        rules_now=now.rules_version,
        dimensions=dims,
        rules=rules,
    )


def gains(before: Profile, after: Profile) -> list[str]:
    """What a profile gained between two snapshots, in words."""
    out: list[str] = []
    held = {c.code for c in before.certifications or () if c.status == "earned"}
    out += [
        f"earned {c.code}" for c in after.certifications or () if c.status == "earned" and c.code not in held
    ]
    studying = {c.code for c in before.certifications or () if c.status == "in_progress"}
    out += [
        f"started {c.code}"
        for c in after.certifications or ()
        if c.status == "in_progress" and c.code not in studying | held
    ]
    done = {(e.level, e.field) for e in before.education or () if e.status == "completed"}
    out += [
        f"finished a {e.level.replace('_', ' ')}" + (f" in {e.field}" if e.field else "")
        for e in after.education or ()
        if e.status == "completed" and (e.level, e.field) not in done
    ]
    courses = set(before.coursework or ())
    out += [f"took {c.replace('_', ' ')}" for c in after.coursework or () if c not in courses]
    tools = {s.name.lower() for s in before.software or ()}
    out += [f"learned {s.name}" for s in after.software or () if s.name.lower() not in tools]
    jobs = {(j.title, j.start) for j in before.experience or ()}
    out += [
        f"started as {j.title} ({j.start})" for j in after.experience or () if (j.title, j.start) not in jobs
    ]
    return out


def progress(records: Sequence[AssessmentRecord]) -> list[Visit]:
    """Score and band per assessment, oldest first, with what was done since the one before."""
    visits = []
    previous: Profile | None = None
    for record in sorted(records, key=lambda r: (r.created_at, r.id)):
        snapshot = record.snapshot()
        visits.append(
            Visit(
                date=record.created_at,
                **record.model_dump(include={"as_of", "role", "setting", "score", "band"}),
                done_since=gains(previous, snapshot) if previous is not None else [],
            )
        )
        previous = snapshot
    return visits
