"""Plotly figures for the results: a score gauge, the dimensions, the settings side by side.

Pure functions from an Assessment to a figure (no Streamlit), so they can be
tested alone. Colour never carries meaning by itself: every band is also
written in words on the figure.
"""

from __future__ import annotations

from collections.abc import Mapping

import plotly.graph_objects as go

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
