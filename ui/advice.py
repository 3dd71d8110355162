"""What next: the roadmap, the recommendations with a what-if, credential eligibility, the ladder.

Renders an :class:`~advisor.plan.Advice` (and, when the person ticks actions,
a :class:`~advisor.plan.WhatIf`); all numbers come from the engine. Catalog
text goes through :func:`escape` because titles hold characters Markdown
would eat (a ``$`` starts a formula).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd
import streamlit as st

from advisor.catalog import Catalog
from advisor.plan import Advice, Eligibility, Recommendation, Roadmap, SourceNote, WhatIf
from ui import charts
from ui.glossary import explain_acronyms
from ui.markup import escape, plural

PLOTLY_CONFIG = {"displaylogo": False, "displayModeBar": False}
SHOWN = 8
"""Recommendations shown before "more"."""
STATUS_WORDS = {
    "held": "Held",
    "eligible": "Eligible now",
    "from_date": "Eligible later",
    "blocked": "Blocked",
    "unknown": "Not known",
}
HOW_WORDS = {
    "now": "ready now",
    "working_on": "ready by {month} by keeping your job",
    "plan": "ready by {month} with the roadmap",
    "not_in_horizon": "not ready within {years} years on this path",
}


def _money(low: float, high: float, estimate: bool = False) -> str:
    text = f"${low:,.0f}" if low == high else f"${low:,.0f}-${high:,.0f}"
    return text + (" (estimate)" if estimate else "")


def _source_line(what: str, note: SourceNote | None) -> str:
    """Markdown for a figure's source: links, as-of date and flags; escaped text only."""
    if note is None:
        return ""
    flags = [w for w, on in (("estimate", note.estimate), ("third-party", note.secondary)) if on]
    urls = [u for u in note.source if u.startswith("http")]
    links = " ".join(f"[source{f' {n}' if len(urls) > 1 else ''}]({u})" for n, u in enumerate(urls, 1))
    local = " ".join(escape(u) for u in note.source if not u.startswith("http"))
    extra = f", {', '.join(flags)}" if flags else ""
    return f"{what} as of {escape(note.as_of)}{extra}: {links} {local}".rstrip(" :")


def _first_link(note: SourceNote | None) -> str | None:
    return next((u for u in (note.source if note else []) if u.startswith("http")), None)


def _linked_table(table: pd.DataFrame, key: str, column: str, link_text: str) -> None:
    """A table whose ``column`` holds source addresses, shown as links."""
    config = {column: st.column_config.LinkColumn(column, display_text=link_text)}
    st.dataframe(table, hide_index=True, key=key, column_config=config)


# --- the roadmap --------------------------------------------------------------------------


def _roadmap(road: Roadmap, on_change_goals: Callable[[], None]) -> None:
    st.subheader("Your roadmap")
    pace = (
        f"Paced at {plural(road.hours_per_week, 'study hour')} a week with a budget of ${road.budget_usd:,}; "
        "experience keeps counting while you study."
    )
    st.caption(escape(pace))
    st.button("Change hours or budget", key="roadmap_goals", on_click=on_change_goals)
    (st.success if road.reached else st.warning)(escape(road.note))
    if not road.steps:
        return
    st.plotly_chart(charts.roadmap(road), config=PLOTLY_CONFIG, key="roadmap_chart")
    table = pd.DataFrame(
        {
            "Step": [f"{i}. {s.title}" for i, s in enumerate(road.steps, 1)],
            "Starts": [s.start for s in road.steps],
            "Ends": [s.end for s in road.steps],
            "Cost": [_money(s.cost_low, s.cost_high, s.cost_estimate) for s in road.steps],
            "Score after": [f"{s.score_after:.1f} ({s.band_after})" for s in road.steps],
        }
    )
    st.dataframe(table, hide_index=True, key="roadmap_table")
    total = (
        f"Total {_money(road.total_cost_low, road.total_cost_high)}, "
        f"typically ${road.total_cost_typical:,.0f}." + (" Over your budget." if road.over_budget else "")
    )
    st.caption(escape(total))


# --- recommendations and what-if ----------------------------------------------------------


def _recommendation(rec: Recommendation, catalog: Catalog) -> None:
    band = (
        f"{rec.band_before} → **{rec.band_after}**" if rec.band_after != rec.band_before else rec.band_after
    )
    st.checkbox(
        escape(rec.title),
        key=f"pick_{rec.id}",
        help=explain_acronyms(rec.title, catalog),
    )
    sources = [
        line
        for line in (_source_line("cost", rec.cost_source), _source_line("time", rec.duration_source))
        if line
    ]
    st.caption(
        f"**{rec.lift:+.1f} points** ({band}) by {rec.done_by} · {plural(rec.months, 'month')} "
        f"({escape(rec.duration)}) · {escape(_money(rec.cost_low, rec.cost_high, rec.cost_estimate))} · "
        f"{escape(rec.eligibility)}" + "".join(f" · {line}" for line in sources)
    )
    if rec.membership or rec.also:
        st.caption(
            "Also asks for: "
            + escape("; ".join([*(rec.also), *([rec.membership] if rec.membership else [])]))
        )


