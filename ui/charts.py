"""Plotly figures for the results: a score gauge, the dimensions, the settings side by side,
the roadmap timeline, the ladder, and a what-if comparison.

Pure functions from engine results to a figure (no Streamlit), so they can be
tested alone. Colour never carries meaning by itself: every band is also
written in words on the figure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import plotly.graph_objects as go

from advisor.plan import Roadmap, Rung
from advisor.rules import Thresholds
from advisor.scoring import Assessment

# Light, colour-blind-safe tones (ColorBrewer "Blues"); the words carry the meaning.
BAND_COLOURS = {"early": "#eff3ff", "developing": "#bdd7e7", "nearly": "#6baed6", "ready": "#2171b5"}
INK = "#1f2937"


def gauge(assessment: Assessment, thresholds: Thresholds) -> go.Figure:
    """The score on a 0-100 dial whose bands are labelled at their thresholds."""
    t = thresholds
    steps = [
        {"range": [0, t.developing], "color": BAND_COLOURS["early"]},
        {"range": [t.developing, t.nearly], "color": BAND_COLOURS["developing"]},
        {"range": [t.nearly, t.ready], "color": BAND_COLOURS["nearly"]},
        {"range": [t.ready, 100], "color": BAND_COLOURS["ready"]},
    ]
    ticks = [0, t.developing, t.nearly, t.ready, 100]
    labels = ["0 early", f"{t.developing:g} developing", f"{t.nearly:g} nearly", f"{t.ready:g} ready", "100"]
    fig = go.Figure(
        go.Indicator(
            mode="gauge+number",
            value=assessment.score,
            number={"suffix": " / 100", "valueformat": ".1f", "font": {"size": 34, "color": INK}},
            title={"text": f"Band: <b>{assessment.band.upper()}</b>", "font": {"size": 18, "color": INK}},
            gauge={
                "axis": {"range": [0, 100], "tickvals": ticks, "ticktext": labels, "tickfont": {"size": 11}},
                "bar": {"color": INK, "thickness": 0.25},
                "steps": steps,
            },
        )
    )
    fig.update_layout(height=260, margin={"l": 30, "r": 30, "t": 60, "b": 10})
    return fig


def dimensions(assessment: Assessment) -> go.Figure:
    """Each dimension's points as a share of what it can earn, with the numbers written on."""
    dims = [d for d in assessment.dimensions if d.max > 0][::-1]
    names = [d.title for d in dims]
    shares = [100 * d.score / d.max for d in dims]
    fig = go.Figure()
    fig.add_bar(
        y=names,
        x=[100] * len(dims),
        orientation="h",
        marker_color="#e5e7eb",
        hoverinfo="skip",
        showlegend=False,
    )
    fig.add_bar(
        y=names,
        x=shares,
        orientation="h",
        marker_color="#3b82f6",
        text=[f"{d.score:.1f} / {d.max:.1f} pts" for d in dims],
        textposition="outside",
        cliponaxis=False,
        hovertemplate="%{y}: %{x:.0f}% of its points<extra></extra>",
        showlegend=False,
    )
    fig.update_layout(
        barmode="overlay",
        height=40 + 34 * len(dims),
        margin={"l": 10, "r": 90, "t": 10, "b": 30},
        xaxis={"range": [0, 100], "ticksuffix": "%", "title": None},
        yaxis={"automargin": True},
    )
    return fig


def settings(results: Mapping[str, Assessment]) -> go.Figure:
    """The same person's score in every setting, each bar labelled with its band."""
    items = list(results.values())
    fig = go.Figure(
        go.Bar(
            x=[a.setting_label.split(" (")[0] for a in items],
            y=[a.score for a in items],
            marker_color=[BAND_COLOURS[a.band] for a in items],
            marker_line={"color": INK, "width": 1},
            text=[f"{a.score:.1f} · {a.band}" for a in items],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{x}: %{y:.1f}<extra></extra>",
        )
    )
    fig.update_layout(height=300, margin={"l": 10, "r": 10, "t": 30, "b": 10}, yaxis={"range": [0, 105]})
    return fig


KIND_COLOURS = {
    "cert": "#2171b5",
    "program": "#08306b",
    "course": "#6baed6",
    "software": "#9ecae1",
    "experience": "#fd8d3c",
    "duty": "#fdae6b",
}
KIND_WORDS = {
    "cert": "credential",
    "program": "degree or certificate",
    "course": "course",
    "software": "software",
    "experience": "new role",
    "duty": "new duties",
}


def _first_day(month: str) -> str:
    return f"{month}-01"


SHORT_KIND = {
    "program": "Degree",
    "course": "Course",
    "software": "Software",
    "experience": "New role",
    "duty": "Duties",
}


