"""Things loaded once per process and shared by every session: rules and catalog.

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
from advisor.rules import RuleSet, rule_files, ruleset_for

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
    """Role id -> title, for every rules file that ships."""
    return {role: ruleset(role).spec.title for role in rule_files()}


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
