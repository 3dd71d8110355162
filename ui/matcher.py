"""Match a job posting: paste it, check and edit what was read, then see how the profile meets it.

The requirements are shown as an editable table; the edited table becomes one
validated :class:`~advisor.posting.Posting`, and the engine assesses the
self-assessment's profile against it (the same rules engine, with the
posting as the rules). Posting text is shown only as text.
"""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from advisor.actions import load_actions
from advisor.errors import InputError
from advisor.posting import Posting, assess_posting
from advisor.profile import Profile, current_month
from advisor.scoring import Assessment
from ui import draft as drafts
from ui import resources
from ui.markup import escape
from ui.results import STATUS_ICONS, STATUS_WORDS

FIELDS = {
    "min_education": "Education required",
    "preferred_education": "Education preferred",
    "education_fields": "Fields of study",
    "equivalent_experience_substitutes_degree": "Experience may replace the degree",
    "min_years_experience": "Years of experience",
    "min_years_medical_office": "Years in a medical office or healthcare",
    "min_years_supervisory": "Years supervising",
    "required_certifications": "Credentials required (any of)",
    "preferred_certifications": "Credentials preferred",
    "software": "Software",
    "skills": "Skills",
    "bilingual": "Bilingual",
    "salary_min": "Pay from",
    "salary_max": "Pay to",
    "salary_unit": "Pay per",
}
"""Each requirement's row label, in the order shown."""
LISTS = {"education_fields", "required_certifications", "preferred_certifications", "software", "skills"}


def requirements_table(posting: Posting) -> pd.DataFrame:
    """The requirements as rows a person can edit (lists as comma-separated text)."""
    data = posting.model_dump()
    rows = []
    for field, label in FIELDS.items():
        value = data[field]
        if field == "required_certifications":
            value = " or ".join(posting.required_certifications)
        text = ", ".join(value) if isinstance(value, list) else "" if value in (None, False) else str(value)
        if field == "equivalent_experience_substitutes_degree":
            text = "yes" if value else "no"
        rows.append({"Requirement": label, "Value": text})
    return pd.DataFrame(rows)


def posting_from_table(table: pd.DataFrame, title: str) -> Posting:
    """The edited table as a validated posting; raises ``ValidationError`` for a bad value."""
    by_label = {label: field for field, label in FIELDS.items()}
    data: dict[str, object] = {"title": title}
    for _, row in table.iterrows():
        field = by_label.get(str(row["Requirement"]))
        text = "" if pd.isna(row["Value"]) else str(row["Value"]).strip()
        if field is None:
            continue
        if field == "required_certifications":
            groups = [g.strip() for g in text.replace(" or ", ",").split(",") if g.strip()]
            data[field] = groups
            data["certification_groups"] = [groups] if groups else []
        elif field in LISTS:
            data[field] = [v.strip() for v in text.split(",") if v.strip()]
        elif field == "equivalent_experience_substitutes_degree":
            data[field] = text.lower() in ("yes", "true", "y", "1")
        else:
            data[field] = text or None
    return Posting.model_validate(data)


def _profile_for_matching() -> Profile | None:
    profile, problems = drafts.to_profile(drafts.current(), current_month())
    if profile is None:
        st.warning("The self-assessment has answers that need fixing first:")
        st.text("\n".join(message for _, message in problems[:5]))
        return None
    if not profile.model_fields_set:
        st.info(
            "Fill in the self-assessment first (or load a profile or resume there): it is what gets matched."
        )
        st.page_link("ui/pages/assess.py", label="Go to the self-assessment", icon=":material/assignment:")
        return None
    return profile


def _actions(ids: list[str]) -> str:
    """Action ids in words ("cert:CPC" -> "Earn the CPC (Certified Professional Coder)")."""
    known = load_actions().actions
    return "; or ".join(known[i].title if i in known else i for i in ids)


def _result(a: Assessment) -> None:
    st.metric(
        "Match with this posting",
        f"{a.score:.1f} / 100",
        help="Points earned against the posting's requirements.",
    )
    st.markdown(f"**Band: {a.band.upper()}**" + (" (a required item is missing)" if a.capped_by else ""))
    st.subheader("Required")
    for g in a.gates:
        st.markdown(f"{STATUS_ICONS[g.status]} **{STATUS_WORDS[g.status]}**: {escape(g.statement)}")
        if g.status != "met" and g.actions:
            st.caption("What would close it: " + escape(_actions(g.actions)))
    st.subheader("Everything the posting asks for")
    for d in a.dimensions:
        for item in d.items:
            st.markdown(
                f"{STATUS_ICONS[item.status]} **{STATUS_WORDS[item.status]}**: {escape(item.statement)}. "
                f"{escape(item.explanation)}"
            )
            if item.status != "met" and item.actions:
                st.caption("What would close it: " + escape(_actions(item.actions)))


def page() -> None:
    """The Match a job posting page."""
    with resources.shielded():
        st.title("Match a job posting")
        st.write(
            "Paste a job posting. You see what was read from it and can correct it; then your "
            "self-assessment answers are matched against it. Nothing leaves this computer."
        )
        text = st.text_area("Job posting", key="posting_text", height=260, max_chars=60_000)
        if not text.strip():
            return
        try:
            parsed = resources.posting(text)
        except InputError as exc:
            st.error("This posting could not be read:")
            st.text(str(exc))
            return
        st.subheader("What the posting asks for")
        st.caption(
            "Edit any value: lists are comma-separated; credentials required are alternatives (CPC or CPB)."
        )
        edited = st.data_editor(
            requirements_table(parsed.posting),
            hide_index=True,
            disabled=["Requirement"],
            key=f"posting_table_{hashlib.sha256(text.encode()).hexdigest()[:10]}",
        )
        with st.expander("Where each requirement was read", key="posting_evidence"):
            st.dataframe(
                [
                    {"Requirement": e.field, "Value": e.value, "Line": e.line, "Text": e.text}
                    for e in parsed.evidence
                ],
                hide_index=True,
                key="posting_evidence_table",
            )
        try:
            posting = posting_from_table(edited, parsed.posting.title)
        except ValidationError as exc:
            st.error("A value in the table is not one this reads:")
            st.text("\n".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()))
            return
        profile = _profile_for_matching()
        if profile is not None:
            _result(assess_posting(profile, posting, current_month()))
