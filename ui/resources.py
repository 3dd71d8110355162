"""Things loaded once per process and shared by every session: rules and catalog; and the
engine's plans, cached per input so a click on the results page does not re-plan.

Also the one place where an engine error becomes a readable message on the
page, so no traceback ever reaches a user.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

import streamlit as st

from advisor.catalog import Catalog, load_catalog
from advisor.errors import AdvisorError, DataFileError
from advisor.goals import Goals
from advisor.plan import Advice, WhatIf, advise, what_if
from advisor.posting import ParsedPosting, parse_posting
from advisor.profile import parse_profile
from advisor.resume import DraftProfile, read_resume
from advisor.rules import RuleSet, rule_files, ruleset_for
from advisor.scoring import Assessment, assess_all_settings
from advisor.store import Store

log = logging.getLogger("advisor.ui")


@st.cache_resource(show_spinner="Loading the rules...")
def ruleset(role: str) -> RuleSet:
    """The compiled rules for a role (validated once per process)."""
    return ruleset_for(role)


@st.cache_resource(show_spinner="Loading the catalog...")
def catalog() -> Catalog:
    """The knowledge catalog (validated once per process)."""
    return load_catalog()


@st.cache_resource
def roles() -> dict[str, str]:
    """Role id -> title, for every rules file that ships, in ladder order."""
    order = {role_id: role.order for role_id, role in catalog().roles.items()}
    ids = sorted(rule_files(), key=lambda r: (order.get(r, len(order)), r))
    return {role: ruleset(role).spec.title for role in ids}


@st.cache_data(max_entries=64, show_spinner="Working out a plan...")
def advice(profile_json: str, goals_json: str, month: str) -> Advice:
    """The full plan for a profile and goals (cached in this process's memory only)."""
    profile, goals = parse_profile(profile_json, fmt="json"), Goals.model_validate_json(goals_json)
    return advise(profile, goals, month)


@st.cache_data(max_entries=64, show_spinner=False)
def assessments(profile_json: str, role: str, month: str) -> dict[str, Assessment]:
    """The profile assessed in every setting of the role, for the side-by-side view."""
    return assess_all_settings(parse_profile(profile_json, fmt="json"), role, month, ruleset(role))


@st.cache_data(max_entries=256, show_spinner=False)
def picked(profile_json: str, goals_json: str, month: str, actions: tuple[str, ...]) -> WhatIf:
    """The picked actions scheduled and re-scored (cached in this process's memory only)."""
    profile = parse_profile(profile_json, fmt="json")
    return what_if(profile, Goals.model_validate_json(goals_json), actions, month)


@st.cache_data(max_entries=16, show_spinner="Reading the resume...")
def resume(data: bytes, name: str, month: str) -> DraftProfile:
    """A resume read into a draft profile (cached in this process's memory only)."""
    return read_resume(data, name, as_of=month)


@st.cache_data(max_entries=16, show_spinner=False)
def posting(text: str) -> ParsedPosting:
    """A pasted posting read into its requirements (cached in this process's memory only)."""
    return parse_posting(text)


@st.cache_resource(show_spinner="Opening the client records...")
def store() -> Store:
    """The client store (``DATABASE_URL``, else SQLite in the data directory), opened once per process."""
    return Store()


def show_problems(title: str, error: DataFileError) -> None:
    """A file's problems, one per line, shown as plain text (never as Markdown)."""
    st.error(title)
    st.text("\n".join(str(p) for p in error.problems))


@contextlib.contextmanager
def shielded() -> Iterator[None]:
    """Run a page body; turn any failure into a message instead of a traceback."""
    try:
        yield
    except DataFileError as exc:
        show_problems("Something in the input could not be read:", exc)
    except AdvisorError as exc:
        st.error("This could not be done:")
        st.text(str(exc))
    except Exception:
        log.exception("unexpected error while rendering a page")
        st.error(
            "Something went wrong on this page. Your answers are kept; "
            "try again, or save your profile and reload it."
        )
