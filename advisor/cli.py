"""Command line: ``python -m advisor`` assess, plan, screen, train, parse-resume, parse-posting, rules check,
facts.

Every failure a user can cause ends in one line per problem on standard
error (``advisor: error: ...`` or ``path:line: field: message``) and a
non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import textwrap
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn, TextIO

from advisor import __version__
from advisor.audit import ImpactReport
from advisor.candidates import max_bytes, template_csv
from advisor.catalog import load_catalog
from advisor.errors import AdvisorError, DataFileError, InputError, Problem
from advisor.export import csv_bytes
from advisor.facts import derive_facts
from advisor.goals import Goals
from advisor.model import MODEL_ENV
from advisor.plan import Advice, advise
from advisor.posting import MAX_CHARS as POSTING_MAX_CHARS
from advisor.posting import assess_posting, parse_posting
from advisor.printout import render_pdf
from advisor.profile import current_month, dump_profile, load_profile, parse_month
from advisor.progress import assess_client, progress
from advisor.report import render_html
from advisor.resume import MAX_BYTES as RESUME_MAX_BYTES
from advisor.resume import read_resume
from advisor.rules import BANDS, RULES_DIR, load_ruleset, rule_files, ruleset_for
from advisor.scoring import Assessment, Citation, assess, format_fact
from advisor.screening import (
    Rubric,
    ScreenResult,
    export_csv,
    export_xlsx,
    impact,
    screen_file,
    screen_resume_folder,
    screen_resumes,
)
from advisor.sourcefile import read_bytes, read_document, validate_document
from advisor.store import DATA_DIR_ENV, URL_ENV, Store, parse_export
from advisor.titles import write_fitted_titles
from advisor.training import train_outcomes, train_panel

SETTINGS = ("small_practice", "large_group", "hospital")
DEFAULT_ROLE = "medical_office_manager"
STATUS_MARK = {"met": "[met]   ", "partly": "[partly]", "unmet": "[unmet] ", "unknown": "[?]     "}
MODEL_HELP = (
    "the model to blend in: a folder written by `train --outcomes`, or `none` for the rules alone "
    f"(default: ${MODEL_ENV}, else the shipped model)"
)
SHIPPED_MODEL = "shipped"
"""`screen --model shipped`: the model that ships (screening is rules-only unless asked)."""
EXIT_INPUT = 2
EXIT_INVALID = 1


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error in one line."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_INPUT, f"{self.prog}: error: {message} (see --help)\n")


# --- text rendering -----------------------------------------------------------------------


def _bar(score: float, maximum: float, width: int = 10) -> str:
    filled = round(width * score / maximum) if maximum > 0 else 0
    return "#" * filled + "." * (width - filled)


def render_text(a: Assessment) -> str:
    """A readable, plain-text assessment (what ``assess`` prints without ``--json``)."""
    out: list[str] = []
    sources: dict[str, tuple[int, Citation]] = {}

    def ref(citations: Sequence[Citation]) -> str:
        nums = []
        for c in citations:
            if c.id not in sources:
                sources[c.id] = (len(sources) + 1, c)
            nums.append(str(sources[c.id][0]))
        return "[" + ",".join(nums) + "]"

    out.append(f"{a.role_title} readiness, {a.setting_label}, as of {a.as_of}")
    out.append(textwrap.fill(a.setting_description, width=100))
    out.append("")
    out.append(f"Score {a.score:.1f} / 100   band: {a.band.upper()}")
    if not a.completeness.enough:
        out.append(
            f"  Too little was given to judge: only {a.completeness.share:.0%} of the points are settled."
        )
    model = "rules only: no model in use" if a.model_version is None else f"model {a.model_version}"
    out.append(f"  rules {a.rules_score:.1f}  +  model adjustment {a.model_adjustment:+.1f} ({model})")
    if a.model_score is not None:
        out.append(
            f"  The model's own view is {a.model_score:.1f}; the blend moves the rules score part of the way "
            "there (at most 15 points, never past a hard requirement)."
        )
    for reason in a.model_reasons:
        out.append(f"    {reason}")
    if a.capped_by:
        statements = [g.statement for g in a.gates if g.id in a.capped_by]
        out.append(
            f"  The points alone say {a.band_before_gates.upper()}; capped by: {'; '.join(statements)}"
        )
    out.append(f"Evidence: {a.completeness.message}")
    for label, names in (
        ("software", a.completeness.unrecognized_software),
        ("certifications", a.completeness.unrecognized_certifications),
    ):
        if names:
            out.append(f"  Not in the catalog, so not counted ({label}): {', '.join(names)}")
    out.append("")
    out.append("Hard requirements (gates)")
    for g in a.gates:
        out.append(f"  {STATUS_MARK[g.status]} {g.statement}  {ref(g.sources)}")
        out.append(
            f"           {g.explanation}"
            + ("" if g.status == "met" else f" (caps the band at {g.caps_band})")
        )
    out.append("")
    out.append("Dimensions")
    for d in a.dimensions:
        out.append(f"  {d.title:<32} {d.score:5.1f} / {d.max:4.1f}  {_bar(d.score, d.max)}")
        unknown = [i for i in d.items if i.status == "unknown"]
        for item in d.items:
            if item.status == "unknown" and len(unknown) > 1 and len({i.explanation for i in unknown}) == 1:
                continue  # said once below for the whole dimension
            points = f"{item.points:4.1f}/{item.max_points:<4.1f}"
            out.append(f"    {STATUS_MARK[item.status]} {points} {item.explanation}  {ref(item.sources)}")
        if len(unknown) > 1 and len({i.explanation for i in unknown}) == 1:
            points = f"{0:4.1f}/{sum(i.max_points for i in unknown):<4.1f}"
            cited = ref([c for i in unknown for c in i.sources])
            text = f"{unknown[0].explanation} ({len(unknown)} rules)"
            out.append(f"    {STATUS_MARK['unknown']} {points} {text}  {cited}")
    out.append("")
    out.append("Sources")
    for num, c in sorted(sources.values(), key=lambda v: v[0]):
        flags = ", ".join(
            f
            for f, on in (("secondary", c.secondary), ("uncertain", c.uncertain), ("not found", c.gap))
            if on
        )
        extra = f"; {flags}" if flags else ""
        note = f" Note: {c.note}" if c.note else ""
        out.append(
            textwrap.fill(
                f"  [{num}] {c.title} (as of {c.as_of}{extra}) {' ; '.join(c.source)}{note}",
                width=110,
                subsequent_indent="      ",
                break_long_words=False,
                break_on_hyphens=False,
            )
        )
    out.append("")
    out.append(f"engine {a.engine_version}, rules {a.rules_version}, catalog {a.catalog_version}")
    return "\n".join(out) + "\n"


def _money(low: float, high: float) -> str:
    return f"${low:,.0f}" if low == high else f"${low:,.0f}-${high:,.0f}"


def render_plan(advice: Advice, top: int = 10) -> str:
    """What ``plan`` prints without ``--json``: the roadmap, the recommendations, eligibility, the ladder."""
    a, road = advice.assessment, advice.roadmap
    out = [
        f"{a.role_title}, {a.setting_label}, as of {a.as_of}: "
        f"score {a.score:.1f} / 100, band {a.band.upper()}",
        "",
        f"Roadmap ({'quickest' if road.optimize == 'time' else 'cheapest'} to READY; "
        f"{road.hours_per_week} study hours a week; budget ${road.budget_usd:,})",
        "  " + road.note,
    ]
    for s in road.steps:
        estimate = " (estimate)" if s.cost_estimate else ""
        out.append(
            f"  {s.start} -> {s.end}  {s.title}  {_money(s.cost_low, s.cost_high)}{estimate}"
            f"  -> score {s.score_after:.1f} {s.band_after.upper()}"
        )
    if road.steps:
        out.append(
            f"  Total: {_money(road.total_cost_low, road.total_cost_high)} "
            f"(typical ${road.total_cost_typical:,.0f})"
        )
    out += ["", "Recommendations (lift: the score change when re-scored at the month the action is done)"]
    if not advice.recommendations:
        out.append("  None: no single action raises the score.")
    for r in advice.recommendations[:top]:
        band = f"{r.band_before} -> {r.band_after.upper()}" if r.band_after != r.band_before else r.band_after
        cost = _money(r.cost_low, r.cost_high) + (" (estimate)" if r.cost_estimate else "")
        out.append(f"  {r.lift:+5.1f}  {band:<22} {r.title}")
        took = f"{r.months} month{'s' if r.months != 1 else ''}"
        out.append(f"         {took} ({r.duration}), done by {r.done_by}; {cost}; {r.eligibility}")
    if len(advice.recommendations) > top:
        out.append(f"  ... {len(advice.recommendations) - top} more (--top N, or --json for all)")
    out += ["", "Certification eligibility"]
    for e in advice.eligibility:
        if e.status == "from_date":
            text = f"from {e.date}, when you reach: {'; '.join(e.waiting_for)}"
        elif e.status == "blocked":
            text = f"blocked: needs {e.blocked_by}"
        elif e.status == "unknown":
            text = "not known: " + (e.blocked_by or "the prerequisites were not published")
        else:
            text = {"held": "held", "eligible": "eligible now"}[e.status]
        out.append(f"  {e.code:<8} {text}")
    out += ["", "Career ladder"]
    for rung in advice.ladder:
        when = {
            "now": "ready now",
            "working_on": f"ready by {rung.ready_month} by keeping your job",
            "plan": f"ready by {rung.ready_month} with the roadmap",
            "not_in_horizon": "not ready within the horizon",
        }[rung.ready_how]
        mark = "*" if rung.target else " "
        out.append(
            f" {mark}{rung.title:<56} {rung.score:5.1f} {rung.band.upper():<10} {when}; "
            f"median pay ${rung.median_pay_usd:,.0f}/{rung.pay_period} ({rung.pay_year})"
        )
    return "\n".join(out) + "\n"


# --- commands -----------------------------------------------------------------------------


def _as_of(text: str | None) -> str:
    """The assessment month: this month by default, never later."""
    today = current_month()
    if text is None:
        return today
    month = parse_month(text)
    if month > today:
        raise InputError(f"--as-of: {month} is in the future; the latest is this month, {today}")
    return month


def _posting_text(path: str) -> str:
    data = read_bytes(path, 4 * POSTING_MAX_CHARS)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataFileError(
            [Problem(path, None, "", "not UTF-8 text: save the posting as UTF-8 text")]
        ) from None


def _cmd_assess(args: argparse.Namespace, out: TextIO) -> int:
    as_of = _as_of(args.as_of)
    if args.posting:
        if args.rules or args.role:
            raise InputError(
                "--posting assesses against the posting; it cannot be combined with --rules or --role"
            )
        profile = load_profile(args.profile, as_of=as_of)
        posting = parse_posting(_posting_text(args.posting)).posting
        result = assess_posting(profile, posting, as_of)
        out.write(result.model_dump_json(indent=2) + "\n" if args.json else render_text(result))
        return 0
    if args.rules:
        ruleset = load_ruleset(Path(args.rules))
        if args.role and args.role != ruleset.spec.role:
            raise InputError(
                f"--role {args.role} does not match {args.rules}, which is for {ruleset.spec.role}"
            )
    else:
        ruleset = ruleset_for(args.role or DEFAULT_ROLE)
    profile = load_profile(args.profile, as_of=as_of)
    result = assess(profile, ruleset.spec.role, args.setting, as_of, ruleset)
    out.write(result.model_dump_json(indent=2) + "\n" if args.json else render_text(result))
    return 0


def _cmd_plan(args: argparse.Namespace, out: TextIO) -> int:
    as_of = _as_of(args.as_of)
    role = args.role or DEFAULT_ROLE
    ruleset_for(role)  # an unknown role fails here, with the roles that exist
    goals = Goals.model_validate(
        {
            "role": role,
            "setting": args.setting,
            "hours_per_week": args.hours_per_week,
            "budget_usd": args.budget,
            "optimize": args.optimize,
        }
    )
    profile = load_profile(args.profile, as_of=as_of)
    advice = advise(profile, goals, as_of, args.horizon)
    out.write(
        advice.assessment.model_dump_json(indent=2) + "\n" if args.json else render_plan(advice, args.top)
    )
    return 0


def _bounded(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a whole number from ``low`` to ``high``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"expected {low} to {high}, got {value}")
        return value

    return parse


def _cmd_train(args: argparse.Namespace, out: TextIO) -> int:
    if args.outcomes:
        if not args.out:
            raise InputError(
                "--outcomes needs --out DIR: a folder for the local model (never the shipped one)"
            )
        report = train_outcomes(Path(args.outcomes), Path(args.out))
    else:
        if args.out:
            raise InputError("--out is for --outcomes; the panel model always goes to data/model/")
        report = train_panel()
        out.write(f"title classifier written to {write_fitted_titles()}\n")
    out.write(report.text())
    return 0


def _cmd_parse_resume(args: argparse.Namespace, out: TextIO) -> int:
    draft = read_resume(read_bytes(args.file, RESUME_MAX_BYTES), args.file, as_of=_as_of(args.as_of))
    if args.json:
        payload = {
            "profile": draft.profile_data,
            "evidence": [e.model_dump() for e in draft.evidence],
            "notes": draft.notes,
        }
        out.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
        return 0
    out.write(f"Read from {args.file} (check each item; nothing else was assumed):\n")
    for e in draft.evidence:
        where = f"line {e.line}" if e.line else "the title"
        out.write(f"  {e.field:<28} {e.value:<40} {where}, confidence {e.confidence:.0%}\n")
    for note in draft.notes:
        out.write(f"  note: {note}\n")
    out.write("\nAs a profile (save with --json and edit, then `assess`):\n")
    out.write(dump_profile(draft.profile(), "yaml"))
    return 0


def _cmd_parse_posting(args: argparse.Namespace, out: TextIO) -> int:
    parsed = parse_posting(_posting_text(args.file))
    if args.json:
        payload = {
            "posting": parsed.posting.model_dump(),
            "evidence": [e.model_dump() for e in parsed.evidence],
        }
        out.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
        return 0
    out.write(f"Requirements read from {args.file}: {parsed.posting.title}\n")
    for e in parsed.evidence:
        out.write(f"  {e.field:<40} {e.value:<24} line {e.line}: {e.text[:60]}\n")
    if not parsed.evidence:
        out.write("  nothing was recognized as a requirement\n")
    return 0


def _rubric_from(args: argparse.Namespace) -> Rubric:
    """The rubric: a saved one (``--rubric``), or one built from the options."""
    if args.rubric:
        chosen = [o for o in ("role", "posting", "knockout", "weight", "column") if getattr(args, o)]
        if chosen:
            raise InputError(f"--rubric already says what to screen against; drop --{chosen[0]}")
        return validate_document(read_document(args.rubric), Rubric)
    if args.posting and args.role:
        raise InputError("--posting screens against the posting; it cannot be combined with --role")
    weights: dict[str, float] = {}
    for item in args.weight or ():
        name, _, value = item.partition("=")
        try:
            weights[name.strip()] = float(value)
        except ValueError:
            raise InputError(f"--weight {item!r}: write DIMENSION=NUMBER, e.g. leadership=2") from None
    data: dict[str, object] = {
        "role": args.role or DEFAULT_ROLE,
        "setting": args.setting,
        "knockouts": list(args.knockout or ()),
        "weights": weights,
        "shortlist_band": None if args.shortlist_band == "none" else args.shortlist_band,
        "shortlist_top": args.shortlist_top,
        "model": args.model not in (None, "none"),
    }
    if args.posting:
        data["posting"] = parse_posting(_posting_text(args.posting)).posting
    columns = {}
    for item in args.column or ():
        target, sep, header = item.partition("=")
        if not sep or not header:
            raise InputError(f"--column {item!r}: write TEMPLATE_COLUMN=HEADER, e.g. candidate_id=Req ID")
        columns[target.strip()] = header
    data["columns"] = columns
    return Rubric.model_validate(data)


class _ProgressBar:
    """Progress on standard error for runs longer than a second: a bar on a terminal, else a
    line every few seconds."""

    def __init__(self) -> None:
        self.start = time.monotonic()
        self.last = 0.0
        self.tty = sys.stderr.isatty()
        self.shown = False

    def __call__(self, done: float, rows: int) -> None:
        now = time.monotonic()
        if now - self.start < 1.0 or (not self.tty and now - self.last < 3.0):
            return
        self.last, self.shown = now, True
        bar = "#" * int(done * 30)
        line = f"screening: [{bar:<30}] {done:4.0%}  {rows:,} rows"
        print(("\r" + line) if self.tty else line, end="" if self.tty else "\n", file=sys.stderr, flush=True)

    def finish(self) -> None:
        if self.shown and self.tty:
            print(file=sys.stderr)


def _write_atomically(path: Path, data: bytes) -> None:
    """Write next to the target and rename, so an existing file is never left half-written."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise InputError(f"{path}: cannot write ({exc.strerror or exc})") from None


