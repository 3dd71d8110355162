"""About the model: the model card and its held-out figures, for anyone who wants to check it."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from advisor.goals import DEFAULT_ROLE
from advisor.model import MAX_ADJUSTMENT, MODEL_ENV, Model, active_model
from ui import resources

WAYS = {"rules": "Rules alone", "model": "Model alone", "blend": "Blend (what you see)"}
PLOTLY_CONFIG = {"displaylogo": False, "displayModeBar": False}


def _figures(model: Model) -> None:
    held = model.meta.metrics["held_out"]
    table = pd.DataFrame(
        [
            {
                "Setting": setting.replace("_", " "),
                "Scoring": WAYS[way],
                "Exact band": r["exact"],
                "Within one band": r["within_one"],
                "Kappa (quadratic)": r["qwk"],
                "Brier (top band)": r["brier"],
            }
            for setting, ways in held.items()
            for way, r in ways.items()
        ]
    )
    st.dataframe(table, hide_index=True, key="model_figures")
    curve = model.meta.metrics.get("weight_curve", {})
    if curve:
        fig = go.Figure(
            go.Scatter(
                x=[float(w) for w in curve], y=list(curve.values()), mode="lines+markers", name="kappa"
            )
        )
        fig.add_vline(x=model.meta.weight, line_dash="dash", annotation_text=f"chosen {model.meta.weight:g}")
        fig.update_layout(
            height=260,
            margin={"l": 10, "r": 10, "t": 30, "b": 30},
            xaxis={"title": "blend weight (0 = rules only, 1 = all the way to the model)"},
            yaxis={"title": "mean kappa, held out"},
        )
        st.plotly_chart(fig, config=PLOTLY_CONFIG, key="weight_curve")


def page() -> None:
    """The About the model page."""
    with resources.shielded():
        st.title("About the model")
        model = active_model(DEFAULT_ROLE, resources.catalog())
        if model is None:
            st.info(
                "No model is in use: scores come from the rules alone. "
                f"Set {MODEL_ENV} to a model folder (or unset it for the shipped model) and restart."
            )
            return
        st.write(
            "The rules say what the published requirements are; the model learned from two experienced "
            "raters how they weigh the same evidence together. It can move a score by at most "
            f"{MAX_ADJUSTMENT:g} points, never past a hard requirement, and every result shows the rules "
            "score and the model's adjustment apart."
        )
        left, middle, right = st.columns(3)
        left.metric("Model", model.meta.kind)
        middle.metric("Blend weight", f"{model.meta.weight:g}", help="Chosen on held-out folds, not by hand.")
        right.metric("Trained", model.meta.trained)
        st.subheader("Held-out figures")
        _figures(model)
        st.subheader("Model card")
        st.markdown(model.card() or "This model has no card.")
