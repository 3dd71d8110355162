"""The answers being typed, kept in session state between steps and reruns.

Streamlit forgets a widget's value when the widget is not on the page, so the
answers live in a plain dict (the *draft*) and widgets are seeded from it each
time they appear. The draft is close to the interchange format, plus what a
form needs and a profile cannot say: whether an empty list means "none" or
"not answered yet", and the person's goals.

:func:`to_profile` is the single place where the draft becomes a validated
:class:`~advisor.profile.Profile`; every problem comes back with its location
so the page can show it next to the field that caused it.
"""

from __future__ import annotations

import copy
from collections.abc import MutableMapping
from typing import Any

import streamlit as st
from pydantic import ValidationError

from advisor.goals import Goals
from advisor.profile import Certification, Education, Experience, Profile, date_problems, profile_to_dict
from advisor.sourcefile import Loc

DRAFT = "draft"
WIDGET_PREFIX = "w_"
"""Every intake widget key starts with this, so a loaded profile can reset them all."""

LIST_SECTIONS = ("education", "experience", "software", "certifications", "coursework")

Draft = MutableMapping[str, Any]
Problems = list[tuple[Loc, str]]


def empty() -> dict[str, Any]:
    """A blank draft: nothing answered yet, default goals."""
    return {
        "name": "",
        "goals": Goals().model_dump(),
        **{section: [] for section in LIST_SECTIONS},
        **{f"{section}_none": False for section in LIST_SECTIONS},
        "knowledge": {},
        "soft_skills": {},
        "languages": [],
    }


def current() -> Draft:
    """This session's draft (created blank on first use)."""
    if DRAFT not in st.session_state:
        st.session_state[DRAFT] = empty()
    draft: Draft = st.session_state[DRAFT]
    return draft


def forget_widgets(prefix: str = WIDGET_PREFIX) -> None:
    """Drop widget values so widgets are re-seeded from the draft on the next run."""
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith(prefix)]:
        del st.session_state[key]


def seed(key: str, value: Any) -> str:
    """Give a widget its draft value the first time it appears; return the key to use."""
    if key not in st.session_state:
        st.session_state[key] = value
    return key


def load(profile: Profile, goals: Goals | None = None) -> None:
    """Replace the draft with a profile (from a file or an example) and reset the widgets."""
    data = profile_to_dict(profile)
    draft = empty()
    if goals is not None:
        draft["goals"] = goals.model_dump()
    else:
        draft["goals"] = current()["goals"]
    draft["name"] = data.get("name", "")
    for section in LIST_SECTIONS:
        if section in data:
            draft[section] = copy.deepcopy(data[section])
            draft[f"{section}_none"] = not data[section]
    for job in draft["experience"]:
        job.setdefault("employer", "")
        job.setdefault("end", None)
        job.setdefault("supervisory", False)
        job.setdefault("direct_reports", 0)
        job.setdefault("duties", [])
        job.setdefault("setting", None)
        job.setdefault("role_family", None)
    for entry in draft["education"]:
        entry.setdefault("field", "")
        entry.setdefault("status", "completed")
        entry.setdefault("year", None)
    draft["software"] = [
        {"name": s["name"], "proficiency": s.get("proficiency", "intermediate")} for s in draft["software"]
    ]
    draft["certifications"] = [
        {"code": c["code"], "status": c.get("status", "earned")} for c in draft["certifications"]
    ]
    draft["knowledge"] = dict(data.get("knowledge", {}))
    draft["soft_skills"] = dict(data.get("soft_skills", {}))
    draft["languages"] = list(data.get("languages", []))
    st.session_state[DRAFT] = draft
    forget_widgets()


def goals(draft: Draft) -> Goals:
    """The draft's goals, validated."""
    return Goals.model_validate(draft["goals"])


def _section(draft: Draft, section: str, items: list[Any]) -> list[Any] | None:
    """A list section for the profile: items, an explicit none, or not answered (None)."""
    if items:
        return items
    return [] if draft[f"{section}_none"] else None


def _job(job: MutableMapping[str, Any]) -> dict[str, Any]:
    out = {
        "title": job.get("title", ""),
        "start": job.get("start"),
        "end": job.get("end"),
        "supervisory": bool(job.get("supervisory")),
        "direct_reports": int(job.get("direct_reports") or 0),
        "duties": list(job.get("duties") or []),
    }
    for key in ("employer", "setting", "role_family"):
        if job.get(key):
            out[key] = job[key]
    return out


def _education(entry: MutableMapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"level": entry.get("level"), "status": entry.get("status", "completed")}
    if entry.get("field"):
        out["field"] = entry["field"].strip()
    if entry.get("year") is not None:
        out["year"] = int(entry["year"])
    return out


def to_data(draft: Draft) -> dict[str, Any]:
    """The draft in the interchange format (not yet validated)."""
    data: dict[str, Any] = {}
    if draft.get("name", "").strip():
        data["name"] = draft["name"].strip()
    sections = {
        "education": [_education(e) for e in draft["education"]],
        "experience": [_job(j) for j in draft["experience"]],
        "software": [dict(s) for s in draft["software"]],
        "certifications": [dict(c) for c in draft["certifications"]],
        "coursework": list(draft["coursework"]),
    }
    for section, items in sections.items():
        value = _section(draft, section, items)
        if value is not None:
            data[section] = value
    if draft["knowledge"]:
        data["knowledge"] = dict(draft["knowledge"])
    if draft["soft_skills"]:
        data["soft_skills"] = dict(draft["soft_skills"])
    if draft["languages"]:
        data["languages"] = list(draft["languages"])
    return data


def _dates_regardless(data: dict[str, Any], as_of: str) -> Problems:
    """Date problems even while other fields are invalid, so they are not revealed one at a time.

    The form's month pickers always produce well-formed months, so the entries can be
    assembled without validation just for this check.
    """
    try:
        partial = Profile.model_construct(
            experience=[Experience.model_construct(**job) for job in data.get("experience", [])],
            education=[Education.model_construct(**entry) for entry in data.get("education", [])],
            certifications=[Certification.model_construct(**c) for c in data.get("certifications", [])],
        )
        return date_problems(partial, as_of)
    except (TypeError, ValueError, KeyError, IndexError):
        return []


def to_profile(draft: Draft, as_of: str) -> tuple[Profile | None, Problems]:
    """Validate the draft as a profile; every problem comes with its location."""
    data = to_data(draft)
    try:
        profile = Profile.model_validate(data)
    except ValidationError as exc:
        found = [(tuple(e["loc"]), str(e["msg"]).removeprefix("Value error, ")) for e in exc.errors()]
        return None, found + [p for p in _dates_regardless(data, as_of) if p not in found]
    dates = date_problems(profile, as_of)
    return (None, dates) if dates else (profile, [])


def problems_at(problems: Problems, *prefix: str | int) -> list[str]:
    """Messages whose location starts with ``prefix`` (e.g. ``("experience", 2)``)."""
    return [message for loc, message in problems if loc[: len(prefix)] == prefix]