def _cmd_screen(args: argparse.Namespace, out: TextIO) -> int:
    if args.template:
        if args.output:
            _write_atomically(Path(args.output), template_csv().encode("utf-8"))
        else:
            out.write(template_csv())
        return 0
    if not args.candidates:
        raise InputError("give the candidates file (CSV, XLSX, or a zip of resumes), or --template")
    target = Path(args.output) if args.output else None
    if target is not None and target.suffix.lower() not in (".csv", ".xlsx"):
        raise InputError(f"-o {args.output}: the ranking is written as .csv or .xlsx")
    rubric = _rubric_from(args)
    bar = _ProgressBar()
    resumes = Path(args.candidates).is_dir() or args.candidates.lower().endswith(".zip")
    if resumes and (args.impact_column or args.column):
        raise InputError("--impact-column and --column need a CSV or XLSX table, not resumes")
    if Path(args.candidates).is_dir():
        result = screen_resume_folder(args.candidates, rubric)
    elif resumes:
        result = screen_resumes(read_bytes(args.candidates, max_bytes()), rubric, args.candidates)
    else:
        result = screen_file(
            args.candidates, rubric, carry=args.impact_column or (), engine=args.engine,
            scheduler=args.scheduler, progress=bar,
        )  # fmt: skip
    bar.finish()
    report = (
        impact(
            result,
            args.impact_column,
            band=args.impact_band,
            median=args.impact_median,
            exclude_rare=args.impact_exclude_rare,
        )
        if args.impact_column
        else None
    )
    if target is not None:
        data = export_xlsx(result) if target.suffix.lower() == ".xlsx" else export_csv(result)
        _write_atomically(target, data)
        _write_atomically(
            target.with_suffix(".rubric.json"), result.rubric.model_dump_json(indent=2).encode()
        )
        if target.suffix.lower() == ".csv" and len(result.skipped):
            _write_atomically(target.with_suffix(".skipped.csv"), csv_bytes(result.skipped))
    out.write(render_screen(result, args.top, target))
    if report is not None:
        out.write(render_impact(report))
    return 0


