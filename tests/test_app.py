"""The Streamlit app driven through AppTest as a person would: fill the form step by step,
move back and forth, upload good and bad files, read the results."""

from __future__ import annotations

import json

import pytest
import streamlit as st
from pydantic import ValidationError
from streamlit.testing.v1 import AppTest

from advisor.catalog import load_catalog
from advisor.goals import Goals
from advisor.plan import advise, what_if
from advisor.posting import assess_posting, parse_posting
from advisor.profile import Profile, current_month, dump_profile
from advisor.scoring import assess
from tests.conftest import ROOT, example
from ui.markup import escape

APP = str(ROOT / "app.py")
CATALOG = load_catalog()


@pytest.fixture(autouse=True)
def _fresh_caches():
    # AppTest keeps its own bookkeeping (widget format functions) in session state, which the
    # production setting runner.enforceSerializableSessionState would refuse; the browser tests
    # run the real server with the setting on.
    st.config.set_option("runner.enforceSerializableSessionState", False)
    st.cache_resource.clear()
    st.cache_data.clear()
    yield


def started() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    return at


def go(at: AppTest, step: str) -> AppTest:
    at.radio(key="step").set_value(step).run()
    assert not at.exception, at.exception
    return at


def fill(at: AppTest, profile: Profile, setting: str = "small_practice") -> AppTest:
    """Type a profile into the form, one widget at a time."""
    at.radio(key="w_goal_setting").set_value(setting).run()
    go(at, "Education")
    for i, entry in enumerate(profile.education or []):
        at.button(key="w_education_add").click().run()
        at.selectbox(key=f"w_education_{i}_level").set_value(entry.level)
        at.radio(key=f"w_education_{i}_status").set_value(entry.status)
        at.text_input(key=f"w_education_{i}_field").input(entry.field or "")
        at.number_input(key=f"w_education_{i}_year").set_value(entry.year)
        at.run()
    go(at, "Work history")
    for i, job in enumerate(profile.experience or []):
        at.button(key="w_experience_add").click().run()
        k = f"w_experience_{i}"
        at.text_input(key=f"{k}_title").input(job.title)
        at.text_input(key=f"{k}_employer").input(job.employer or "")
        at.selectbox(key=f"{k}_setting").set_value(job.setting)
        at.selectbox(key=f"{k}_family").set_value(job.role_family)
        at.selectbox(key=f"{k}_start_month").set_value(int(job.start[5:]))
        at.number_input(key=f"{k}_start_year").set_value(int(job.start[:4]))
        at.checkbox(key=f"{k}_current").set_value(job.end is None)
        at.checkbox(key=f"{k}_supervisory").set_value(job.supervisory)
        at.number_input(key=f"{k}_reports").set_value(job.direct_reports)
        at.multiselect(key=f"{k}_duties").set_value(list(job.duties or []))
        at.run()
        if job.end is not None:
            at.selectbox(key=f"{k}_end_month").set_value(int(job.end[5:]))
            at.number_input(key=f"{k}_end_year").set_value(int(job.end[:4]))
            at.run()
    go(at, "Software and credentials")
    # A person types "NextGen" and picks the catalog entry it finds, "NextGen Healthcare".
    picked = {}
    for item in profile.software or []:
        product = CATALOG.resolve_software(item.name)
        picked[product.name if product else item.name] = item.proficiency
    at.multiselect(key="w_software").set_value(list(picked)).run()
    for name, proficiency in picked.items():
        at.selectbox(key=f"w_software__{name}").set_value(proficiency)
    codes = [c.code for c in profile.certifications or []]
    at.multiselect(key="w_certifications").set_value(codes).run()
    for cert in profile.certifications or []:
        at.radio(key=f"w_certifications__{cert.code}").set_value(cert.status)
    if profile.certifications == []:
        at.checkbox(key="w_certifications_none").check()
    at.run()
    go(at, "Knowledge and skills")
    at.multiselect(key="w_coursework").set_value(list(profile.coursework or [])).run()
    for area, level in (profile.knowledge.model_dump(exclude_none=True) if profile.knowledge else {}).items():
        at.selectbox(key=f"w_knowledge_{area}").set_value(level)
    for skill, rating in (
        profile.soft_skills.model_dump(exclude_none=True) if profile.soft_skills else {}
    ).items():
        at.select_slider(key=f"w_soft_{skill}").set_value(rating)
    at.run()
    return go(at, "Results")


