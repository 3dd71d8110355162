"""The client report as a PDF, laid out for paper.

US Letter, black and white (grays only: it photocopies), a running footer
with the date made, the engine, rules, catalog and model versions and the
page number, and page breaks where they belong: each major section starts on
a fresh page when less than a few lines are left, and table rows never split.
It holds the summary, the score with its dimensions, the hard requirements,
the roadmap as a chart and a table, the recommendations, credential
eligibility, the counselor's notes and agreed plan, and the numbered sources.
The fonts (DejaVu Sans, bundled) cover Latin, Greek and Cyrillic names; Chinese,
Japanese and Korean characters are not in them and are left out. The PDF has
fixed metadata, so the same input gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from advisor.profile import month_index
from advisor.report import BAND_MEANING, STATUS_WORDS, report_sources
from advisor.scoring import Assessment

FONTS = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVu"
INK, MID, LIGHT = 0, 110, 215
PAGES = "\u2063pages\u2063"
"""Stands for the page count until the end (an invisible separator keeps it out of real text)."""
"""Gray levels: text, bars, fills."""


class _Pdf(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="letter")
        self.footer_text = footer_text
        self.add_font(FONT, "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.set_margins(18, 16, 18)
        self.set_auto_page_break(True, margin=18)
        self.alias_nb_pages(PAGES)  # not "{nb}": a name could contain that

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font(FONT, "", 7.5)
        self.set_text_color(MID)
        self.cell(0, 5, f"{self.footer_text}  ·  page {self.page_no()} of {PAGES}", align="C")
        self.set_text_color(INK)


class _Writer:
    def __init__(self, pdf: _Pdf) -> None:
        self.pdf = pdf

    @property
    def width(self) -> float:
        return self.pdf.w - self.pdf.l_margin - self.pdf.r_margin

    def need(self, mm: float) -> None:
        """Start a new page unless ``mm`` are left: keeps a heading with what follows."""
        if self.pdf.get_y() + mm > self.pdf.h - self.pdf.b_margin:
            self.pdf.add_page()

    def heading(self, text: str, room: float = 40) -> None:
        self.need(room)
        self.pdf.ln(3)
        self.pdf.set_font(FONT, "B", 13)
        self.pdf.cell(0, 8, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.pdf.set_draw_color(MID)
        self.pdf.line(self.pdf.l_margin, self.pdf.get_y(), self.pdf.l_margin + self.width, self.pdf.get_y())
        self.pdf.ln(2)

    def text(self, text: str, size: float = 9.5, bold: bool = False, gray: int = INK) -> None:
        self.pdf.set_font(FONT, "B" if bold else "", size)
        self.pdf.set_text_color(gray)
        self.pdf.multi_cell(0, size * 0.5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.pdf.set_text_color(INK)

    def table(self, header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float]) -> None:
        self.pdf.set_font(FONT, "", 8)
        self.pdf.set_draw_color(MID)
        self.pdf.set_fill_color(255)
        with self.pdf.table(
            col_widths=tuple(widths),
            headings_style=_heading_style(),
            line_height=4,
            text_align="LEFT",
            first_row_as_headings=True,
            repeat_headings=1,
            cell_fill_mode="NONE",
        ) as table:
            for values in (header, *rows):
                row = table.row()
                for value in values:
                    row.cell(str(value))
        self.pdf.ln(2)

    def bar(self, label: str, value: float, maximum: float) -> None:
        """A labelled horizontal bar: gray fill on a light track, the figures at the end."""
        pdf = self.pdf
        self.need(7)
        y = pdf.get_y()
        pdf.set_font(FONT, "", 8.5)
        pdf.cell(62, 5, label)
        track = self.width - 62 - 28
        x = pdf.l_margin + 62
        pdf.set_fill_color(LIGHT)
        pdf.rect(x, y + 1, track, 3.2, style="F")
        pdf.set_fill_color(MID)
        pdf.rect(x, y + 1, track * (value / maximum if maximum else 0), 3.2, style="F")
        pdf.set_xy(x + track + 2, y)
        pdf.cell(26, 5, f"{value:.1f} / {maximum:.1f}", align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _heading_style() -> Any:
    from fpdf.fonts import FontFace

    return FontFace(family=FONT, emphasis="BOLD", fill_color=LIGHT)


NOTE_PIECE = 1500
"""Characters of a note per table row: a row must fit on one page."""


def _pieces(text: str) -> list[str]:
    """A long note cut into rows at line or word breaks, each short enough for one page."""
    pieces, rest = [], text.strip()
    while len(rest) > NOTE_PIECE:
        cut = max(rest.rfind("\n", 0, NOTE_PIECE), rest.rfind(" ", 0, NOTE_PIECE))
        cut = cut if cut > NOTE_PIECE // 2 else NOTE_PIECE
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return [*pieces, rest]


def _money(low: float, high: float) -> str:
    return f"${low:,.0f}" if low == high else f"${low:,.0f}-{high:,.0f}"


def _roadmap_chart(w: _Writer, steps: Sequence[dict[str, Any]], start: str) -> None:
    """Each step as a bar over the months from the assessment to the last step's end."""
    if not steps:
        return
    pdf = w.pdf
    first = month_index(start)
    last = max(month_index(s["end"]) for s in steps)
    span = max(last - first + 1, 1)
    label_w, row_h = 70.0, 6.0
    track = w.width - label_w
    w.need(row_h * (len(steps) + 2) + 6)
    top = pdf.get_y()
    pdf.set_font(FONT, "", 7)
    pdf.set_text_color(MID)
    for k in range(0, span + 1, max(1, span // 6)):
        x = pdf.l_margin + label_w + track * k / span
        pdf.set_draw_color(LIGHT)
        pdf.line(x, top, x, top + row_h * len(steps) + 1)
        year, month = divmod(first + k, 12)
        right = pdf.l_margin + w.width - 11
        pdf.text(min(x - 5, right), top + row_h * len(steps) + 4.5, f"{year}-{month + 1:02d}")
    pdf.set_text_color(INK)
    for i, step in enumerate(steps):
        y = top + i * row_h
        pdf.set_xy(pdf.l_margin, y)
        pdf.set_font(FONT, "", 7.5)
        title = step["title"] if len(step["title"]) <= 46 else step["title"][:45] + "…"
        pdf.cell(label_w - 2, row_h, title)
        begin = (month_index(step["start"]) - first) / span
        length = max((month_index(step["end"]) - month_index(step["start"]) + 1) / span, 0.01)
        pdf.set_fill_color(MID)
        pdf.set_draw_color(INK)
        pdf.rect(pdf.l_margin + label_w + track * begin, y + 1.2, track * length, row_h - 2.4, style="DF")
    pdf.set_y(top + row_h * len(steps) + 7)


def render_pdf(
    assessment: Assessment,
    name: str | None = None,
    made: dt.date | None = None,
    notes: Sequence[tuple[str, str, str]] = (),
) -> bytes:
    """The report for one assessment (with its plan, when it has one) as PDF bytes.

    ``notes`` are ``(date, kind, text)``: the counselor's notes and agreed plan.
    """
    a = assessment
    day = made or dt.date.today()
    footer = (
        f"Made {day.isoformat()}  ·  engine {a.engine_version}  ·  rules {a.rules_version}  ·  "
        f"model {a.model_version or 'none'}"
    )
    pdf = _Pdf(footer)
    pdf.set_creation_date(dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC))
    pdf.set_title(f"{a.role_title} readiness")
    pdf.set_creator("advisor")
    pdf.set_producer("advisor")
    pdf.add_page()
    w = _Writer(pdf)
    w.text(f"{a.role_title} readiness", size=18, bold=True)
    w.text(f"{a.setting_label}  ·  assessed as of {a.as_of}  ·  report made {day.isoformat()}", gray=MID)
    if name:
        w.text(f"Prepared for: {name}", gray=MID)
    pdf.ln(3)
    w.text(
        f"Score {a.score:.1f} / 100   ·   band {a.band.upper()} ({BAND_MEANING[a.band]})", size=13, bold=True
    )
    model = (
        f", model adjustment {a.model_adjustment:+.1f} ({a.model_version})"
        if a.model_version
        else "; no model"
    )
    w.text(f"Rules score {a.rules_score:.1f}{model}.", size=9)
    if a.capped_by:
        w.text(f"The points alone say {a.band_before_gates}; an unmet requirement caps the band.", size=9)
    w.text(a.completeness.message, size=9, gray=MID)

    w.heading("Score by dimension", room=12 + 6 * len(a.dimensions))
    for d in a.dimensions:
        w.bar(d.title, d.score, d.max)

    w.heading("Hard requirements", room=30)
    w.table(
        ["Status", "Requirement", "Why"],
        [[STATUS_WORDS[g.status], g.statement, g.explanation] for g in a.gates] or [["-", "none", ""]],
        (18, 80, 82),
    )
    plan = a.plan or {}
    road = plan.get("roadmap")
    if road:
        pdf.add_page()  # the plan starts a page: it is what the client takes away
        w.heading("What next: the roadmap")
        pace = f"Paced at {road['hours_per_week']} study hours a week; budget ${road['budget_usd']:,}."
        w.text(f"{road['note']} {pace}")
        pdf.ln(2)
        _roadmap_chart(w, road["steps"], a.as_of)
        if road["steps"]:
            w.table(
                ["Step", "Starts", "Ends", "Cost", "Score after"],
                [
                    [
                        s["title"], s["start"], s["end"],
                        _money(s["cost_low"], s["cost_high"]) + (" (estimate)" if s["cost_estimate"] else ""),
                        f"{s['score_after']:.1f} ({s['band_after']})",
                    ]
                    for s in road["steps"]
                ],
                (70, 20, 20, 36, 34),
            )  # fmt: skip
    if a.recommendations:
        w.heading("What would help most", room=30)
        w.table(
            ["Action", "Lift", "Done by", "Cost", "Can start"],
            [
                [
                    r["title"], f"{r['lift']:+.1f} ({r['band_before']} to {r['band_after']})", r["done_by"],
                    _money(r["cost_low"], r["cost_high"]), r["eligibility"],
                ]
                for r in a.recommendations[:8]
            ],
            (62, 30, 18, 26, 44),
        )  # fmt: skip
    eligibility = plan.get("eligibility") or []
    if eligibility:
        w.heading("Credential eligibility", room=30)
        w.table(
            ["Credential", "Issuer", "Can sit the exam"],
            [[f"{e['code']}: {e['name']}", e["issuer"], e["summary"]] for e in eligibility],
            (62, 34, 84),
        )
    if notes:
        w.heading("Counselor's notes and agreed plan", room=30)
        rows = [
            [date if k == 0 else "", kind if k == 0 else "(continued)", part]
            for date, kind, text in notes
            for k, part in enumerate(_pieces(text))
        ]
        w.table(["Date", "Kind", "Note"], rows, (24, 20, 136))
    w.heading("What counts and why", room=30)
    sources = report_sources(a)
    numbers = {c.id: n for n, c in enumerate(sources, 1)}
    for d in a.dimensions:
        w.text(f"{d.title}: {d.score:.1f} / {d.max:.1f}", size=10, bold=True)
        w.table(
            ["Status", "Rule", "Points", "Evidence", "Src"],
            [
                [
                    STATUS_WORDS[i.status], i.statement, f"{i.points:.1f} / {i.max_points:.1f}",
                    i.explanation, " ".join(f"[{numbers[c.id]}]" for c in i.sources),
                ]
                for i in d.items
            ],
            (18, 58, 18, 70, 16),
        )  # fmt: skip
    pdf.add_page()
    w.heading("Sources")
    for n, c in enumerate(sources, 1):
        flags = "; secondary" if c.secondary else ""
        w.text(f"[{n}] {c.title} (as of {c.as_of}{flags}). {'; '.join(c.source)}", size=8)
    w.text("Made on this computer; nothing was sent anywhere.", size=8, gray=MID)
    return bytes(pdf.output())