def render_screen(result: ScreenResult, top: int, target: Path | None) -> str:
    """The run in words: what it screened against, the top of the ranking, and what was skipped."""
    audit = result.audit()
    ranked, skipped = result.ranked, result.skipped
    rubric = result.rubric
    against = (
        f"posting '{rubric.posting.title}'"
        if rubric.posting
        else f"{audit['rules']['role']}, {rubric.setting}"
    )
    lines = [
        f"Screened {len(ranked):,} candidates against {against}; {len(skipped):,} rows skipped; "
        f"{int((ranked['shortlisted'] == 'yes').sum()):,} shortlisted.",
    ]
    if rubric.knockouts:
        lines.append("Knockouts: " + "; ".join(rubric.knockouts))
    lines += [f"note: {n}" for n in result.notes]
    lines.append(
        f"{'rank':>5}  {'id':<14} {'score':>5}  {'band':<10} {'knockouts':<9} top reason for / against"
    )
    for row in ranked.head(top).itertuples():
        lines.append(
            f"{row.rank:>5}  {str(row.candidate_id)[:14]:<14} {row.score:>5.1f}  {row.band:<10} "
            f"{row.knockouts:<9} + {row.for_1 or '-'}"
        )
        lines.append(f"{'':>47}- {row.against_1 or '-'}")
    if len(ranked) > top:
        lines.append(f"  ... and {len(ranked) - top:,} more" + (f" in {target}" if target else ""))
    for row in skipped.head(20).itertuples():
        lines.append(f"skipped row {row.row}: {row.problem}")
    if len(skipped) > 20:
        lines.append(
            f"  ... and {len(skipped) - 20:,} more skipped rows" + (" (see the export)" if target else "")
        )
    if target is not None:
        lines.append(f"wrote {target} and {target.with_suffix('.rubric.json')} (re-run with --rubric)")
    return "\n".join(lines) + "\n"


