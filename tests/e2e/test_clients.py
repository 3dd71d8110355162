"""A counselor keeps a client's record and takes the printed report away, in a real browser."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.e2e.test_self_assessment import settle

pytestmark = pytest.mark.e2e


def test_a_counselor_adds_a_client_assesses_and_downloads_the_pdf(page: Page, app_url, artifacts):
    page.goto(f"{app_url}/clients")
    page.get_by_text("New client").click()
    name = page.get_by_label("Name", exact=True)
    name.fill("Dana Ortiz")
    name.press("Enter")
    settle(page)
    page.get_by_role("button", name="Create").click()
    settle(page)
    page.get_by_role("heading", name="Dana Ortiz").wait_for(timeout=30_000)
    page.get_by_role("button", name="Assess now").click()
    page.get_by_text("Score then").wait_for(timeout=60_000)
    settle(page)
    page.get_by_role("tab", name="Notes and plan").click()
    note = page.get_by_label("Text", exact=True)
    note.fill("First visit: <b>wants</b> to manage a clinic.")
    note.press("Control+Enter")
    settle(page)
    page.get_by_role("button", name="Add", exact=True).click()
    page.get_by_text("First visit: <b>wants</b> to manage a clinic.").wait_for(timeout=30_000)
    page.get_by_role("tab", name="Report").click()
    settle(page)
    page.get_by_text("note: First visit: <b>wants</b>", exact=False).first.wait_for(
        timeout=10_000
    )  # included
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Report (PDF)").click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")
    settle(page)
    page.screenshot(path=str(artifacts / "clients-report.png"))
    assert page.locator("[data-testid='stException']").count() == 0
