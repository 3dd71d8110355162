"""Streamlit entry point: page set-up and navigation only.

The pages live in ``ui/``; they turn widgets into one validated input, call
one engine function and render. Start with ``streamlit run app.py``.
"""

from __future__ import annotations

import streamlit as st

st.set_page_config(page_title="Medical office manager readiness", page_icon="ui/icon.png", layout="wide")
navigation = st.navigation(
    [
        st.Page("ui/pages/assess.py", title="Self-assessment", icon=":material/assignment:", default=True),
        st.Page(
            "ui/pages/rules.py", title="Rules and sources", icon=":material/menu_book:", url_path="rules"
        ),
        st.Page(
            "ui/pages/posting.py", title="Match a job posting", icon=":material/work:", url_path="posting"
        ),
        st.Page("ui/pages/screen.py", title="Screen candidates", icon=":material/groups:", url_path="screen"),
        st.Page("ui/pages/clients.py", title="Clients", icon=":material/folder_shared:", url_path="clients"),
        st.Page(
            "ui/pages/model.py", title="About the model", icon=":material/model_training:", url_path="model"
        ),
    ]
)
navigation.run()
