"""Screen candidates: upload a table (or a zip of resumes), check the columns, set the rubric,
rank, compare, export, and check adverse impact.

The widgets become one validated :class:`~advisor.screening.Rubric`; the
engine's :func:`~advisor.screening.screen_upload` does the rest. Everything a
candidate wrote is shown in tables or as plain text, never as Markdown.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from pydantic import ValidationError

from advisor.audit import ImpactReport
from advisor.candidates import COLUMNS, preview_table, template_csv
from advisor.errors import AdvisorError
from advisor.goals import DEFAULT_ROLE
from advisor.rules import BANDS
from advisor.screening import (
    MAX_WEIGHT,
    Rubric,
    ScreenResult,
    export_csv,
    export_xlsx,
    impact,
    screen_upload,
)
from ui import matcher, resources
from ui.markup import escape, plural

SETTINGS = {"small_practice": "Small practice", "large_group": "Large group", "hospital": "Hospital"}
NOT_READ = "(not read)"
SHOWN = [
    "rank",
    "shortlisted",
    "candidate_id",
    "name",
    "score",
    "band",
    "completeness",
    "knockouts",
    "knockouts_failed",
]
REASONS = ["for_1", "for_2", "for_3", "against_1", "against_2", "against_3"]
GRID_ROWS = 5_000
"""Rows sent to the ranking grid: 100,000 with their reasons are over Streamlit's 50 MB message."""


@st.cache_data(max_entries=4, show_spinner="Screening the candidates...")
def _screen(data: bytes, name: str, rubric_json: str, carry: tuple[str, ...]) -> ScreenResult:
    """One screening run, cached in this process's memory for this upload and rubric."""
    return screen_upload(data, name, Rubric.model_validate_json(rubric_json), carry)


def _template() -> None:
    st.download_button(
        "Download the candidate template (CSV)",
        template_csv(),
        file_name="candidates_template.csv",
        mime="text/csv",
        icon=":material/download:",
        key="screen_template",
    )
    with st.expander("What each template column means", key="screen_columns"):
        st.dataframe(
            pd.DataFrame(
                [{"Column": c.name, "Meaning": c.description, "Example": c.example} for c in COLUMNS]
            ),
            hide_index=True,
            key="screen_columns_table",
        )
        st.caption(
            "Other header names are matched too (e.g. 'Applicant ID', 'Yrs Supervisory'). A blank cell means "
            "unknown, not no; write 'none' for an empty list. Extra columns are ignored."
        )


def _columns(data: bytes, name: str) -> tuple[tuple[str, ...], dict[str, str]]:
    """Show how the file's columns will be read and let the user correct it; returns the
    demographic columns chosen and the template columns mapped by hand."""
    if name.lower().endswith(".zip"):
        st.info(
            "A zip of resumes: each file is read into a draft profile and screened; the file name is the id."
        )
        return (), {}
    preview = preview_table(data, name)
    st.subheader("How your columns will be read")
    auto = dict(preview.colmap.columns)
    left, right = st.columns([3, 2])
    with left:
        edited = st.data_editor(
            pd.DataFrame(
                [{"Template column": c.name, "Your column": auto.get(c.name, NOT_READ)} for c in COLUMNS]
            ),
            hide_index=True,
            disabled=["Template column"],
            column_config={
                "Your column": st.column_config.SelectboxColumn(
                    "Your column",
                    options=[NOT_READ, *preview.headers],
                    help=f"Pick the header to read this from, or '{NOT_READ}'",
                )
            },
            key=f"screen_mapping_{hashlib.sha256(data[:65536]).hexdigest()[:10]}",
        )
    chosen_headers = {
        str(row["Template column"]): row["Your column"] if isinstance(row["Your column"], str) else NOT_READ
        for _, row in edited.iterrows()
    }
    overrides = {
        target: "" if header == NOT_READ else header
        for target, header in chosen_headers.items()
        if (header != NOT_READ and auto.get(target) != header) or (header == NOT_READ and target in auto)
    }
    with right:
        st.write("Not used for scoring:")
        used = {h for h in chosen_headers.values() if h != NOT_READ}
        st.text(", ".join(h for h in preview.headers if h not in used) or "(none)")
        for note in preview.notes:
            st.caption(escape(note))
    with st.expander("First rows of the file", key="screen_head"):
        st.dataframe(preview.head, hide_index=True, key="screen_head_table")
    chosen = st.multiselect(
        "Demographic columns for the adverse-impact report (optional; never used in scoring)",
        [h for h in preview.headers if h not in used],
        key="screen_demographics",
    )
    return tuple(chosen), overrides