def render_impact(report: ImpactReport) -> str:
    """The adverse-impact tables in words, with the warnings and the disclaimer."""
    lines = ["", f"Adverse impact (selected = {report.selection}):"]
    for name, table in report.tables.items():
        lines.append(f"  {name} (unknown: {report.unknown[name]:,})")
        for row in table.itertuples():
            small = " (small)" if row.small else ""
            lines.append(
                f"    {str(row.group)[:30]:<30} {row.selected:>6,}/{row.candidates:<6,}"
                f" rate {row.selection_rate:6.1%}  ratio {row.impact_ratio:5.2f} {row.flag}{small}"
            )
    lines += [f"  warning: {w}" for w in report.warnings]
    lines += textwrap.wrap(report.disclaimer, 100, initial_indent="  ", subsequent_indent="  ")
    return "\n".join(lines) + "\n"


def _write_report(
    target: Path, advice_assessment: Assessment, name: str | None, notes: Sequence[tuple[str, str, str]]
) -> None:
    suffix = target.suffix.lower()
    if suffix == ".pdf":
        data = render_pdf(advice_assessment, name=name, notes=notes)
    elif suffix in (".html", ".htm"):
        data = render_html(advice_assessment, name=name, notes=notes).encode("utf-8")
    else:
        raise InputError(f"-o {target}: the report is written as .pdf or .html")
    _write_atomically(target, data)


