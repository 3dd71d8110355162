"""The Screen candidates page through AppTest: upload, mapping, rubric, ranking, comparison,
impact and exports, with bad files and bad knockouts answered by messages, never tracebacks."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from advisor.screening import Rubric, screen_file
from tests.conftest import ROOT
from tests.test_app import _fresh_caches  # noqa: F401 - the same fresh caches for every test

PAGE = str(ROOT / "ui" / "pages" / "screen.py")
POOL = (
    b"Applicant ID,Full Name,Degree,Yrs Supervisory,years_healthcare,certifications,Gender\n"
    b"A1,Ann Smith,bachelor,5,8,CPC; CMM,F\n"
    b"A2,=cmd(),high_school,1,3,none,M\n"
    b"A3,Lee Wong,master,abc,2,,M\n"
    b"A4,Eve Park,associate,2,4,CPB,F\n"
)


def uploaded(body: bytes = POOL, name: str = "pool.csv") -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    at.file_uploader(key="screen_upload").set_value((name, body, "text/csv")).run()
    assert not at.exception
    return at


def texts(at: AppTest) -> str:
    return "\n".join([t.value for t in at.text] + [e.value for e in at.error] + [c.value for c in at.caption])


def test_the_page_shows_the_mapping_and_ranks_like_the_engine():
    at = uploaded()
    mapping = at.dataframe[1].value  # after the template's column table
    assert dict(zip(mapping["Template column"], mapping["Your column"], strict=True))[
        "years_supervisory"
    ] == ("Yrs Supervisory")
    assert "Gender" in texts(at)  # listed as not used for scoring
    at.multiselect(key="screen_demographics").set_value(["Gender"]).run()
    at.text_area(key="screen_knockouts").set_value("2+ years supervisory").run()
    at.button(key="screen_run").click().run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Candidates ranked"] == "3" and metrics["Rows skipped"] == "1"
    expected = screen_file(POOL, Rubric(knockouts=["2+ years supervisory"]), name="pool.csv").ranked
    shown = next(d.value for d in at.dataframe if "knockouts_failed" in d.value.columns)
    assert shown["candidate_id"].tolist() == expected["candidate_id"].tolist()
    assert shown["score"].tolist() == expected["score"].tolist()
    # A blank text (nothing failed) is blank. The grid draws a categorical column's blank as
    # "None" (seen in the browser), so the table it gets holds plain text only.
    assert (shown.loc[shown["knockouts"] == "pass", "knockouts_failed"] == "").all()
    assert not [c for c in shown.columns if isinstance(shown[c].dtype, pd.CategoricalDtype)]
    # Comparison and impact draw from the same run.
    at.multiselect(key="screen_compare").set_value(["A1", "A4"]).run()
    assert not at.exception and len(at.get("plotly_chart")) == 1
    assert any("monitoring aid, not a legal finding" in w.value for w in at.warning)
    labels = [b.label for b in at.get("download_button")]
    assert {"Ranking (CSV)", "Ranking (XLSX)", "Shortlist (CSV)", "Rubric (JSON)"} <= set(labels)


def test_a_bad_knockout_is_a_message_and_a_fix_brings_the_ranking():
    at = uploaded()
    at.text_area(key="screen_knockouts").set_value("years_supervisry >= 2").run()
    at.button(key="screen_run").click().run()
    assert not at.exception
    assert "did you mean 'years_supervisory'" in texts(at)
    at.text_area(key="screen_knockouts").set_value("years_supervisory >= 2").run()
    assert not at.exception and at.metric


@pytest.mark.parametrize(
    ("body", "name", "message"),
    [
        (b"%PDF-1.7\x00\x00binary", "cv.csv", "not a CSV or XLSX"),
        (b"PK\x03\x04broken", "pool.xlsx", "damaged"),
        (b"plain", "resumes.zip", "not a zip"),
    ],
)
def test_a_file_that_cannot_be_screened_gets_a_message(body, name, message):
    at = uploaded(body, name)
    for button in [b for b in at.button if b.key == "screen_run"]:  # a zip is only opened on Screen
        button.click().run()
    assert not at.exception
    assert message in texts(at)


def test_the_page_offers_the_template():
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert "Download the candidate template (CSV)" in [b.label for b in at.get("download_button")]


def test_screening_against_a_pasted_posting_and_with_weights():
    at = uploaded()
    at.radio(key="screen_against").set_value("A job posting").run()
    at.text_area(key="screen_posting").set_value(
        "Practice Manager\nRequirements:\n- Bachelor's degree required\n- CPC or CPB required\n"
    ).run()
    at.button(key="screen_run").click().run()
    assert not at.exception
    ranked = next(d.value for d in at.dataframe if "knockouts_failed" in d.value.columns)
    assert ranked["candidate_id"].iloc[0] == "A1"
    at.radio(key="screen_against").set_value("A role").run()
    at.slider(key="screen_weight_education").set_value(0.0).run()
    assert not at.exception
    ranked = next(d.value for d in at.dataframe if "knockouts_failed" in d.value.columns)
    expected = screen_file(POOL, Rubric(weights={"education": 0.0}), name="pool.csv").ranked
    assert ranked["score"].tolist() == expected["score"].tolist()


def test_a_large_pool_shows_the_first_rows_and_says_so():
    from ui.screener import GRID_ROWS

    rows = "".join(f"C{i},{i % 9},{i % 5}\n" for i in range(GRID_ROWS + 1))
    at = uploaded(("candidate_id,years_healthcare,years_supervisory\n" + rows).encode(), "big.csv")
    at.button(key="screen_run").click().run()
    assert not at.exception
    shown = next(d.value for d in at.dataframe if "knockouts_failed" in d.value.columns)
    assert len(shown) == GRID_ROWS
    assert f"the first {GRID_ROWS:,} are shown (the exports hold them all)" in texts(at)