@pytest.mark.parametrize(
    ("name", "setting"),
    [
        ("billing_supervisor", "small_practice"),
        ("front_desk_lead", "large_group"),
        ("coder_with_cpc", "small_practice"),
        ("practice_administrator", "hospital"),
    ],
)
def test_filling_the_form_gives_the_engines_assessment(name, setting):
    profile = example(name)
    at = fill(started(), profile, setting)
    expected = assess(profile, setting=setting, as_of=current_month())
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Readiness score"] == f"{expected.score:.1f} / 100"
    assert any(f"**Band: {expected.band.upper()}**" in m.value for m in at.markdown)
    assert any(expected.setting_label in h.value for h in at.subheader)
    assert any(h.value == "Hard requirements" for h in at.subheader)


def test_moving_back_and_forth_keeps_every_answer():
    at = started()
    go(at, "Work history")
    at.button(key="w_experience_add").click().run()
    at.text_input(key="w_experience_0_title").input("Front Desk Lead").run()
    at.multiselect(key="w_experience_0_duties").set_value(["scheduling", "hiring"]).run()
    go(at, "Education")
    at.button(key="w_education_add").click().run()
    at.text_input(key="w_education_0_field").input("health administration").run()
    go(at, "Start")
    at.text_input(key="w_name").input("Ana").run()
    for step in ("Knowledge and skills", "Work history", "Education", "Start", "Work history"):
        go(at, step)
    assert at.text_input(key="w_experience_0_title").value == "Front Desk Lead"
    assert at.multiselect(key="w_experience_0_duties").value == ["scheduling", "hiring"]
    go(at, "Education")
    assert at.text_input(key="w_education_0_field").value == "health administration"
    go(at, "Start")
    assert at.text_input(key="w_name").value == "Ana"


def test_next_and_back_buttons_walk_the_steps():
    at = started()
    at.button(key="nav_next").click().run()
    assert at.radio(key="step").value == "Education"
    at.button(key="nav_next").click().run()
    at.button(key="nav_back").click().run()
    assert at.radio(key="step").value == "Education"


def test_an_end_date_before_the_start_is_shown_next_to_the_job_and_blocks_the_results():
    at = started()
    go(at, "Work history")
    at.button(key="w_experience_add").click().run()
    at.text_input(key="w_experience_0_title").input("Biller").run()
    at.checkbox(key="w_experience_0_current").uncheck().run()
    at.number_input(key="w_experience_0_start_year").set_value(2022).run()
    at.number_input(key="w_experience_0_end_year").set_value(2020).run()
    assert any("is before the start" in e.value for e in at.error)
    go(at, "Results")
    assert at.warning and "need fixing" in at.warning[0].value
    assert "Job 1, end: 2020-01 is before the start 2022-01" in at.text[0].value
    assert any(b.label == "Go to Work history" for b in at.button)
    assert not at.metric  # no half-baked score


def test_a_blank_job_title_is_flagged_where_it_is_typed():
    at = started()
    go(at, "Work history")
    at.button(key="w_experience_add").click().run()
    assert any("cannot be blank" in e.value for e in at.error)


def test_removing_a_job_keeps_the_others():
    at = started()
    go(at, "Work history")
    for title in ("First", "Second"):
        at.button(key="w_experience_add").click().run()
        index = len(at.session_state["draft"]["experience"]) - 1
        at.text_input(key=f"w_experience_{index}_title").input(title).run()
    at.button(key="w_experience_0_remove").click().run()
    assert at.text_input(key="w_experience_0_title").value == "Second"