def _what_if(result: WhatIf) -> None:
    road, after = result.roadmap, result.after
    end = after.as_of
    st.metric(
        f"Your score by {end} with these done",
        f"{after.score:.1f} / 100",
        delta=f"{after.score - result.without:+.1f} vs {result.without:.1f} without them",
        help="Both figures are for the same month: experience you gain meanwhile counts in both.",
    )
    st.markdown(f"Band then: **{after.band.upper()}** (now {result.before.band}).")
    if road.unplaced:
        st.warning(
            f"Cannot start within {road.horizon_months} months on your current path: "
            + escape(", ".join(road.unplaced))
        )
    if road.steps:
        st.caption(
            "Scheduled as early as prerequisites and study time allow: "
            + escape("; ".join(f"{s.title} {s.start} to {s.end}" for s in road.steps))
        )
    st.plotly_chart(
        charts.what_if(result.before, after, f"by {end}"), config=PLOTLY_CONFIG, key="what_if_chart"
    )


def _recommendations(
    recs: Sequence[Recommendation], catalog: Catalog, run_what_if: Callable[[tuple[str, ...]], WhatIf]
) -> None:
    st.subheader("What would help most")
    if not recs:
        st.info("No single action raises the score from here.")
        return
    st.caption(
        "Each lift is measured by re-scoring your profile with the action done, at the month it would "
        "be done, against the same month without it. Tick any to see what they would do together."
    )
    # The ticks from the last click are known before the boxes are drawn, so the combined
    # result can sit above the list, where the person is looking.
    ticked = tuple(r.id for r in recs if st.session_state.get(f"pick_{r.id}"))
    if ticked:
        with st.container(border=True):
            _what_if(run_what_if(ticked))
    for rec in recs[:SHOWN]:
        _recommendation(rec, catalog)
    if len(recs) > SHOWN:
        with st.expander(f"{len(recs) - SHOWN} more", key="more_recommendations"):
            for rec in recs[SHOWN:]:
                _recommendation(rec, catalog)


# --- eligibility and the ladder -----------------------------------------------------------


def _when(e: Eligibility) -> str:
    if e.status == "from_date":
        return f"from {e.date}, when you reach: {'; '.join(e.waiting_for)}"
    if e.status == "blocked":
        return f"needs {e.blocked_by}"
    if e.status == "unknown":
        return e.blocked_by or "prerequisites not published"
    return ""


def _eligibility(items: Sequence[Eligibility]) -> None:
    st.subheader("Can you sit the exam?")
    order = list(STATUS_WORDS)
    rows = sorted(items, key=lambda e: (order.index(e.status), e.code))
    table = pd.DataFrame(
        {
            "Credential": [e.code for e in rows],
            "Name": [e.name for e in rows],
            "Level": [e.level for e in rows],
            "Status": [STATUS_WORDS[e.status] for e in rows],
            "When, or what is missing": [_when(e) for e in rows],
            "Also needed": ["; ".join([*e.also, *([e.membership] if e.membership else [])]) for e in rows],
            "Source": [_first_link(e.source) for e in rows],
        }
    )
    _linked_table(table, "eligibility_table", "Source", "issuer page")
    st.caption(
        "Eligibility follows each issuer's published pathways; dates assume you keep your current job."
    )


def _ladder(advice: Advice) -> None:
    st.subheader("The ladder")
    rungs = advice.ladder
    years = f"{advice.roadmap.horizon_months / 12:g}"
    now = [r.title for r in rungs if r.ready_how == "now"]
    st.markdown(
        ("Ready now for: **" + escape(", ".join(now)) + "**." if now else "Not ready for any rung yet.")
        + " "
        + " ".join(
            escape(f"{r.title}: {HOW_WORDS[r.ready_how].format(month=r.ready_month, years=years)}.")
            for r in rungs
            if r.ready_how != "now"
        )
    )
    st.plotly_chart(charts.ladder(rungs), config=PLOTLY_CONFIG, key="ladder_chart")
    table = pd.DataFrame(
        {
            "Role": [r.title for r in rungs],
            "Readiness": [f"{r.score:.1f} ({r.band})" for r in rungs],
            "When ready": [HOW_WORDS[r.ready_how].format(month=r.ready_month, years=years) for r in rungs],
            "Median pay": [f"${r.median_pay_usd:,.0f} a {r.pay_period} ({r.pay_year})" for r in rungs],
            "Typical entry education": [r.entry_education for r in rungs],
            "Outlook": [r.outlook for r in rungs],
            "Pay source": [_first_link(r.pay_source) for r in rungs],
        }
    )
    _linked_table(table, "ladder_table", "Pay source", "BLS figure")
    st.caption(
        "Pay, education and outlook are the US Bureau of Labor Statistics' figures for each occupation, "
        "with their data year; some come from third parties restating BLS. Pick another rung as your "
        "target role on the Start step to get its roadmap."
    )


def render(
    advice: Advice,
    catalog: Catalog,
    run_what_if: Callable[[tuple[str, ...]], WhatIf],
    on_change_goals: Callable[[], None],
) -> None:
    """The whole "What next" section."""
    _roadmap(advice.roadmap, on_change_goals)
    _recommendations(advice.recommendations, catalog, run_what_if)
    _eligibility(advice.eligibility)
    _ladder(advice)
