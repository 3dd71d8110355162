"""A hiring manager screens a spreadsheet of applicants in a real browser."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page

from tests.e2e.test_self_assessment import pick_many, settle

pytestmark = pytest.mark.e2e
CANDIDATES = (
    "Applicant ID,Full Name,Degree,Major,Yrs Supervisory,years_healthcare,certifications,Gender\n"
    "A1,Ann Smith,BS,Health administration,5,8,CPC; CMM,F\n"
    'A2,"=HYPERLINK(""http://x"")",HS,,1,3,none,M\n'
    "A3,Bob Ray,master,,abc,2,,M\n"
    "A4,Eve Park,associate,business,2,4,CPB,F\n"
)


def test_a_manager_ranks_compares_and_checks_impact(page: Page, app_url, tmp_path, artifacts):
    sheet = tmp_path / "applicants.csv"
    sheet.write_text(CANDIDATES, encoding="utf-8")
    page.goto(f"{app_url}/screen")
    page.locator("input[type='file']").first.set_input_files(str(sheet))
    page.get_by_text("How your columns will be read").wait_for(timeout=30_000)
    settle(page)
    pick_many(page, "Demographic columns for the adverse-impact report", "Gend", "Gender")
    knockouts = page.get_by_role("textbox", name="Knockouts: must-haves, one per line (optional)")
    knockouts.fill("2+ years supervisory")
    knockouts.press("Control+Enter")
    settle(page)
    page.get_by_role("button", name="Screen", exact=True).click()
    page.get_by_text("Candidates ranked").wait_for(timeout=60_000)
    settle(page)
    page.get_by_text("Candidates ranked").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "screen-ranking.png"))
    # The skipped row is listed with its row and column; nothing crashed.
    page.get_by_role("tab", name="Skipped rows").click()
    page.get_by_text("'abc' is not a number").first.wait_for(state="attached", timeout=10_000)
    page.get_by_role("tab", name="Compare").click()
    pick_many(page, "Pick 2 to 4 candidates to compare", "A1", "A1")
    pick_many(page, "Pick 2 to 4 candidates to compare", "A4", "A4")
    page.locator("[data-testid='stPlotlyChart']").first.wait_for(timeout=20_000)
    page.screenshot(path=str(artifacts / "screen-compare.png"))
    page.get_by_role("tab", name="Adverse impact").click()
    page.get_by_text("A monitoring aid, not a legal finding").wait_for(timeout=10_000)
    page.screenshot(path=str(artifacts / "screen-impact.png"))
    page.get_by_role("tab", name="Export").click()
    with page.expect_download(timeout=60_000) as download:  # the workbook is written on the click
        page.get_by_role("button", name="Ranking (XLSX)").click()
    saved = tmp_path / "ranking.xlsx"
    download.value.save_as(saved)
    book = load_workbook(saved)
    names = [c.value for c in book["Ranking"]["E"]]
    assert '\'=HYPERLINK("http://x")' in names  # the formula in a name arrives as text
    assert not [c for row in book["Ranking"].iter_rows() for c in row if c.data_type == "f"]
    assert page.locator("[data-testid='stException']").count() == 0