def test_an_example_fills_every_step_and_leaving_things_out_is_said_plainly():
    at = started()
    at.selectbox(key="example_choice").set_value("partial_profile.yaml")
    at.button(key="example_load").click().run()
    go(at, "Results")
    assert any("Not given: education" in i.value for i in at.info)


def test_a_saved_profile_loads_into_the_form():
    at = started()
    body = dump_profile(example("veteran_medical_admin"), "yaml").encode()
    at.file_uploader(key="profile_upload").set_value(("mine.yaml", body, "application/x-yaml")).run()
    assert not at.exception and not at.error
    go(at, "Work history")
    assert at.text_input(key="w_experience_1_title").value == "Patient Administration NCO"


@pytest.mark.parametrize(
    ("name", "body", "expected"),
    [
        ("bad.yaml", b"education:\n  - level: phd\n", "bad.yaml:2: education[0].level: 'phd' is not one of"),
        ("bad.json", b'{"education": [}', "bad.json:1: JSON syntax"),
        ("latin.yaml", "name: Jos\xe9\n".encode("latin-1"), "not UTF-8"),
        (
            "dates.yaml",
            b"experience:\n  - {title: A, start: 2021-05, end: 2020-01}\n",
            "dates.yaml:2: experience[0].end: 2020-01 is before the start 2021-05",
        ),
    ],
)
def test_a_bad_upload_is_explained_under_the_uploader_and_nothing_changes(name, body, expected):
    at = started()
    at.text_input(key="w_name").input("Kept").run()
    at.file_uploader(key="profile_upload").set_value((name, body, "application/octet-stream")).run()
    assert not at.exception
    assert any("could not be loaded; nothing was changed" in e.value for e in at.error)
    assert any(expected in t.value for t in at.text)
    assert at.text_input(key="w_name").value == "Kept"
    go(at, "Education")  # the rest of the page keeps working


def test_the_results_offer_the_report_and_the_profile_for_download():
    at = fill(started(), example("front_desk_lead"))
    labels = [b.label for b in at.get("download_button")]
    assert "Download the report (HTML)" in labels and "Download the profile (JSON)" in labels


def test_the_results_show_all_three_settings():
    at = fill(started(), example("small_practice_manager_no_degree"))
    labels = [m.label for m in at.metric]
    assert {
        "Small practice (1-5 physicians)",
        "Large group (50+ providers)",
        "Hospital or health system",
    } <= set(labels)


def test_typed_text_is_never_rendered_as_markup():
    at = started()
    go(at, "Software and credentials")
    at.multiselect(key="w_software").set_value(["![x](http://127.0.0.1:9/pixel.png)"]).run()
    at.checkbox(key="w_certifications_none").check().run()
    go(at, "Results")
    rendered = " ".join(m.value for m in at.markdown)
    assert "![x](" not in rendered
    assert any("pixel.png" in t.value for t in at.text)


def test_the_rules_page_lists_rules_gates_and_sources():
    at = _rules_page()
    assert not at.exception
    assert [h.value for h in at.subheader][:5] == [
        "Settings and bands",
        "Points by dimension",
        "Rules",
        "Hard requirements (gates)",
        "Sources",
    ]
    assert len(at.expander) == 10  # one per dimension
    assert len(at.dataframe) > 10


def test_the_rules_page_checks_an_uploaded_file_line_by_line():
    at = _rules_page()
    good = (ROOT / "rules" / "medical_office_manager.yaml").read_bytes()
    at.file_uploader(key="rules_upload").set_value(("mine.yaml", good, "application/x-yaml")).run()
    assert any("is valid" in s.value for s in at.success)
    bad = good.replace(b'"years_medical_office >= 6"', b'"years_medical_ofice >= 6"')
    at.file_uploader(key="rules_upload").set_value(("mine.yaml", bad, "application/x-yaml")).run()
    assert any("has 1 problem" in e.value for e in at.error)
    assert any(
        "(medical_office_years)" in t.value and "did you mean 'years_medical_office'" in t.value
        for t in at.text
    )


