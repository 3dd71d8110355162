"""The assessment as a document a person can keep: a self-contained HTML report.

Rendered with Jinja2 with autoescaping on, so anything a user typed (a name,
a job title) is shown as text and can never become markup. The report has no
scripts, fonts or images from anywhere else: it opens offline and prints
cleanly in black and white.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from advisor.scoring import Assessment, Citation

_TEMPLATES = Path(__file__).resolve().parent / "templates"
_ENV = Environment(
    loader=FileSystemLoader(_TEMPLATES),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
BAND_MEANING = {
    "ready": "a credible hire now",
    "nearly": "one gap, closable within about 12 months",
    "developing": "about 1-3 years away",
    "early": "more than 3 years away",
}
STATUS_WORDS = {"met": "Met", "partly": "Partly met", "unmet": "Not met", "unknown": "Unknown"}


def report_sources(a: Assessment) -> list[Citation]:
    """Every source the assessment cites, once each, in the order first cited."""
    seen: dict[str, Citation] = {}
    for d in a.dimensions:
        for item in d.items:
            for c in item.sources:
                seen.setdefault(c.id, c)
    for g in a.gates:
        for c in g.sources:
            seen.setdefault(c.id, c)
    return list(seen.values())


def render_html(
    assessment: Assessment,
    others: Sequence[Assessment] = (),
    name: str | None = None,
    made: _dt.date | None = None,
    notes: Sequence[tuple[str, str, str]] = (),
) -> str:
    """The report for one assessment; ``others`` are the same profile in other settings;
    ``notes`` are the counselor's ``(date, kind, text)`` notes and agreed plan."""
    sources = report_sources(assessment)
    return _ENV.get_template("report.html.j2").render(
        a=assessment,
        others=list(others),
        name=name,
        made=(made or _dt.date.today()).isoformat(),
        band_meaning=BAND_MEANING,
        status_words=STATUS_WORDS,
        sources=sources,
        source_numbers={c.id: n for n, c in enumerate(sources, 1)},
        notes=list(notes),
    )
