"""The Streamlit page, driven through AppTest as a user would."""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

APP = str(ROOT / "app.py")


@pytest.fixture(autouse=True)
def _fresh_caches():
    # AppTest keeps its own bookkeeping (widget format functions) in session state, which the
    # production setting runner.enforceSerializableSessionState would refuse; the app's own
    # state is checked for serializability in the browser tests that run the real server.
    st.config.set_option("runner.enforceSerializableSessionState", False)
    st.cache_resource.clear()
    st.cache_data.clear()
    yield


def started() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    return at


def test_the_page_shows_an_assessment_for_an_example():
    at = started()
    at.selectbox[0].set_value("billing_supervisor.yaml").run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Band"] in {"Ready", "Nearly", "Developing", "Early"}
    assert "/ 100" in metrics["Readiness score"]
    assert len(at.dataframe) == 2


def test_changing_the_setting_changes_the_result():
    at = started()
    at.selectbox[0].set_value("small_practice_manager_no_degree.yaml").run()
    small = at.metric[0].value
    at.selectbox[1].set_value("large_group").run()
    assert not at.exception
    assert at.metric[0].value != small


def test_a_bad_upload_shows_a_readable_error_not_a_traceback():
    at = started()
    at.radio[0].set_value("Upload my profile (JSON or YAML)").run()
    at.file_uploader[0].set_value(
        ("client.yaml", b"education:\n  - level: phd\n", "application/x-yaml")
    ).run()
    assert not at.exception
    assert at.error and "could not be read" in at.error[0].value
    assert "client.yaml:2: education[0].level" in at.text[0].value


def test_an_uploaded_profile_is_assessed():
    at = started()
    at.radio[0].set_value("Upload my profile (JSON or YAML)").run()
    body = (ROOT / "examples" / "front_desk_lead.yaml").read_bytes()
    at.file_uploader[0].set_value(("lead.yaml", body, "application/x-yaml")).run()
    assert not at.exception and not at.error
    assert at.metric[1].value in {"Nearly", "Developing"}