def _rubric() -> Rubric | None:
    """The rubric from the widgets; None (with a message) when something is not valid."""
    against = st.radio("Screen against", ["A role", "A job posting"], horizontal=True, key="screen_against")
    data: dict[str, object] = {}
    if against == "A role":
        roles = resources.roles()
        left, right = st.columns(2)
        data["role"] = left.selectbox(
            "Role",
            list(roles),
            index=list(roles).index(DEFAULT_ROLE),
            format_func=roles.get,
            key="screen_role",
        )
        data["setting"] = right.selectbox(
            "Kind of employer", list(SETTINGS), format_func=SETTINGS.get, key="screen_setting"
        )
        dimensions = resources.ruleset(str(data["role"])).spec.dimensions
    else:
        text = st.text_area("Job posting", key="screen_posting", height=180, max_chars=60_000)
        if not text.strip():
            st.info("Paste the posting to screen against it.")
            return None
        parsed = resources.posting(text)
        table = st.data_editor(
            matcher.requirements_table(parsed.posting),
            hide_index=True,
            disabled=["Requirement"],
            key=f"screen_posting_table_{hashlib.sha256(text.encode()).hexdigest()[:10]}",
        )
        data["posting"] = matcher.posting_from_table(table, parsed.posting.title)
        dimensions = {}
    knockouts = st.text_area(
        "Knockouts: must-haves, one per line (optional)",
        key="screen_knockouts",
        placeholder="CPC\n2+ years supervisory\nyears_healthcare >= 3 or cert_CMM",
        help="A credential, 'N+ years <kind>', or any condition over the facts listed on the Rules page.",
    )
    data["knockouts"] = [line.strip() for line in knockouts.splitlines() if line.strip()]
    if dimensions:
        with st.expander("Weights of the dimensions", key="screen_weights"):
            st.caption("1 = as the rules file says; 0 = ignore the dimension; 2 = count it double.")
            weights = {
                d: st.slider(spec.title, 0.0, MAX_WEIGHT, 1.0, 0.25, key=f"screen_weight_{d}")
                for d, spec in dimensions.items()
            }
            data["weights"] = {d: w for d, w in weights.items() if w != 1.0}
    data["model"] = st.checkbox(
        "Blend in the readiness model, as the self-assessment does",
        key="screen_model",
        help="Off: every point comes from a published, cited requirement. The model was calibrated on a "
        "counselor panel for self-assessment, not validated for hiring decisions.",
    )
    left, right = st.columns(2)
    band = left.selectbox(
        "Shortlist: band at least", ["nearly", "ready", "developing", "early", "any"], key="screen_band"
    )
    data["shortlist_band"] = None if band == "any" else band
    top = right.number_input("and within the first N (0 = no limit)", 0, 10_000_000, 0, key="screen_top")
    data["shortlist_top"] = int(top) or None
    try:
        return Rubric.model_validate(data)
    except ValidationError as exc:
        st.error("Something in the screening settings is not valid:")
        st.text("\n".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()))
        return None


def _ranking(result: ScreenResult) -> None:
    ranked = result.ranked
    left, right = st.columns(2)
    bands = left.multiselect(
        "Bands", list(reversed(BANDS)), default=list(reversed(BANDS)), key="screen_f_band"
    )
    outcomes = right.multiselect(
        "Knockouts", ["pass", "unknown", "fail"], default=["pass", "unknown", "fail"], key="screen_f_ko"
    )
    shown = ranked[ranked["band"].isin(bands) & ranked["knockouts"].isin(outcomes)]
    if len(shown) > GRID_ROWS:
        st.caption(
            f"{len(shown):,} of {len(ranked):,} candidates match; the first {GRID_ROWS:,} are shown "
            "(the exports hold them all)"
        )
    else:
        st.caption(f"{len(shown):,} of {len(ranked):,} candidates shown")
    table = shown[SHOWN + REASONS].head(GRID_ROWS)
    # Plain text for the grid: it shows a categorical column's blank text as "None".
    table = table.astype({c: "str" for c in table.columns if isinstance(table[c].dtype, pd.CategoricalDtype)})
    st.dataframe(
        table,
        hide_index=True,
        key="screen_ranking",
        column_config={
            "score": st.column_config.NumberColumn(format="%.1f"),
            "completeness": st.column_config.ProgressColumn(
                "known", help="Share of the points the given evidence settles", min_value=0.0, max_value=1.0
            ),
        },
    )


def _compare(result: ScreenResult) -> None:
    ranked = result.ranked
    ids = st.multiselect(
        "Pick 2 to 4 candidates to compare",
        ranked["candidate_id"].tolist(),
        max_selections=4,
        key="screen_compare",
    )
    if len(ids) < 2:
        st.info("Pick at least two candidates.")
        return
    rows = ranked.set_index("candidate_id").loc[ids]
    titles = dict(result.dimensions)
    points = [f"points_{d}" for d in titles]
    table = rows[["rank", "score", "band", "knockouts", *points, *REASONS]].rename(
        columns={f"points_{d}": t for d, t in titles.items()}
    )
    st.dataframe(table.T.astype(str), key="screen_compare_table")
    figure = go.Figure(
        [go.Bar(name=str(i), x=list(titles.values()), y=rows.loc[i, points].tolist()) for i in ids]
    )
    figure.update_layout(barmode="group", height=360, yaxis_title="Points", margin={"t": 20})
    st.plotly_chart(figure, key="screen_compare_chart")