def short_name(step_id: str) -> str:
    """A label that fits a phone: ``cert:CPMA`` -> ``CPMA``, ``duty:hiring`` -> ``Duties: hiring``."""
    kind, name = step_id.split(":", 1)
    if kind == "cert":
        return name
    return f"{SHORT_KIND.get(kind, kind)}: {name.replace('_', ' ')}"


def roadmap(road: Roadmap) -> go.Figure:
    """A Gantt-like timeline: one bar per step from its start to its end month, short names on
    the axis (the full titles are in the hover and the table), the months on the bars, and a
    dashed line at the month 'ready' is reached."""
    steps = road.steps[::-1]
    names = [f"{i}. {short_name(s.id)}" for i, s in zip(range(len(steps), 0, -1), steps, strict=True)]
    fig = go.Figure()
    for kind, colour in KIND_COLOURS.items():
        mine = [(n, s) for n, s in zip(names, steps, strict=True) if s.kind == kind]
        if not mine:
            continue
        fig.add_bar(
            y=[n for n, _ in mine],
            x=[_days(s.start, s.end) for _, s in mine],
            base=[_first_day(s.start) for _, s in mine],
            orientation="h",
            name=KIND_WORDS[kind],
            marker_color=colour,
            marker_line={"color": INK, "width": 1},
            text=[f"{s.start} to {s.end}" for _, s in mine],
            customdata=[[s.title, f"{s.score_after:.1f} {s.band_after}"] for _, s in mine],
            textposition="inside",
            insidetextanchor="start",
            hovertemplate="%{customdata[0]}<br>%{text}, then %{customdata[1]}<extra></extra>",
        )
    if road.ready_month is not None and road.steps:
        fig.add_vline(x=_first_day(road.ready_month), line_dash="dash", line_color=INK)
        fig.add_annotation(
            x=_first_day(road.ready_month),
            y=1.02,
            yref="paper",
            text=f"ready {road.ready_month}",
            xanchor="right",
            showarrow=False,
            font={"color": INK},
        )
    fig.update_layout(
        height=110 + 44 * len(steps),
        margin={"l": 10, "r": 20, "t": 30, "b": 30},
        xaxis={"type": "date", "tickformat": "%Y-%m"},
        yaxis={"automargin": True, "categoryorder": "array", "categoryarray": names},
        legend={"orientation": "h", "y": -0.25},
        barmode="overlay",
        uniformtext={"minsize": 10, "mode": "hide"},  # dates that do not fit a short bar are left out
    )
    return fig


def _days(start: str, end: str) -> int:
    """Milliseconds between two months' first days (a date axis measures bars in ms)."""
    a = dt.date(int(start[:4]), int(start[5:7]), 1)
    b = dt.date(int(end[:4]), int(end[5:7]), 1)
    return (b - a).days * 86_400_000


def ladder(rungs: Sequence[Rung]) -> go.Figure:
    """Readiness for every role on the ladder, lowest rung at the bottom, each bar labelled."""
    items = sorted(rungs, key=lambda r: r.order)
    fig = go.Figure(
        go.Bar(
            y=[("▶ " if r.target else "") + r.title for r in items],
            x=[r.score for r in items],
            orientation="h",
            marker_color=[BAND_COLOURS[r.band] for r in items],
            marker_line={"color": INK, "width": 1},
            text=[f"{r.score:.0f} · {r.band}" for r in items],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{x:.1f}<extra></extra>",
        )
    )
    fig.update_layout(
        height=60 + 40 * len(items),
        margin={"l": 10, "r": 70, "t": 10, "b": 30},
        xaxis={"range": [0, 100], "title": None},
        yaxis={"automargin": True},
    )
    return fig


def what_if(before: Assessment, after: Assessment, label: str) -> go.Figure:
    """Each dimension's points now and with the picked actions done, side by side."""
    dims = [d for d in before.dimensions if d.max > 0][::-1]
    later = {d.id: d for d in after.dimensions}
    fig = go.Figure()
    fig.add_bar(
        y=[d.title for d in dims],
        x=[d.score for d in dims],
        orientation="h",
        name="now",
        marker_color="#bdd7e7",
        hovertemplate="%{y}: %{x:.1f} now<extra></extra>",
    )
    fig.add_bar(
        y=[d.title for d in dims],
        x=[later[d.id].score for d in dims],
        orientation="h",
        name=label,
        marker_color="#2171b5",
        text=[f"{later[d.id].score - d.score:+.1f}" if later[d.id].score != d.score else "" for d in dims],
        textposition="outside",
        cliponaxis=False,
        hovertemplate="%{y}: %{x:.1f} " + label + "<extra></extra>",
    )
    fig.update_layout(
        barmode="group",
        height=80 + 44 * len(dims),
        margin={"l": 10, "r": 50, "t": 10, "b": 30},
        legend={"orientation": "h", "y": -0.08},
        yaxis={"automargin": True},
        xaxis={"title": "points"},
    )
    return fig
