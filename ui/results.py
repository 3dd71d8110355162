"""The results: score and band, dimensions, gates, what to do next, every rule with its
evidence and source, completeness, the three settings side by side, and the downloads.

Everything shown comes from the Assessments the engine returned; user-typed
text only ever appears through ``st.text`` or escaped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Literal

import streamlit as st

from advisor.catalog import Catalog
from advisor.plan import Advice, WhatIf
from advisor.profile import Profile, dump_profile
from advisor.report import BAND_MEANING, STATUS_WORDS, render_html
from advisor.rules import RuleSet
from advisor.scoring import Assessment, Citation, largest_gaps
from ui import advice as advice_view
from ui import charts
from ui.glossary import explain_acronyms
from ui.markup import escape

STATUS_ICONS = {
    "met": ":green[:material/check_circle:]",
    "partly": ":orange[:material/contrast:]",
    "unmet": ":red[:material/cancel:]",
    "unknown": ":gray[:material/help:]",
}
"""Icons with colour, always followed by the status in words."""
PLOTLY_CONFIG = {"displaylogo": False, "displayModeBar": False}


def _citation(c: Citation) -> str:
    flags = [
        f
        for f, on in (
            ("restated by a third party", c.secondary),
            ("less certain", c.uncertain),
            ("not found", c.gap),
        )
        if on
    ]
    urls = [u for u in c.source if u.startswith("http")]
    links = " ".join(f"[link{f' {n}' if len(urls) > 1 else ''}]({url})" for n, url in enumerate(urls, 1))
    local = " ".join(escape(u) for u in c.source if not u.startswith("http"))
    extra = f" ({', '.join(flags)})" if flags else ""
    return f"{escape(c.title)}, as of {c.as_of}{extra} {links} {local}".rstrip()


def _headline(a: Assessment, rules: RuleSet) -> None:
    left, right = st.columns([1, 1])
    with left:
        st.plotly_chart(
            charts.gauge(a, rules.spec.bands.thresholds[a.setting]),
            config=PLOTLY_CONFIG,
            key=f"gauge_{a.setting}",
        )
    with right:
        st.metric("Readiness score", f"{a.score:.1f} / 100", help="Points earned out of 100 in this setting.")
        if a.completeness.enough:
            st.markdown(f"**Band: {a.band.upper()}**: {BAND_MEANING[a.band]}.")
        else:
            st.markdown("**Not enough information yet** to place you in a band.")
            st.caption(f"On what was given the band would be {a.band}; fill in the steps to know for sure.")
        if a.capped_by:
            capping = [g.statement for g in a.gates if g.id in a.capped_by]
            st.warning(
                f"The points alone say **{a.band_before_gates}**; a hard requirement caps the band: "
                + "; ".join(escape(c) for c in capping)
            )
        if a.model_version is not None:
            _model_share(a)
    if a.completeness.share < 0.9995:
        st.info(a.completeness.message)
    odd = a.completeness.unrecognized_software + a.completeness.unrecognized_certifications
    if odd:
        st.caption("Not in the catalog, so not counted:")
        st.text(", ".join(odd))


def _model_share(a: Assessment) -> None:
    """The rules score and the model's adjustment side by side, with the model's reasons."""
    rules, model = st.columns(2)
    rules.metric(
        "Rules score", f"{a.rules_score:.1f}", help="Points earned under the published requirements."
    )
    model.metric(
        "Model adjustment",
        f"{a.model_adjustment:+.1f}",
        help=(
            f"The model's own view is {a.model_score:.1f}; the score moves part of the way toward it, "
            "at most 15 points and never past a hard requirement. See About the model."
        ),
    )
    if a.model_reasons:
        st.caption("What the model weighs most here:")
        st.markdown("\n".join(f"- {escape(reason)}" for reason in a.model_reasons))


def _gaps(a: Assessment) -> None:
    """Where the missing points are, so the result says where to start."""
    gaps = largest_gaps(a, 3)
    if not gaps:
        return
    st.subheader("Where the points are")
    for dim, item in gaps:
        missing = item.max_points - item.points
        st.markdown(f"**{escape(dim.title)}**: {missing:.1f} points to gain. {escape(item.explanation)}")
        st.caption(escape(item.statement))


def _gates(a: Assessment, catalog: Catalog) -> None:
    st.subheader("Hard requirements")
    for g in a.gates:
        word = STATUS_WORDS[g.status]
        st.markdown(
            f"{STATUS_ICONS[g.status]} **{word}**: {escape(g.statement)}",
            help=explain_acronyms(g.statement, catalog),
        )
        note = "" if g.status == "met" else f" Until this is met, the band can be at most {g.caps_band}."
        st.caption(escape(g.explanation.rstrip(".") + ".") + note)


def _rules(a: Assessment, catalog: Catalog) -> None:
    st.plotly_chart(charts.dimensions(a), config=PLOTLY_CONFIG, key=f"dimensions_{a.setting}")
    for d in a.dimensions:
        with st.expander(d.title, key=f"dimension_{d.id}"):
            st.caption(f"{d.score:.1f} of {d.max:.1f} points. {escape(d.description)}")
            for item in d.items:
                said = f"{item.statement} {item.explanation}"
                rated = " (self-rated)" if item.self_rated and "self-rated" not in said else ""
                st.markdown(
                    f"{STATUS_ICONS[item.status]} **{STATUS_WORDS[item.status]}**, "
                    f"{item.points:.1f} of {item.max_points:.1f} points: {escape(item.statement)}{rated}",
                    help=explain_acronyms(f"{item.statement} {item.explanation}", catalog),
                )
                st.markdown(f"&nbsp;&nbsp;&nbsp;&nbsp;{escape(item.explanation)}")
                st.caption("Source: " + " · ".join(_citation(c) for c in item.sources))


def _settings(assessed: Mapping[str, Assessment]) -> None:
    st.plotly_chart(charts.settings(assessed), config=PLOTLY_CONFIG, key="settings_chart")
    columns = st.columns(len(assessed))
    for column, a in zip(columns, assessed.values(), strict=True):
        with column:
            st.metric(a.setting_label, f"{a.score:.1f} / 100")
            st.markdown(f"**{a.band.upper()}**: {BAND_MEANING[a.band]}")
            st.caption(escape(a.setting_description))


MIME = {"json": "application/json", "yaml": "application/x-yaml"}


def profile_downloads(
    profile: Profile,
    key: str,
    formats: tuple[Literal["json", "yaml"], ...],
    width: Literal["stretch", "content"] = "stretch",
) -> None:
    """Buttons that save the profile in the interchange format."""
    for fmt in formats:
        st.download_button(
            f"Download the profile ({fmt.upper()})",
            dump_profile(profile, fmt),
            file_name=f"profile.{fmt}",
            mime=MIME[fmt],
            key=f"{key}_profile_{fmt}",
            width=width,
        )


def _downloads(a: Assessment, assessed: Mapping[str, Assessment], profile: Profile) -> None:
    st.write("Everything is made on this computer; nothing is sent anywhere.")
    report = render_html(a, list(assessed.values()), name=profile.name)
    st.download_button(
        "Download the report (HTML)",
        report,
        file_name=f"readiness-{a.setting}-{a.as_of}.html",
        mime="text/html",
        key="download_report",
        type="primary",
    )
    profile_downloads(profile, "download", ("json",), width="content")
    st.download_button(
        "Download the assessment data (JSON)",
        a.model_dump_json(indent=2),
        file_name=f"assessment-{a.setting}-{a.as_of}.json",
        mime="application/json",
        key="download_assessment",
    )


def render(
    advice: Advice,
    assessed: Mapping[str, Assessment],
    profile: Profile,
    rules: RuleSet,
    run_what_if: Callable[[tuple[str, ...]], WhatIf],
    on_change_goals: Callable[[], None],
) -> None:
    """The results for the goal's setting (``advice``), with ``assessed`` in every setting."""
    a = advice.assessment
    st.subheader(f"{a.role_title}: {a.setting_label}")
    _headline(a, rules)
    _gaps(a)
    catalog = rules.catalog
    _gates(a, catalog)
    what_next, why, everywhere, take_away = st.tabs(
        ["What next", "What counts and why", "All three settings", "Take it away"], key="results_tab"
    )
    with what_next:
        advice_view.render(advice, catalog, run_what_if, on_change_goals)
    with why:
        _rules(a, catalog)
    with everywhere:
        _settings(assessed)
    with take_away:
        _downloads(a, assessed, profile)