def _impact(result: ScreenResult, carry: tuple[str, ...]) -> None:
    if not carry:
        st.info("Choose demographic columns above (before screening) to see selection rates by group.")
        return
    how = st.radio(
        "Selected means",
        [
            "On the shortlist",
            "At or above a band",
            "At or above a score",
            "Above the median score (scoring rate)",
        ],
        key="screen_sel",
    )
    band = score = None
    if how == "At or above a band":
        band = st.selectbox("Band", ["nearly", "ready", "developing"], key="screen_sel_band")
    elif how == "At or above a score":
        score = float(st.number_input("Score", 0.0, 100.0, 60.0, 1.0, key="screen_sel_score"))
    median = how.startswith("Above the median")
    rare = st.checkbox(
        "Leave categories under 2% of the pool out of the ratios (LL144 allows it)", key="screen_rare"
    )
    report = impact(result, list(carry), band=band, score=score, median=median, exclude_rare=rare)  # type: ignore[arg-type]
    _impact_tables(report)


def _impact_tables(report: ImpactReport) -> None:
    st.warning(report.disclaimer)
    for warning in report.warnings:
        st.caption(escape(warning))
    for name, table in report.tables.items():
        st.markdown(f"**{escape(name)}** ({report.unknown[name]:,} with the category unknown)")
        st.dataframe(
            table,
            hide_index=True,
            key=f"screen_impact_{name}",
            column_config={
                "selection_rate": st.column_config.NumberColumn(format="percent"),
                "share": st.column_config.NumberColumn(format="percent"),
                "impact_ratio": st.column_config.NumberColumn(format="%.2f"),
            },
        )


def _exports(result: ScreenResult) -> None:
    st.caption(
        "Exports hold candidates' personal data: store them safely. Text that a spreadsheet would run as a "
        "formula is written with a leading apostrophe. Demographic columns are never exported."
    )
    c1, c2, c3, c4 = st.columns(4)
    c1.download_button(
        "Ranking (CSV)",
        functools.partial(export_csv, result),  # written when clicked, not on every rerun
        f"ranking-{dt.date.today()}.csv",
        "text/csv",
        key="screen_dl_csv",
    )
    c2.download_button(
        "Ranking (XLSX)",
        functools.partial(export_xlsx, result),
        f"ranking-{dt.date.today()}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="screen_dl_xlsx",
    )
    c3.download_button(
        "Shortlist (CSV)",
        functools.partial(export_csv, result, shortlist_only=True),
        f"shortlist-{dt.date.today()}.csv",
        "text/csv",
        key="screen_dl_short",
    )
    c4.download_button(
        "Rubric (JSON)",
        result.rubric.model_dump_json(indent=2),
        "rubric.json",
        "application/json",
        key="screen_dl_rub",
    )


def _results(result: ScreenResult, carry: tuple[str, ...]) -> None:
    ranked, skipped = result.ranked, result.skipped
    m1, m2, m3 = st.columns(3)
    m1.metric("Candidates ranked", f"{len(ranked):,}")
    m2.metric("Shortlisted", f"{int((ranked['shortlisted'] == 'yes').sum()):,}")
    m3.metric("Rows skipped", f"{len(skipped):,}")
    for note in result.notes:
        st.caption(escape(note))
    tabs = st.tabs(["Ranking", "Compare", "Skipped rows", "Adverse impact", "Export"])
    with tabs[0]:
        _ranking(result)
    with tabs[1]:
        _compare(result)
    with tabs[2]:
        if len(skipped):
            st.dataframe(skipped, hide_index=True, key="screen_skipped")
        else:
            st.success("Every row was read.")
    with tabs[3]:
        _impact(result, carry)
    with tabs[4]:
        _exports(result)


def page() -> None:
    """The Screen candidates page."""
    with resources.shielded():
        st.title("Screen candidates")
        st.write(
            "Upload a spreadsheet of applicants (CSV or XLSX) or a zip of resumes and get a ranked list with "
            "the reasons for each place. Nothing leaves this computer; demographic columns are never scored."
        )
        _template()
        upload = st.file_uploader(
            "Candidates (CSV, XLSX, or a zip of resumes)",
            type=["csv", "xlsx", "zip"],
            key="screen_upload",
            max_upload_size=200,
        )
        if upload is None:
            return
        data = upload.getvalue()
        try:
            carry, overrides = _columns(data, upload.name)
        except AdvisorError as exc:
            st.error("This file cannot be screened:")
            st.text(str(exc))
            return
        st.subheader("What to screen against")
        rubric = _rubric()
        if rubric is None:
            return
        rubric = rubric.model_copy(update={"columns": overrides})
        if st.button("Screen", type="primary", key="screen_run"):
            st.session_state["screen_ran"] = True
        if not st.session_state.get("screen_ran"):
            return
        result = _screen(data, upload.name, rubric.model_dump_json(), carry)
        st.subheader(f"Ranking ({plural(len(result.ranked), 'candidate')})")
        _results(result, carry)