def _rules_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.switch_page("ui/pages/rules.py").run()
    return at


def test_first_catalog_products_are_searchable_by_former_names():
    from ui.intake import _software_label

    label = _software_label(CATALOG)
    assert "Kareo" in label("Tebra")
    assert label("Kareo") == "Kareo (counts as Tebra)"
    assert label("Toast POS").endswith("(not in the catalog, not counted)")


def test_acronyms_are_spelled_out_for_hover_help():
    from ui.glossary import explain_acronyms

    text = explain_acronyms("Holds a manager-level credential (CMOM, CPPM) and knows HIPAA", CATALOG)
    assert "**CMOM**: Certified Medical Office Manager" in text
    assert "**HIPAA**: Health Insurance Portability and Accountability Act" in text
    assert explain_acronyms("Years in medical offices", CATALOG) is None


def test_every_problem_in_a_job_shows_at_once_next_to_its_field():
    at = started()
    go(at, "Work history")
    at.button(key="w_experience_add").click().run()
    at.checkbox(key="w_experience_0_current").uncheck().run()
    at.number_input(key="w_experience_0_start_year").set_value(2023).run()
    at.number_input(key="w_experience_0_end_year").set_value(2021).run()
    messages = [e.value for e in at.error]
    assert "cannot be blank" in messages and any("is before the start" in m for m in messages)


def test_unticking_still_work_here_brings_back_the_end_date():
    at = started()
    go(at, "Work history")
    at.button(key="w_experience_add").click().run()
    at.checkbox(key="w_experience_0_current").uncheck().run()
    at.number_input(key="w_experience_0_end_year").set_value(2025).run()
    at.checkbox(key="w_experience_0_current").check().run()
    at.checkbox(key="w_experience_0_current").uncheck().run()
    assert at.number_input(key="w_experience_0_end_year").value == 2025


def test_a_nearly_empty_profile_is_not_given_a_confident_band():
    at = started()
    go(at, "Results")
    assert any("Not enough information yet" in m.value for m in at.markdown)
    assert any("Too little to judge yet" in i.value for i in at.info)


def test_start_over_clears_every_answer():
    at = started()
    at.text_input(key="w_name").input("Ana").run()
    at.button(key="start_over").click().run()
    assert at.text_input(key="w_name").value == ""


def test_the_results_point_to_where_the_points_are():
    at = fill(started(), example("front_desk_lead"))
    assert any(h.value == "Where the points are" for h in at.subheader)


def test_labels_built_from_typed_names_are_escaped():
    assert escape("My **Custom** EHR [x](http://x)") == r"My \*\*Custom\*\* EHR \[x\]\(http://x\)"


# --- what next ----------------------------------------------------------------------------


def loaded(name: str) -> AppTest:
    """Load an example the way a person would (Start step), then open the results."""
    at = started()
    at.selectbox(key="example_choice").set_value(f"{name}.yaml")
    at.button(key="example_load").click().run()
    return go(at, "Results")


def _table(at: AppTest, first_column: str):
    return next(d.value for d in at.dataframe if d.value.columns[0] == first_column)


def test_what_next_shows_the_engines_roadmap_recommendations_eligibility_and_ladder():
    at = loaded("front_desk_lead")
    advice = advise(example("front_desk_lead"), Goals(), current_month())
    headings = [h.value for h in at.subheader]
    for heading in ("Your roadmap", "What would help most", "Can you sit the exam?", "The ladder"):
        assert heading in headings
    assert next(s.value for s in at.success) == escape(advice.roadmap.note)
    steps = _table(at, "Step")
    assert steps["Starts"].tolist() == [s.start for s in advice.roadmap.steps]
    assert steps["Score after"].tolist() == [
        f"{s.score_after:.1f} ({s.band_after})" for s in advice.roadmap.steps
    ]
    first = advice.recommendations[0]
    assert at.checkbox(key=f"pick_{first.id}").label == escape(first.title)
    assert any(f"**{first.lift:+.1f} points**" in c.value for c in at.caption)
    eligibility = _table(at, "Credential").set_index("Credential")
    cmpe = next(e for e in advice.eligibility if e.code == "CMPE")
    assert eligibility.loc["CMPE", "Status"] == "Eligible later"
    assert eligibility.loc["CMPE", "When, or what is missing"].startswith(f"from {cmpe.date}")
    assert eligibility.loc["CMAA", "Status"] == "Held"
    ladder = _table(at, "Role")
    assert len(ladder) == len(advice.ladder)
    assert ladder["Median pay"].tolist() == [
        f"${r.median_pay_usd:,.0f} a {r.pay_period} ({r.pay_year})" for r in advice.ladder
    ]


