"""What only a browser shows: the real server renders the page with no script error."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e
SHOTS = Path(os.environ.get("E2E_SCREENSHOTS", Path(tempfile.gettempdir()) / "advisor-e2e"))


def test_the_page_renders_an_assessment_with_no_script_error(page):
    page.get_by_text("Readiness score").first.wait_for(timeout=30_000)
    assert page.get_by_text("What counts and why").count() == 1
    assert page.locator("[data-testid='stException']").count() == 0
    page.locator("[data-testid='stDataFrame'] canvas").first.wait_for(timeout=30_000)
    page.wait_for_timeout(1500)  # let the grid paint before the screenshot a person looks at
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "assessment.png"), full_page=True)


def test_a_bad_upload_shows_a_message_not_a_traceback(page, tmp_path):
    page.get_by_text("Upload my profile (JSON or YAML)").click()
    bad = tmp_path / "client.yaml"
    bad.write_text("education:\n  - level: phd\n")
    page.locator("input[type='file']").set_input_files(str(bad))
    page.get_by_text("This profile could not be read").wait_for(timeout=30_000)
    assert page.get_by_text("client.yaml:2: education[0].level").count() >= 1
    assert page.locator("[data-testid='stException']").count() == 0
    page.screenshot(path=str(SHOTS / "bad-upload.png"), full_page=True)