def _cmd_report(args: argparse.Namespace, out: TextIO) -> int:
    as_of = _as_of(args.as_of)
    role = args.role or DEFAULT_ROLE
    ruleset_for(role)
    if Path(args.output).suffix.lower() not in (".pdf", ".html", ".htm"):
        raise InputError(f"-o {args.output}: the report is written as .pdf or .html")
    goals = Goals.model_validate(
        {
            "role": role,
            "setting": args.setting,
            "hours_per_week": args.hours_per_week,
            "budget_usd": args.budget,
        }
    )
    profile = load_profile(args.profile, as_of=as_of)
    advice = advise(profile, goals, as_of)
    _write_report(Path(args.output), advice.assessment, args.name or profile.name, ())
    out.write(f"wrote {args.output}\n")
    return 0


def _store(args: argparse.Namespace) -> Store:
    return Store(args.database)


def _cmd_clients(args: argparse.Namespace, out: TextIO) -> int:
    store = _store(args)
    try:
        action = args.clients_command
        if action == "list":
            for c in store.clients(args.search or "", archived=args.archived):
                mark = " (archived)" if c.archived_at else ""
                out.write(f"{c.id}  {c.updated_at:%Y-%m-%d}  {c.name}{mark}\n")
        elif action == "add":
            profile = load_profile(args.profile) if args.profile else None
            client = store.create_client(args.name, profile)
            out.write(f"{client.id}\n")
        elif action == "show":
            client = store.client(args.id)
            out.write(f"{client.name} ({client.id}), since {client.created_at:%Y-%m-%d}\n")
            for visit in progress(store.assessments(args.id)):
                done = f"; since the visit before: {', '.join(visit.done_since)}" if visit.done_since else ""
                what = f"{visit.role}, {visit.setting}"
                out.write(f"  {visit.date:%Y-%m-%d}  {visit.score:5.1f}  {visit.band:<10} {what}{done}\n")
            for date, kind, text in store.note_rows(args.id):
                out.write(f"  {date}  {kind}: {text}\n")
        elif action == "assess":
            record = assess_client(store, args.id, _as_of(args.as_of))
            out.write(f"{record.created_at:%Y-%m-%d}  {record.score:.1f}  {record.band}\n")
        elif action == "note":
            store.add_note(args.id, args.text, "plan" if args.plan else "note")
        elif action == "report":
            records = store.assessments(args.id)
            if not records:
                raise InputError("this client has no assessment yet: run `clients assess` first")
            client = store.client(args.id)
            kept = {"all": ("note", "plan"), "plan": ("plan",), "none": ()}[args.notes]
            notes = [n for n in store.note_rows(args.id) if n[1] in kept]
            _write_report(Path(args.output), records[-1].assessment(), client.name, notes)
            out.write(f"wrote {args.output}\n")
        elif action == "export":
            data = store.export(args.ids or None).model_dump_json(indent=2).encode("utf-8")
            if args.output:
                _write_atomically(Path(args.output), data)
            else:
                out.write(data.decode("utf-8") + "\n")
        elif action == "import":
            added = store.import_clients(parse_export(read_bytes(args.file), args.file))
            out.write(f"imported {len(added)} clients\n")
    finally:
        store.close()
    return 0


