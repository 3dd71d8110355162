"""Streamlit entry point: load a profile, pick a setting, see the assessment.

A thin adapter: widgets -> one validated Profile -> ``advisor.assess`` -> render.
No scoring logic lives here.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from advisor.errors import AdvisorError, DataFileError
from advisor.profile import Profile, current_month, parse_profile
from advisor.rules import RuleSet, ruleset_for
from advisor.scoring import Assessment, assess
from advisor.sourcefile import format_of

EXAMPLES = Path(__file__).parent / "examples"
STATUS_LABEL = {"met": "met", "partly": "partly met", "unmet": "not met", "unknown": "unknown"}


@st.cache_resource(show_spinner="Loading rules...")
def _rules(role: str) -> RuleSet:
    return ruleset_for(role)


def _profile_from_upload(upload: UploadedFile) -> Profile:
    return parse_profile(upload.getvalue(), upload.name, format_of(upload.name), as_of=current_month())


def _render(result: Assessment) -> None:
    left, right = st.columns(2)
    left.metric("Readiness score", f"{result.score:.0f} / 100")
    right.metric("Band", result.band.capitalize())
    if result.capped_by:
        st.warning(f"Capped from '{result.band_before_gates}' by: {', '.join(result.capped_by)}")
    st.caption(result.completeness.message)
    st.subheader("Hard requirements")
    st.dataframe(
        pd.DataFrame(
            [
                {"requirement": g.statement, "status": STATUS_LABEL[g.status], "why": g.explanation}
                for g in result.gates
            ]
        ),
        hide_index=True,
        width="stretch",
    )
    st.subheader("What counts and why")
    rows = [
        {
            "dimension": d.title,
            "rule": i.statement,
            "status": STATUS_LABEL[i.status],
            "points": f"{i.points:.1f} / {i.max_points:.1f}",
            "why": i.explanation,
            "source": "; ".join(f"{c.title} ({c.as_of})" for c in i.sources),
        }
        for d in result.dimensions
        for i in d.items
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    st.caption(
        f"engine {result.engine_version} · rules {result.rules_version} · catalog {result.catalog_version}"
    )


def main() -> None:
    """Render the page."""
    st.set_page_config(page_title="Medical Office Manager readiness", layout="wide")
    st.title("Medical Office Manager readiness")
    rules = _rules("medical_office_manager")
    examples = sorted(p.name for p in EXAMPLES.glob("*.yaml"))
    source = st.radio("Profile", ["An example", "Upload my profile (JSON or YAML)"], horizontal=True)
    profile: Profile | None = None
    try:
        if source == "An example":
            name = st.selectbox("Example profile", examples)
            profile = parse_profile((EXAMPLES / name).read_text(encoding="utf-8"), name)
        else:
            upload = st.file_uploader("Profile file", type=["json", "yaml", "yml"])
            if upload is not None:
                profile = _profile_from_upload(upload)
        setting = st.selectbox(
            "Practice setting", rules.settings, format_func=lambda s: rules.spec.settings[s].label
        )
        if profile is not None:
            _render(assess(profile, rules.spec.role, setting, ruleset=rules))
    except DataFileError as exc:
        st.error("This profile could not be read:")
        st.text("\n".join(str(p) for p in exc.problems))
    except AdvisorError as exc:
        st.error("This profile could not be assessed:")
        st.text(str(exc))


main()