def test_ticking_actions_moves_the_score_and_unticking_takes_it_back():
    at = loaded("front_desk_lead")
    assert not any("with these done" in m.label for m in at.metric)
    at.checkbox(key="pick_cert:CMOM").check().run()
    at.checkbox(key="pick_duty:hiring").check().run()
    expected = what_if(example("front_desk_lead"), Goals(), ["duty:hiring", "cert:CMOM"], current_month())
    shown = next(m for m in at.metric if "with these done" in m.label)
    assert shown.value == f"{expected.after.score:.1f} / 100"
    assert (
        shown.delta
        == f"{expected.after.score - expected.without:+.1f} vs {expected.without:.1f} without them"
    )
    at.checkbox(key="pick_cert:CMOM").uncheck().run()
    at.checkbox(key="pick_duty:hiring").uncheck().run()
    assert not any("with these done" in m.label for m in at.metric)


def test_the_cheapest_plan_and_the_hours_a_week_change_the_roadmap():
    at = loaded("front_desk_lead")
    at.radio(key="w_goal_optimize").set_value("cost").run()
    cheapest = advise(example("front_desk_lead"), Goals(optimize="cost"), current_month()).roadmap
    assert next(s.value for s in at.success) == escape(cheapest.note)
    assert _table(at, "Step")["Cost"].tolist() == ["$0"] * len(cheapest.steps)
    at.button(key="roadmap_goals").click().run()  # "Change hours or budget" goes to the Start step
    assert at.radio(key="step").value == "Start"
    at.number_input(key="w_goal_hours").set_value(40).run()
    go(at, "Results")
    assert any("Paced at 40 study hours a week" in c.value for c in at.caption)


def test_a_goal_out_of_reach_says_so_with_what_holds_it_back():
    at = loaded("receptionist_new")
    at.radio(key="w_results_setting").set_value("hospital").run()
    warning = [w.value for w in at.warning]
    assert any("out of reach within 60 months" in w and "Bachelor" in w for w in warning)


# --- the model ----------------------------------------------------------------------------


def test_the_results_show_the_rules_score_and_the_models_adjustment_apart():
    at = loaded("receptionist_new")
    expected = assess(example("receptionist_new"), as_of=current_month())
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Rules score"] == f"{expected.rules_score:.1f}"
    assert metrics["Model adjustment"] == f"{expected.model_adjustment:+.1f}"
    assert metrics["Readiness score"] == f"{expected.score:.1f} / 100"
    reasons = next(m.value for m in at.markdown if m.value.startswith("- "))
    assert all(escape(r) in reasons for r in expected.model_reasons)


def test_with_the_model_switched_off_only_the_rules_show(monkeypatch):
    monkeypatch.setenv("ADVISOR_MODEL", "none")
    at = loaded("receptionist_new")
    labels = [m.label for m in at.metric]
    assert "Model adjustment" not in labels
    expected = assess(example("receptionist_new"), as_of=current_month(), model=None)
    assert {m.label: m.value for m in at.metric}["Readiness score"] == f"{expected.score:.1f} / 100"