def _cmd_rules_check(args: argparse.Namespace, out: TextIO) -> int:
    paths: list[Path] = []
    for given in args.paths or [str(RULES_DIR)]:
        path = Path(given)
        if not path.exists():
            raise InputError(f"{given}: no such file or directory")
        if path.is_dir():
            paths.extend(rule_files(path).values())
        else:
            paths.append(path)
    if not paths:
        raise InputError(f"no rules files (*.yaml) in {', '.join(args.paths)}")
    catalog = load_catalog()
    failed = 0
    for path in paths:
        try:
            rs = load_ruleset(path, catalog)
        except DataFileError as exc:
            failed += 1
            for problem in exc.problems:
                print(problem, file=sys.stderr)
            continue
        out.write(f"{path}: ok ({len(rs.rules)} rules, {len(rs.gates)} gates, version {rs.version})\n")
    return EXIT_INVALID if failed else 0


def _cmd_facts(args: argparse.Namespace, out: TextIO) -> int:
    catalog = load_catalog()
    if not args.profile:
        for spec in catalog.facts.values():
            if spec.feature:
                out.write(f"{spec.name:<40} {spec.kind:<6} {spec.description}\n")
        return 0
    as_of = _as_of(args.as_of)
    profile = load_profile(args.profile, as_of=as_of)
    row = derive_facts([profile], as_of, catalog).iloc[0]
    for name, spec in catalog.facts.items():
        out.write(f"{name:<40} {format_fact(spec, float(row[name]))}\n")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and ``--help``)."""
    parser = _Parser(prog="advisor", description="Career-path advisor and job-readiness assessor.")
    parser.add_argument("--version", action="version", version=f"advisor {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("assess", help="assess a profile (JSON or YAML) for a role and setting")
    p.add_argument("profile", help="profile file in the interchange format (.json, .yaml)")
    p.add_argument("--role", help=f"role id, a file in rules/ (default: {DEFAULT_ROLE})")
    p.add_argument("--setting", choices=SETTINGS, default="small_practice", help="practice setting")
    p.add_argument("--as-of", help="month YYYY-MM that current jobs run to (default: this month)")
    p.add_argument("--json", action="store_true", help="print the Assessment object as JSON")
    p.add_argument("--rules", help="use this rules file instead of the role's shipped one")
    p.add_argument("--model", help=MODEL_HELP)
    p.add_argument("--posting", help="assess against this job posting (a text file) instead of a role")
    p.set_defaults(func=_cmd_assess)

    pr = sub.add_parser(
        "parse-resume", help="read a resume (PDF, DOCX, TXT, JSON Resume) into a draft profile"
    )
    pr.add_argument("file", help="the resume file")
    pr.add_argument("--as-of", help="month YYYY-MM that current jobs run to (default: this month)")
    pr.add_argument("--json", action="store_true", help="print the draft profile with its evidence as JSON")
    pr.set_defaults(func=_cmd_parse_resume)

    pp = sub.add_parser("parse-posting", help="read a job posting (text) into its requirements")
    pp.add_argument("file", help="the posting, as a text file")
    pp.add_argument("--json", action="store_true", help="print the requirements with their evidence as JSON")
    pp.set_defaults(func=_cmd_parse_posting)

    q = sub.add_parser("plan", help="recommendations, eligibility, a roadmap and the ladder for a profile")
    q.add_argument("profile", help="profile file in the interchange format (.json, .yaml)")
    q.add_argument("--role", help=f"target role id, a file in rules/ (default: {DEFAULT_ROLE})")
    q.add_argument("--setting", choices=SETTINGS, default="small_practice", help="practice setting")
    q.add_argument("--hours-per-week", type=_bounded(1, 80), default=10, help="study hours a week (1-80)")
    q.add_argument("--budget", type=_bounded(0, 500_000), default=2000, help="budget in US dollars")
    q.add_argument(
        "--optimize", choices=("time", "cost"), default="time", help="quickest or cheapest roadmap"
    )
    q.add_argument("--horizon", type=_bounded(1, 240), default=60, help="months the roadmap may span")
    q.add_argument("--top", type=_bounded(1, 1000), default=10, help="recommendations to print")
    q.add_argument("--as-of", help="month YYYY-MM that current jobs run to (default: this month)")
    q.add_argument(
        "--json", action="store_true", help="print the Assessment with plan fields filled, as JSON"
    )
    q.add_argument("--model", help=MODEL_HELP)
    q.set_defaults(func=_cmd_plan)

    sc = sub.add_parser("screen", help="rank a CSV or XLSX of candidates (or a zip of resumes) with reasons")
    sc.add_argument("candidates", nargs="?", help="CANDIDATES.csv or .xlsx, or a .zip or folder of resumes")
    sc.add_argument("--template", action="store_true", help="print (or -o) the candidate template CSV")
    sc.add_argument("--role", help=f"role id, a file in rules/ (default: {DEFAULT_ROLE})")
    sc.add_argument("--setting", choices=SETTINGS, default="small_practice", help="practice setting")
    sc.add_argument("--posting", help="screen against this job posting (a text file) instead of a role")
    sc.add_argument(
        "--knockout", action="append", metavar="EXPR",
        help="a must-have: a credential ('CPC'), '2+ years supervisory', or a condition over the facts",
    )  # fmt: skip
    sc.add_argument("--weight", action="append", metavar="DIM=X", help="multiply a dimension's points (0-5)")
    sc.add_argument(
        "--shortlist-band", choices=(*BANDS, "none"), default="nearly",
        help="shortlist candidates at this band or better (default: nearly)",
    )  # fmt: skip
    sc.add_argument("--shortlist-top", type=_bounded(1, 10_000_000), help="and within the first N ranks")
    sc.add_argument(
        "--column", action="append", metavar="TEMPLATE=HEADER",
        help="read a template column from this header when the automatic matching gets it wrong",
    )  # fmt: skip
    sc.add_argument("--rubric", help="re-run with a saved rubric (the .rubric.json written next to -o)")
    sc.add_argument("-o", "--output", help="write the ranking to ranked.csv or ranked.xlsx")
    sc.add_argument(
        "--impact-column", action="append", metavar="COL",
        help="a demographic column for the adverse-impact report (never scored); repeat for more",
    )  # fmt: skip
    sc.add_argument(
        "--impact-band", choices=BANDS, help="for the impact report: selected = this band or better"
    )
    sc.add_argument(
        "--impact-exclude-rare", action="store_true",
        help="for the impact report: leave categories under 2%% of the pool out of the ratios",
    )  # fmt: skip
    sc.add_argument(
        "--impact-median", action="store_true",
        help="for the impact report: selected = score above the median (the LL144 scoring rate)",
    )  # fmt: skip
    sc.add_argument(
        "--engine", choices=("pandas", "dask"), default="pandas", help="run in-process or on Dask"
    )
    sc.add_argument("--scheduler", help="with --engine dask: a scheduler address (default: a local cluster)")
    sc.add_argument("--top", type=_bounded(1, 1_000_000), default=20, help="candidates to print")
    sc.add_argument(
        "--model",
        help=f"blend in the readiness model: `{SHIPPED_MODEL}`, or a folder written by `train --outcomes` "
        "(default: the rules alone, every point traced to a published requirement)",
    )
    sc.set_defaults(func=_cmd_screen)

    rp = sub.add_parser("report", help="write a printable report (PDF or HTML) for a profile")
    rp.add_argument("profile", help="profile file in the interchange format (.json, .yaml)")
    rp.add_argument("-o", "--output", required=True, help="report.pdf or report.html")
    rp.add_argument("--role", help=f"target role id (default: {DEFAULT_ROLE})")
    rp.add_argument("--setting", choices=SETTINGS, default="small_practice", help="practice setting")
    rp.add_argument("--hours-per-week", type=_bounded(1, 80), default=10, help="study hours a week (1-80)")
    rp.add_argument("--budget", type=_bounded(0, 500_000), default=2000, help="budget in US dollars")
    rp.add_argument("--name", help="the name printed on the report (default: the profile's)")
    rp.add_argument("--as-of", help="month YYYY-MM that current jobs run to (default: this month)")
    rp.set_defaults(func=_cmd_report)

    cl = sub.add_parser("clients", help="the counselor's client records: list, show, export, import, ...")
    cl.add_argument(
        "--database", help=f"a SQLAlchemy URL (default: ${URL_ENV}, else SQLite in ${DATA_DIR_ENV})"
    )
    csub = cl.add_subparsers(dest="clients_command", required=True, parser_class=_Parser)
    c1 = csub.add_parser("list", help="clients, newest change first")
    c1.add_argument("--search", help="only names containing this")
    c1.add_argument("--archived", action="store_true", help="include archived clients")
    c2 = csub.add_parser("add", help="add a client (prints the new id)")
    c2.add_argument("name")
    c2.add_argument("--profile", help="their profile file")
    c3 = csub.add_parser("show", help="a client's visits, progress and notes")
    c3.add_argument("id")
    c4 = csub.add_parser("assess", help="assess a client's current profile and keep it")
    c4.add_argument("id")
    c4.add_argument("--as-of", help="month YYYY-MM (default: this month)")
    c5 = csub.add_parser("note", help="add a dated note (or, with --plan, the plan agreed)")
    c5.add_argument("id")
    c5.add_argument("text")
    c5.add_argument("--plan", action="store_true", help="this note is the plan agreed")
    c6 = csub.add_parser("report", help="the client's latest assessment with notes, as PDF or HTML")
    c6.add_argument("id")
    c6.add_argument("-o", "--output", required=True, help="report.pdf or report.html")
    c6.add_argument(
        "--notes", choices=("all", "plan", "none"), default="all", help="which notes the report shows"
    )
    c7 = csub.add_parser("export", help="clients with everything stored about them, as JSON")
    c7.add_argument("ids", nargs="*", help="client ids (default: all)")
    c7.add_argument("-o", "--output", help="write to this file instead of printing")
    c8 = csub.add_parser("import", help="add the clients of an export file (never overwrites)")
    c8.add_argument("file")
    cl.set_defaults(func=_cmd_clients)

    t = sub.add_parser("train", help="train the readiness model (the panel, or your own outcomes)")
    t.add_argument("--outcomes", help="CSV of your own decisions: profile, outcome (hired/advanced/rejected)")
    t.add_argument("--out", help="with --outcomes: the folder to write the local model to")
    t.set_defaults(func=_cmd_train)

    r = sub.add_parser("rules", help="work with rules files")
    rsub = r.add_subparsers(dest="rules_command", required=True, parser_class=_Parser)
    c = rsub.add_parser("check", help="validate rules files and print every problem")
    c.add_argument("paths", nargs="*", help="files or directories (default: the shipped rules/)")
    c.set_defaults(func=_cmd_rules_check)

    f = sub.add_parser("facts", help="list the fact vocabulary, or a profile's derived facts")
    f.add_argument("profile", nargs="?", help="profile file to derive facts for")
    f.add_argument("--as-of", help="month YYYY-MM (default: this month)")
    f.set_defaults(func=_cmd_facts)
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run the CLI; returns the exit code instead of raising."""
    args = build_parser().parse_args(argv)
    stream = out or sys.stdout
    if getattr(args, "model", None) and args.model != SHIPPED_MODEL:
        os.environ[MODEL_ENV] = args.model  # this process only: the engine reads it when it scores
    try:
        code: int = args.func(args, stream)
    except DataFileError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return EXIT_INPUT
    except AdvisorError as exc:
        print(f"advisor: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("advisor: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `... | head`: the reader left; stop quietly
        if stream is sys.stdout:  # keep the interpreter's final flush from failing too
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return code
