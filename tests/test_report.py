"""The HTML report a person takes away."""

from __future__ import annotations

from advisor.goals import Goals
from advisor.plan import advise
from advisor.report import render_html
from advisor.scoring import assess
from tests.conftest import AS_OF, example


def test_the_report_carries_the_score_gates_rules_and_sources():
    a = assess(example("front_desk_lead"), setting="small_practice", as_of=AS_OF)
    html = render_html(a)
    assert f"{a.score:.1f} / 100" in html
    assert all(g.statement.replace("'", "&#39;") in html for g in a.gates)
    assert "https://www.bls.gov/OOH/management/medical-and-health-services-managers.htm" in html
    assert "What next" not in html  # a bare assessment has no plan to show


def test_the_report_shows_the_plan_when_there_is_one():
    advice = advise(example("front_desk_lead"), Goals(), AS_OF)
    html = render_html(advice.assessment, [advice.assessment])
    assert "<h2>What next</h2>" in html
    for step in advice.roadmap.steps:
        assert f"<td>{step.title}</td><td>{step.start}</td><td>{step.end}</td>" in html
    assert f"{advice.recommendations[0].lift:+.1f}" in html
    assert all(r.title in html for r in advice.ladder)


def test_typed_text_in_the_report_is_text_not_markup():
    a = assess(example("front_desk_lead"), setting="small_practice", as_of=AS_OF)
    html = render_html(a, name='<script>alert("x")</script>')
    assert "<script" not in html and "&lt;script&gt;" in html
