"""A person completes the self-assessment in a real browser, by clicking and typing."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page

from advisor.profile import current_month, parse_profile
from advisor.scoring import assess

pytestmark = pytest.mark.e2e
BUSY_GONE = "() => !document.querySelector('[data-testid=stStatusWidget]')"


def settle(page: Page) -> None:
    """Wait until Streamlit has finished the rerun the last action started."""
    page.wait_for_timeout(250)
    page.wait_for_function(BUSY_GONE, timeout=30_000)


def choose(page: Page, label: str, option: str | re.Pattern[str]) -> None:
    page.get_by_role("combobox", name=label).click()
    page.get_by_role("option", name=option).first.click()
    settle(page)


def type_into(page: Page, label: str, text: str) -> None:
    box = page.get_by_label(label, exact=True).first
    box.fill(text)
    box.press("Tab")
    settle(page)


def pick_many(page: Page, label: str, search: str, option: str | re.Pattern[str]) -> None:
    box = page.get_by_role("combobox", name=label)
    box.click()
    box.fill(search)
    page.get_by_role("option", name=option).first.click()
    page.keyboard.press("Escape")
    settle(page)


def next_step(page: Page) -> None:
    settle(page)  # while a rerun is drawn, the old step's button can still be on the page
    page.get_by_role("button", name="Next").click()
    settle(page)


def test_a_job_seeker_completes_the_assessment_and_takes_the_report_away(page: Page, artifacts):
    page.get_by_text("Large group (50+ providers)").click()
    settle(page)
    next_step(page)
    page.get_by_role("button", name="Add education").click()
    settle(page)
    choose(page, "Level", "Associate degree (AA, AS, AAS)")
    type_into(page, "Field of study", "medical office administration")
    page.screenshot(path=str(artifacts / "1-education.png"), full_page=True)
    next_step(page)

    page.get_by_role("button", name="Add a job").click()
    settle(page)
    type_into(page, "Job title", "Front Desk Lead")
    choose(page, "Where", re.compile("^Medical office"))
    choose(page, "Kind of role", "Supervisor or team lead")
    type_into(page, "Start year", "2019")
    page.get_by_text("I supervised or led staff").click()
    settle(page)
    type_into(page, "People reporting to me", "3")
    duties = page.get_by_role("combobox", name="Duties in this job")
    for duty in ("Scheduling", "Hiring", "Training staff", "Billing and claims"):
        duties.click()
        page.get_by_role("option", name=duty, exact=True).click()
        settle(page)
    page.keyboard.press("Escape")
    page.screenshot(path=str(artifacts / "2-work.png"), full_page=True)
    next_step(page)

    pick_many(page, "Software you have used", "Kareo", re.compile("^Tebra"))
    pick_many(page, "Certifications earned or in progress", "CMAA", re.compile("^CMAA"))
    page.screenshot(path=str(artifacts / "3-credentials.png"), full_page=True)
    next_step(page)
    choose(page, "Billing", "Working: I do it regularly")
    next_step(page)

    page.get_by_text("Readiness score").first.wait_for(timeout=30_000)
    shown = page.locator("[data-testid='stMetricValue']").first.inner_text()
    band = page.locator(
        "[data-testid=stMarkdownContainer] p", has_text=re.compile(r"^Band: [A-Z]+")
    ).first.inner_text()
    page.screenshot(path=str(artifacts / "4-results.png"), full_page=True)

    start = f"{2019}-01"
    same = parse_profile(
        "education:\n  - {level: associate, field: medical office administration}\n"
        f"experience:\n  - {{title: Front Desk Lead, setting: medical_office, role_family: supervisor,\n"
        f"     start: {start}, supervisory: true, direct_reports: 3,\n"
        "     duties: [scheduling, billing, hiring, staff_training]}\n"
        "software:\n  - {name: Tebra}\ncertifications:\n  - {code: CMAA}\nknowledge: {billing: working}\n",
        "same.yaml",
    )
    expected = assess(same, setting="large_group", as_of=current_month())
    assert shown == f"{expected.score:.1f} / 100"
    assert band.startswith(f"Band: {expected.band.upper()}")

    page.get_by_role("tab", name="Take it away").click()
    settle(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the report (HTML)").click()
    report = artifacts / download.value.suggested_filename
    download.value.save_as(report)
    text = report.read_text()
    assert "Medical Office Manager readiness" in text and f"{expected.score:.1f} / 100" in text
    assert "<script" not in text


def test_the_results_read_well_on_a_phone(phone: Page, artifacts):
    phone.get_by_role("button", name="Use this example").click()
    settle(phone)
    phone.get_by_text("Results", exact=True).first.click()
    settle(phone)
    phone.get_by_text("Readiness score").first.wait_for(timeout=30_000)
    width = phone.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 400, f"the page scrolls sideways on a phone ({width}px wide)"
    phone.screenshot(path=str(artifacts / "phone-results.png"), full_page=True)


def test_a_bad_upload_shows_a_message_not_a_traceback(page: Page, tmp_path, artifacts):
    bad = tmp_path / "client.yaml"
    bad.write_text("education:\n  - level: phd\n")
    page.locator("input[type='file']").first.set_input_files(str(bad))
    page.get_by_text("could not be loaded; nothing was changed").wait_for(timeout=30_000)
    # The problem lines are drawn just after the heading; wait for them rather than race them.
    page.get_by_text("client.yaml:2: education[0].level").first.wait_for(timeout=30_000)
    assert page.locator("[data-testid='stException']").count() == 0
    page.screenshot(path=str(artifacts / "bad-upload.png"), full_page=True)


def test_the_rules_page_renders_with_no_script_error(page: Page, app_url, artifacts):
    page.goto(f"{app_url}/rules")
    page.get_by_text("Settings and bands").wait_for(timeout=30_000)
    assert page.locator("[data-testid='stException']").count() == 0
    page.screenshot(path=str(artifacts / "rules.png"), full_page=True)


def test_nothing_is_requested_from_outside_this_computer(browser, app_url):
    context = browser.new_context(viewport={"width": 1280, "height": 1600})
    page = context.new_page()
    outside: list[str] = []
    page.on(
        "request",
        lambda r: outside.append(r.url) if not r.url.startswith((app_url, "data:", "blob:")) else None,
    )
    page.goto(app_url)
    page.get_by_text("Am I ready to be a medical office manager?").first.wait_for(timeout=30_000)
    page.get_by_role("button", name="Use this example").click()
    settle(page)
    page.get_by_text("Results", exact=True).first.click()
    settle(page)
    page.get_by_text("Readiness score").first.wait_for(timeout=30_000)
    page.goto(f"{app_url}/rules")
    page.get_by_text("Settings and bands").wait_for(timeout=30_000)
    context.close()
    assert outside == []


def test_what_next_draws_the_roadmap_and_a_tick_moves_the_score(page: Page, artifacts):
    choose(page, "Start from an example", re.compile("front desk lead", re.IGNORECASE))
    page.get_by_role("button", name="Use this example").click()
    settle(page)
    page.get_by_text("Results", exact=True).first.click()
    settle(page)
    page.get_by_text("Your roadmap").first.wait_for(timeout=30_000)
    chart = page.locator(".st-key-roadmap_chart .js-plotly-plot")
    chart.wait_for(timeout=30_000)
    assert chart.locator(".bars path").count() >= 1, "the roadmap timeline drew no bars"
    assert page.get_by_text("with these done").count() == 0
    page.locator("[class*=st-key-pick_] input").first.check(force=True)
    settle(page)
    moved = page.locator("[data-testid=stMetric]", has_text="with these done")
    moved.wait_for(timeout=30_000)
    assert "without them" in moved.inner_text()
    assert page.locator("[data-testid='stException']").count() == 0
    page.screenshot(path=str(artifacts / "5-what-next.png"), full_page=True)