def test_the_about_page_shows_the_held_out_figures_and_the_card():
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.switch_page("ui/pages/model.py").run()
    assert not at.exception
    meta = json.loads((ROOT / "data/model/model.json").read_text())
    figures = at.dataframe[0].value
    blend = figures[(figures["Scoring"] == "Blend (what you see)") & (figures["Setting"] == "small practice")]
    assert blend["Kappa (quadratic)"].iloc[0] == meta["metrics"]["held_out"]["small_practice"]["blend"]["qwk"]
    assert {m.label: m.value for m in at.metric}["Blend weight"] == f"{meta['weight']:g}"
    assert any("Known limits" in m.value for m in at.markdown)


# --- imports ------------------------------------------------------------------------------


def test_a_resume_is_shown_with_its_evidence_and_loaded_only_when_confirmed():
    at = started()
    at.text_input(key="w_name").input("Kept until confirmed").run()
    body = (ROOT / "tests/data/resumes/r01_front_desk_lead.txt").read_bytes()
    at.file_uploader(key="resume_upload").set_value(("resume.txt", body, "text/plain")).run()
    assert not at.exception
    found = next(d.value for d in at.dataframe if "Found" in d.value.columns)
    assert "experience[0].title" in set(found["Found"]) and "Front Desk Lead" in set(found["Value"])
    assert at.text_input(key="w_name").value == "Kept until confirmed"
    at.button(key="resume_use").click().run()
    go(at, "Work history")
    assert at.text_input(key="w_experience_0_title").value == "Front Desk Lead"
    go(at, "Software and credentials")
    assert "CMAA" in at.multiselect(key="w_certifications").value


def test_a_resume_that_cannot_be_read_says_why_and_changes_nothing():
    at = started()
    at.file_uploader(key="resume_upload").set_value(
        ("scan.pdf", b"%PDF-1.4\n%broken", "application/pdf")
    ).run()
    assert not at.exception
    assert any("could not be read; nothing was changed" in e.value for e in at.error)
    assert any("paste the text instead" in t.value for t in at.text)


def _posting_page(profile_name: str | None = "front_desk_lead") -> AppTest:
    at = started()
    if profile_name:
        at.selectbox(key="example_choice").set_value(f"{profile_name}.yaml")
        at.button(key="example_load").click().run()
    at.switch_page("ui/pages/posting.py").run()
    return at


def test_a_pasted_posting_is_shown_as_an_editable_table_then_matched():
    at = _posting_page()
    text = (ROOT / "tests/data/postings/p13_office_supervisor_multispecialty.txt").read_text()
    at.text_area(key="posting_text").input(text).run()
    assert not at.exception
    table = at.dataframe[0].value if at.dataframe else None
    assert table is not None or any(h.value == "What the posting asks for" for h in at.subheader)
    expected = assess_posting(example("front_desk_lead"), parse_posting(text).posting, current_month())
    shown = next(m for m in at.metric if m.label == "Match with this posting")
    assert shown.value == f"{expected.score:.1f} / 100"
    statements = " ".join(m.value for m in at.markdown)
    assert all(escape(g.statement) in statements for g in expected.gates)


def test_matching_needs_a_profile_first():
    at = _posting_page(profile_name=None)
    at.text_area(key="posting_text").input(
        "Receptionist\nRequirements\n- 1 year of front desk experience\n"
    ).run()
    assert any("Fill in the self-assessment first" in i.value for i in at.info)


def test_the_requirements_table_round_trips_and_refuses_unknown_values():
    from ui.matcher import posting_from_table, requirements_table

    posting = parse_posting((ROOT / "tests/data/postings/p05_billing_supervisor.txt").read_text()).posting
    table = requirements_table(posting)
    again = posting_from_table(table, posting.title)
    assert again.required_certifications == posting.required_certifications
    assert again.min_years_experience == posting.min_years_experience and again.software == posting.software
    table.loc[table["Requirement"] == "Skills", "Value"] = "billing, juggling"
    with pytest.raises(ValidationError, match="unknown skill 'juggling'"):
        posting_from_table(table, posting.title)
