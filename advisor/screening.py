"""Screening: rank a pool of candidates against a role or a posting, with reasons.

A :class:`Rubric` says what to screen against (a role and setting, or a
posting), the knockouts, the dimension weights and the shortlist cut-off. It
is saved with every result, so the same file and rubric always give the same
ranking.

:func:`screen_batch` is the unit of work: a pure function from one batch of
table rows (text) to one scored row each, with the problem that kept a row
out. :func:`screen_file` runs it over a file read in chunks, in this process
or over a Dask cluster (``engine="dask"``), and :func:`rank` puts the batches
together: duplicate ids are skipped, knockouts passed come first, then score,
then id. :func:`screen_resumes` scores a zip of resumes by the same path.

Demographic columns ride along (``carry``) for the adverse-impact report and
are never read by scoring: the facts come only from the template columns.
"""

from __future__ import annotations

import functools
import io
import os
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from pandas.api.types import union_categoricals
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from advisor import __version__
from advisor.audit import ImpactReport, impact_report
from advisor.candidates import CandidateFile, ColumnMap, check_size, derive_table_facts, map_columns
from advisor.catalog import Catalog, load_catalog
from advisor.errors import AdvisorError, ExpressionError, InputError, suggest
from advisor.export import csv_bytes, xlsx_bytes
from advisor.expression import Expression, compile_expression
from advisor.facts import derive_fact_bounds
from advisor.goals import DEFAULT_ROLE
from advisor.posting import Posting, posting_rules
from advisor.profile import Profile, current_month
from advisor.rules import BANDS, Band, RuleResults, RuleSet, evaluate_rules, ruleset_for
from advisor.scoring import chosen_model, coded_text, score_results
from advisor.vocabulary import CONSTANTS, cert_fact

Engine = Literal["pandas", "dask"]
REASONS = 3
MAX_KNOCKOUTS = 20
MAX_WEIGHT = 5.0
POSTING_SETTING = "posting"
KNOCKOUT_STATES = ("pass", "unknown", "fail")
"""A knockout's states, in ranking order (a row's is its worst)."""


class Rubric(BaseModel):
    """What a screening run measured against; saved with its results."""

    model_config = ConfigDict(extra="forbid")

    schema_version: Literal[1] = 1
    role: str = DEFAULT_ROLE
    setting: str = "small_practice"
    posting: Posting | None = None
    """Screen against this posting's requirements instead of the role's rules."""
    knockouts: list[str] = Field(default=[], max_length=MAX_KNOCKOUTS)
    """Conditions a candidate must meet ('CPC', 'years_supervisory >= 2')."""
    weights: dict[str, float] = {}
    """Dimension -> multiplier of its points (1 = as the rules file says, 0 = ignore)."""
    shortlist_band: Band | None = "nearly"
    """Shortlisted: knockouts passed and at least this band ..."""
    shortlist_top: int | None = Field(default=None, ge=1)
    """... and within the first this many ranks."""
    model: bool = False
    """Blend in the readiness model, as a single assessment does (roles only). Off by default: a
    hiring screen rests on the published, cited rules a candidate can see; the model was
    calibrated on a counselor panel for self-assessment, not validated for selection."""
    columns: dict[str, str] = {}
    """Template column -> header in the file, where the automatic matching should be overridden."""


@dataclass(frozen=True)
class Spec:
    """A rubric compiled: the rules, knockouts and per-rule point multipliers."""

    rubric: Rubric
    ruleset: RuleSet
    setting: str
    knockouts: tuple[Expression, ...]
    multipliers: npt.NDArray[np.float64]
    dimensions: tuple[tuple[str, str], ...]
    """(id, title) of each dimension, in the rules file's order."""


def knockout_expression(text: str, catalog: Catalog) -> Expression:
    """Compile a knockout: a credential ('CPC', 'must have CPC'), 'N+ years <kind>', or any
    condition over the facts ('years_supervisory >= 2 and cert_CPC')."""
    kinds = {name: spec.kind for name, spec in catalog.facts.items()}
    core = re.sub(r"^\s*(?:must\s+(?:have|hold|be)|has|have|requires?)\s+", "", text.strip(), flags=re.I)
    cert = catalog.resolve_certification(core)
    if cert is not None:
        return compile_expression(cert_fact(cert.code), kinds, CONSTANTS)
    years = re.fullmatch(
        r"(\d+(?:\.\d+)?)\s*\+?\s*(?:years?|yrs?)\s+(?:of\s+)?([a-z_ ]+?)(?:\s+experience)?", core, re.I
    )
    if years:
        kind = "years_" + "_".join(years.group(2).lower().split())
        if kind not in kinds:
            choices = [n for n in kinds if n.startswith("years_")]
            raise ExpressionError(f"no years fact '{kind}'" + suggest(kind, choices))
        return compile_expression(f"{kind} >= {years.group(1)}", kinds, CONSTANTS)
    return compile_expression(core, kinds, CONSTANTS)


def compile_rubric(rubric: Rubric, catalog: Catalog | None = None) -> Spec:
    """Check a rubric and compile it; every problem is reported at once in one :class:`InputError`."""
    catalog = catalog or load_catalog()
    if rubric.posting is not None:
        ruleset, setting = posting_rules(rubric.posting, catalog), POSTING_SETTING
    else:
        ruleset, setting = ruleset_for(rubric.role), rubric.setting
        if setting not in ruleset.spec.settings:
            raise InputError(f"unknown setting '{setting}'" + suggest(setting, ruleset.settings))
    problems: list[str] = []
    knockouts = []
    for i, text in enumerate(rubric.knockouts, start=1):
        try:
            knockouts.append(knockout_expression(text, catalog))
        except ExpressionError as exc:
            problems.append(f"knockout {i} '{text[:80]}': {exc}")
    dims = ruleset.spec.dimensions
    for name, weight in rubric.weights.items():
        if name not in dims:
            problems.append(f"weight for unknown dimension '{name}'" + suggest(name, list(dims)))
        elif not 0 <= weight <= MAX_WEIGHT:
            problems.append(f"weight of '{name}' must be from 0 to {MAX_WEIGHT:g}, not {weight:g}")
    multipliers = np.array([rubric.weights.get(r.spec.dimension, 1.0) for r in ruleset.rules])
    if not problems and (multipliers * ruleset.rule_points(setting)).sum() <= 0:
        problems.append("every dimension has weight 0: nothing would be scored")
    if problems:
        raise InputError("; ".join(problems))
    dimensions = tuple((d, spec.title) for d, spec in dims.items())
    return Spec(rubric, ruleset, setting, tuple(knockouts), multipliers, dimensions)


@functools.lru_cache(maxsize=8)
def _compiled(rubric_json: str) -> Spec:
    """Compile once per rubric per process (Dask workers get the rubric as JSON)."""
    return compile_rubric(Rubric.model_validate_json(rubric_json))


# --- scoring a batch ----------------------------------------------------------------------


def _knockouts(spec: Spec, lower: pd.DataFrame, upper: pd.DataFrame | None) -> tuple[pd.Series, pd.Series]:
    """Each row's knockout status and the knockouts it fails (or cannot be checked on)."""
    n = len(lower)
    combination = np.zeros(n, dtype=np.int64)  # each knockout's state (0 pass, 1 unknown, 2 fail) in base 3
    columns = {c: lower[c].to_numpy(float) for c in lower.columns}
    high = None if upper is None else {c: upper[c].to_numpy(float) for c in upper.columns}
    for k, expr in enumerate(spec.knockouts):
        truth = expr.evaluate(columns, n)
        if high is not None:
            best = expr.evaluate(high, n)
            truth = np.where((truth == 0) & (best != 0), np.nan, truth)  # might pass: unknown
        state = np.where(truth == 0, 2, np.where(np.isnan(truth), 1, 0))
        combination += state * 3**k
    seen, codes = np.unique(combination, return_inverse=True)
    worst, notes = [], []
    for code in seen.tolist():
        states = [code // 3**k % 3 for k in range(len(spec.knockouts))]
        worst.append(max(states, default=0))
        words = ("", "not known: ", "fails: ")
        notes.append("; ".join(words[s] + t for s, t in zip(states, spec.rubric.knockouts, strict=True) if s))
    codes = codes.reshape(-1)
    status = coded_text(KNOCKOUT_STATES, np.array(worst, dtype=np.int64)[codes], ordered=True)
    return status, coded_text(notes, codes)


def _labels(texts: Sequence[str], which: np.ndarray, points: np.ndarray, pattern: str) -> pd.Series:
    """``pattern.format(texts[which], points)`` per row ('' for about 0 points), each distinct
    pair formatted once: 100,000 rows have only a few hundred distinct reasons."""
    tenths = np.round(points * 10).astype(np.int64)
    codes, inverse = np.unique(which.astype(np.int64) * 1_000_000 + tenths, return_inverse=True)
    labels = [
        pattern.format(texts[c // 1_000_000], (c % 1_000_000) / 10) if c % 1_000_000 else "" for c in codes
    ]
    return coded_text(labels, inverse.reshape(-1))


def _largest(values: npt.NDArray[np.float64], k: int) -> npt.NDArray[np.intp]:
    """Column indices of each row's ``k`` largest values, largest first. Values less than a
    billionth apart per column (equal, or equal but for floating-point noise: they print the
    same) go in column order. A partial sort: only the top ``k`` of each row are ordered."""
    keyed = values - np.arange(values.shape[1]) * 1e-9  # ties: the earlier column is larger
    if values.shape[1] <= k:
        return np.argsort(-keyed, axis=1)
    top = np.argpartition(-keyed, k - 1, axis=1)[:, :k]
    return np.take_along_axis(top, np.argsort(-np.take_along_axis(keyed, top, axis=1), axis=1), axis=1)


def _reasons(spec: Spec, results: RuleResults) -> dict[str, pd.Series]:
    """The top reasons for (points earned) and against (points missed) each row."""
    statements = [r.spec.statement for r in spec.ruleset.rules]
    prefixes = ("Missing: ", "Partly: ", "", "Not given: ")  # by status code
    against_texts = [p + s for p in prefixes for s in statements]
    earned = results.credit * results.points
    missed = (1.0 - results.credit) * results.points
    out: dict[str, pd.Series] = {}
    top_for, top_against = _largest(earned, REASONS), _largest(missed, REASONS)
    rows = np.arange(len(earned))
    for k in range(min(REASONS, earned.shape[1])):
        r_for, r_against = top_for[:, k], top_against[:, k]
        out[f"for_{k + 1}"] = _labels(statements, r_for, earned[rows, r_for], "{} (+{:.1f})")
        which = results.status[rows, r_against].astype(np.int64) * len(statements) + r_against
        out[f"against_{k + 1}"] = _labels(against_texts, which, missed[rows, r_against], "{} (-{:.1f})")
    for k in range(earned.shape[1], REASONS):  # fewer rules than reasons (a short posting)
        out[f"for_{k + 1}"] = out[f"against_{k + 1}"] = coded_text([""], np.zeros(len(rows), dtype=np.int64))
    return {name: out[name] for k in range(1, REASONS + 1) for name in (f"for_{k}", f"against_{k}")}


def score_candidates(spec: Spec, lower: pd.DataFrame, upper: pd.DataFrame | None) -> pd.DataFrame:
    """Score facts rows under the rubric: score, band, knockouts, reasons and points per dimension."""
    results = evaluate_rules(spec.ruleset, lower, spec.setting, upper)
    weighted = replace(results, points=results.points * spec.multipliers)
    use_model = spec.rubric.model and spec.rubric.posting is None
    model = chosen_model(spec.ruleset, "auto" if use_model else None)
    table = score_results(weighted, spec.ruleset, lower, model)
    knockouts, failed = _knockouts(spec, lower, upper)
    texts = {"knockouts": knockouts, "knockouts_failed": failed, **_reasons(spec, weighted)}
    for name, values in texts.items():
        table[name] = values.set_axis(table.index)
    earned = weighted.credit * weighted.points
    dims = np.array([r.spec.dimension for r in spec.ruleset.rules])
    for dim, _ in spec.dimensions:
        table[f"points_{dim}"] = np.round(earned[:, dims == dim].sum(axis=1), 1)
    return table


def screen_batch(
    frame: pd.DataFrame,
    rows: Sequence[int] | int,
    colmap: ColumnMap,
    rubric: Rubric | str,
    carry: Sequence[str] = (),
) -> pd.DataFrame:
    """Screen one batch of table rows (all text); a pure function of its inputs.

    ``rows`` are the spreadsheet row numbers of the frame's rows (or the first one's, when they
    follow one another). Returns one row per input row: ``row`` (spreadsheet row number),
    ``candidate_id``, ``name``, the scores, ``knockouts`` (pass, unknown,
    fail), the reasons, points per dimension, the ``carry`` columns as
    ``carry:<header>`` (never scored) and ``problem`` (non-empty for a row
    that could not be read, which has no score). ``attrs["unrecognized"]`` counts the rows
    naming each credential or software the catalog does not know (and so cannot credit).
    """
    spec = _compiled(rubric if isinstance(rubric, str) else rubric.model_dump_json())
    catalog = spec.ruleset.catalog
    frame = frame.reset_index(drop=True)
    numbers = (
        np.arange(rows, rows + len(frame)) if isinstance(rows, int) else np.asarray(rows, dtype=np.int64)
    )
    frame = frame.astype("str")  # Arrow-backed text: the string work below runs in C
    blank = np.ones(len(frame), dtype=bool)  # rows with every cell blank, narrowed a column at a time
    for column in frame.columns:
        still = np.flatnonzero(blank)
        if not still.size:
            break
        blank[still] = frame[column].iloc[still].str.strip().eq("").to_numpy()
    frame, numbers = frame[~blank].reset_index(drop=True), numbers[~blank]
    facts = derive_table_facts(frame, colmap, catalog)
    id_header = colmap.columns.get("candidate_id")
    ids = frame[id_header].astype(str).str.strip() if id_header else pd.Series([f"row {r}" for r in numbers])
    problems = pd.Series("", index=range(len(frame)), dtype=object)
    problems[list(facts.problems)] = list(facts.problems.values())
    problems = problems.where(
        (ids != "") | (problems != ""), f"column '{id_header}': the candidate id is blank"
    )
    text = np.column_stack(
        [frame[c].str.contains("\ufffd", regex=False).to_numpy(dtype=bool) for c in frame.columns]
    )
    for i in np.flatnonzero(text.any(axis=1) & (problems == "").to_numpy()):
        column = frame.columns[int(np.argmax(text[i]))]
        problems.iat[i] = f"column '{column}': characters that are not valid text in the file's encoding"
    name_header = colmap.columns.get("name")
    out = pd.DataFrame(
        {
            "row": numbers,
            "candidate_id": ids.array,
            "name": frame[name_header].astype(str).str.strip().array if name_header else "",
        }
    )
    ok = (problems == "").to_numpy()
    lower, upper = facts.lower, facts.upper
    if not ok.all():  # a copy only when some rows are left out
        lower = lower[ok].reset_index(drop=True)
        upper = None if upper is None else upper[ok].reset_index(drop=True)
    scored = score_candidates(spec, lower, upper).set_axis(np.flatnonzero(ok))
    out = pd.concat([out, scored], axis=1)  # a row that could not be read has no scores or texts
    for header in carry:
        out[f"carry:{header}"] = frame[header].astype(str).str.strip().array if header in frame else ""
    out["problem"] = problems.astype("str").array
    out.attrs["unrecognized"] = facts.unrecognized
    return out


# --- the whole pool -----------------------------------------------------------------------


@dataclass
class ScreenResult:
    """A screening run: the ranked candidates, the rows skipped and why, and the rubric used."""

    ranked: pd.DataFrame
    skipped: pd.DataFrame
    rubric: Rubric
    colmap: ColumnMap | None
    notes: list[str] = field(default_factory=list)
    dimensions: tuple[tuple[str, str], ...] = ()

    def audit(self) -> dict[str, Any]:
        """What a reviewer needs to reproduce the run: the rubric, mapping and versions."""
        spec = _compiled(self.rubric.model_dump_json())
        return {
            "rubric": self.rubric.model_dump(mode="json"),
            "columns": dict(self.colmap.columns) if self.colmap else None,
            "ignored_columns": list(self.colmap.extra) if self.colmap else None,
            "engine_version": __version__,
            "rules": {"role": spec.ruleset.spec.role, "version": spec.ruleset.spec.version},
            "candidates_ranked": len(self.ranked),
            "rows_skipped": len(self.skipped),
            "notes": self.notes,
        }


def rank(batches: Iterable[pd.DataFrame], rubric: Rubric) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Put screened batches together: skip later duplicates of an id, then order by knockouts
    (pass, unknown, fail), score (high first), completeness and id, and mark the shortlist."""
    frames = [b for b in batches if len(b)]
    if not frames:
        raise InputError("the file has no candidate rows")
    table = pd.concat(_same_categories(frames), ignore_index=True)
    table.attrs.clear()  # each batch's own notes (unknown names) are gathered by the caller
    dup = table["candidate_id"].duplicated() & (table["candidate_id"] != "") & (table["problem"] == "")
    if dup.any():
        first = table.groupby("candidate_id", sort=False)["row"].transform("first")
        table.loc[dup, "problem"] = [
            f"duplicate candidate id '{c}' (first on row {r})"
            for c, r in zip(table.loc[dup, "candidate_id"], first[dup], strict=True)
        ]
    bad = table["problem"] != ""
    skipped = table.loc[bad, ["row", "candidate_id", "problem"]].reset_index(drop=True)
    ranked = table.loc[~bad].drop(columns="problem")
    ids = pd.factorize(ranked["candidate_id"], sort=True)[0]  # ids in text order, as numbers
    knockout = pd.Index(KNOCKOUT_STATES).get_indexer(ranked["knockouts"])
    order = np.lexsort((ids, -ranked["completeness"].to_numpy(), -ranked["score"].to_numpy(), knockout))
    ranked = ranked.iloc[order].reset_index(drop=True)
    ranked.insert(0, "rank", np.arange(1, len(ranked) + 1))
    selected = (ranked["knockouts"] == "pass").to_numpy().copy()
    if rubric.shortlist_band is not None:
        selected &= pd.Index(BANDS).get_indexer(ranked["band"]) >= BANDS.index(rubric.shortlist_band)
    if rubric.shortlist_top is not None:
        selected &= ranked["rank"].to_numpy() <= rubric.shortlist_top
    ranked.insert(1, "shortlisted", coded_text(("no", "yes"), selected))
    return ranked, skipped


def _same_categories(frames: Sequence[pd.DataFrame]) -> list[pd.DataFrame]:
    """The batches with each categorical column over the same categories, so that putting them
    together keeps them categorical: the ordered ones (bands, knockouts) have one fixed set;
    the others (each batch has its own few reasons) get the union, sorted, so the result is
    the same however the file was cut into batches."""
    columns = [
        c
        for c in frames[0].columns
        if isinstance(frames[0][c].dtype, pd.CategoricalDtype)
        and not frames[0][c].dtype.ordered  # bands and knockouts: one fixed, ordered set
    ]
    union = {
        c: union_categoricals([f[c] for f in frames]).categories.astype("str").sort_values() for c in columns
    }
    return [f.assign(**{c: f[c].cat.set_categories(union[c]) for c in columns}) for f in frames]


Progress = Callable[[float, int], None]
"""Called after each batch with the share of the file read and the rows screened so far."""


def screen_file(
    source: str | Path | bytes,
    rubric: Rubric,
    name: str | None = None,
    carry: Sequence[str] = (),
    engine: Engine = "pandas",
    scheduler: str | None = None,
    chunk_rows: int | None = None,
    progress: Progress | None = None,
) -> ScreenResult:
    """Screen a CSV or XLSX file of candidates (a path or an upload's bytes) in bounded chunks.

    ``carry`` names columns to keep for the impact report (never scored);
    ``engine="dask"`` sends the batches to a Dask cluster (``scheduler``, or a
    local one). Raises :class:`InputError` for a file that cannot be read at
    all; rows that cannot be read are skipped and listed.
    """
    rubric_json = rubric.model_dump_json()
    spec = _compiled(rubric_json)  # the same compiled rubric the batches in this process use
    table = CandidateFile.open(source, name)
    try:
        colmap = map_columns(table.headers, rubric.columns)
        missing = [c for c in carry if c not in table.headers]
        if missing:
            raise InputError(f"no column '{missing[0]}' in the file" + suggest(missing[0], table.headers))
        if not set(colmap.columns) - {"candidate_id", "name"}:
            shown = ", ".join(table.headers[:8])
            raise InputError(
                f"{table.name}: none of the columns ({shown}) is one the screening reads; "
                "use the template's column names (python -m advisor screen --template)"
            )
        scoring = set(colmap.columns.values())
        if any(c in scoring for c in carry):
            raise InputError("a column used for scoring cannot also be a demographic column")
        batches = table.batches(chunk_rows) if chunk_rows else table.batches()
        work = functools.partial(_screen_one, colmap=colmap, rubric=rubric_json, carry=tuple(carry))
        runner = _run_dask(batches, work, scheduler) if engine == "dask" else _run_local(batches, work)
        screened: list[pd.DataFrame] = []
        count = 0
        unknown: dict[str, int] = {}
        for batch, out in runner:
            screened.append(out)
            count += len(out)
            for name, rows in out.attrs.get("unrecognized", {}).items():
                unknown[name] = unknown.get(name, 0) + rows
            if progress:
                progress(batch.done, count)
        ranked, skipped = rank(screened, rubric)
    finally:
        table.close()
    extra = pd.DataFrame(
        [(p.line, "", p.message) for p in table.bad_rows], columns=["row", "candidate_id", "problem"]
    )
    skipped = (
        pd.concat([skipped, extra], ignore_index=True)
        .sort_values("row", kind="stable")
        .reset_index(drop=True)
    )
    notes = [*table.notes, *colmap.notes]
    if unknown:
        named = sorted(unknown.items(), key=lambda item: (-item[1], item[0]))
        listed = ", ".join(
            f"'{name[:40]}' ({rows:,} row{'' if rows == 1 else 's'})" for name, rows in named[:10]
        )
        more = f" and {len(named) - 10:,} more" if len(named) > 10 else ""
        notes.append(f"not in the catalog, so never credited (rows of the file naming it): {listed}{more}")
    return ScreenResult(ranked, skipped, rubric, colmap, notes, spec.dimensions)


def _screen_one(
    batch: Any, colmap: ColumnMap, rubric: str, carry: tuple[str, ...]
) -> tuple[Any, pd.DataFrame]:
    return batch, screen_batch(batch.frame, batch.rows, colmap, rubric, carry)


def _in_order(
    submit: Callable[..., Any], work: Callable[[Any], Any], items: Iterable[Any], window: int
) -> Iterator[Any]:
    """``work`` over ``items`` through ``submit`` (an executor's or a Dask client's), at most
    ``window`` in flight so memory stays bounded, results in the items' order."""
    in_flight: list[Any] = []
    for item in items:
        in_flight.append(submit(work, item))
        if len(in_flight) >= window:
            yield in_flight.pop(0).result()
    for future in in_flight:
        yield future.result()


def _run_local(
    batches: Iterator[Any], work: Callable[[Any], tuple[Any, pd.DataFrame]]
) -> Iterator[tuple[Any, pd.DataFrame]]:
    """Run ``work`` on the batches in this process, one thread per core (most of the work is in
    NumPy and Arrow, which release the interpreter lock), results in order."""
    threads = max(1, min(4, os.cpu_count() or 1))
    if threads == 1:
        yield from map(work, batches)
        return
    with ThreadPoolExecutor(threads) as pool:
        yield from _in_order(pool.submit, work, batches, 2 * threads)


def _run_dask(
    batches: Iterator[Any], work: Callable[[Any], tuple[Any, pd.DataFrame]], scheduler: str | None
) -> Iterator[tuple[Any, pd.DataFrame]]:
    """Run ``work`` on each batch on a Dask cluster, a few batches in flight at a time, in order.

    ``scheduler`` is a scheduler address (``tcp://host:8786``); without one a
    local cluster of worker processes is started on 127.0.0.1 for this run.
    """
    try:
        from distributed import Client, LocalCluster
    except ImportError:  # pragma: no cover - distributed is a pinned requirement
        raise InputError("the dask engine needs the 'distributed' package") from None
    cluster = None
    if scheduler is None:
        cluster = LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
        )
    try:
        client = Client(scheduler, timeout=10) if scheduler else Client(cluster)
    except OSError as exc:
        raise InputError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    try:
        window = max(2, 2 * len(client.scheduler_info().get("workers", {})))
        yield from _in_order(functools.partial(client.submit, pure=False), work, batches, window)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def screen_upload(data: bytes, name: str, rubric: Rubric, carry: Sequence[str] = ()) -> ScreenResult:
    """Screen an uploaded file by its kind: a zip of resumes, or a CSV or XLSX table."""
    if name.lower().endswith(".zip") and not data.startswith(b"PK\x03\x04"):
        raise InputError(f"{name}: not a zip file")
    if name.lower().endswith(".zip"):
        if carry:
            raise InputError("demographic columns need a CSV or XLSX table, not a zip of resumes")
        return screen_resumes(data, rubric, name)
    return screen_file(data, rubric, name=name, carry=carry)


# --- resumes ------------------------------------------------------------------------------

MAX_RESUMES = 2000


Document = tuple[str, int, Callable[[], bytes]]
"""A resume to read: its name (the candidate id), its size in bytes, and how to read it."""


def screen_resumes(
    data: bytes, rubric: Rubric, name: str = "resumes.zip", as_of: str | None = None
) -> ScreenResult:
    """Screen a zip of resumes (PDF, DOCX, TXT, JSON Resume): each file is read into a draft
    profile (nothing invented) and scored by the same rubric. Files that cannot be read are
    skipped with the reason; the file name is the candidate id."""
    check_size(len(data), name)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise InputError(f"{name}: not a zip file") from None
    files = [
        i for i in archive.infolist() if not i.is_dir() and not i.filename.startswith(("__MACOSX/", "."))
    ]
    documents = [(i.filename, i.file_size, functools.partial(archive.read, i)) for i in files]
    return _screen_documents(documents, rubric, name, as_of)


def screen_resume_folder(folder: str | Path, rubric: Rubric, as_of: str | None = None) -> ScreenResult:
    """Screen every file in a folder (and its subfolders) as a resume, like :func:`screen_resumes`."""
    root = Path(folder)
    files = sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith("."))
    documents = [(str(p.relative_to(root)), p.stat().st_size, p.read_bytes) for p in files]
    return _screen_documents(documents, rubric, str(root), as_of)


def _screen_documents(
    documents: Sequence[Document], rubric: Rubric, name: str, as_of: str | None
) -> ScreenResult:
    from advisor.resume import MAX_BYTES as RESUME_MAX_BYTES  # loads its classifier on first use
    from advisor.resume import read_resume

    spec = compile_rubric(rubric)
    month = as_of or current_month()
    if not documents:
        raise InputError(f"{name}: no files to read")
    if len(documents) > MAX_RESUMES:
        raise InputError(f"{name}: {len(documents)} files; at most {MAX_RESUMES} resumes at a time")
    profiles: list[Profile] = []
    read: list[tuple[int, str, str]] = []
    rows: list[dict[str, Any]] = []
    for n, (label, size, read_bytes) in enumerate(documents, start=1):
        try:
            if size > RESUME_MAX_BYTES:
                raise InputError("the resume is over 5 MB")
            profile = read_resume(read_bytes(), Path(label).name, as_of=month).profile()
        except (AdvisorError, ValidationError, zipfile.BadZipFile, OSError) as exc:
            rows.append({"row": n, "candidate_id": label, "problem": _one_line(exc)})
            continue
        profiles.append(profile)
        read.append((n, label, profile.name or ""))
    lower, upper = derive_fact_bounds(profiles, month, spec.ruleset.catalog)
    scored = score_candidates(spec, lower, upper)
    scored.insert(0, "row", [n for n, _, _ in read])
    scored.insert(1, "candidate_id", [label for _, label, _ in read])
    scored.insert(2, "name", [name for _, _, name in read])
    scored["problem"] = ""
    table = pd.concat([scored, pd.DataFrame(rows)], ignore_index=True).fillna({"problem": ""})
    ranked, skipped = rank([table], rubric)
    return ScreenResult(ranked, skipped, rubric, None, [f"resumes read as of {month}"], spec.dimensions)


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, ValidationError):
        return f"the resume gave an invalid profile ({exc.error_count()} problems)"
    problems = getattr(exc, "problems", None)
    return str(problems[0].message if problems else exc).splitlines()[0][:300]


# --- exports and impact -------------------------------------------------------------------


def export_frame(result: ScreenResult, shortlist_only: bool = False) -> pd.DataFrame:
    """The ranking as exported: reasons included, demographic columns left out."""
    table = result.ranked
    if shortlist_only:
        table = table[table["shortlisted"] == "yes"]
    keep = [c for c in table.columns if not c.startswith("carry:")]
    titles = dict(result.dimensions)
    return table[keep].rename(columns={f"points_{d}": f"points: {titles[d]}" for d in titles})


def export_csv(result: ScreenResult, shortlist_only: bool = False) -> bytes:
    """The ranking as CSV, safe to open in a spreadsheet."""
    return csv_bytes(export_frame(result, shortlist_only))


def export_xlsx(result: ScreenResult, shortlist_only: bool = False) -> bytes:
    """The ranking as an XLSX workbook, with the rubric and the skipped rows on their own sheets."""
    rubric = pd.DataFrame(
        [(k, str(v)) for k, v in _flatten(result.audit()).items()], columns=["setting", "value"]
    )
    return xlsx_bytes(
        {"Ranking": export_frame(result, shortlist_only), "Rubric": rubric, "Skipped": result.skipped}
    )


def _flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, Mapping):
            out.update(_flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def impact(
    result: ScreenResult,
    columns: Sequence[str],
    band: Band | None = None,
    score: float | None = None,
    median: bool = False,
    exclude_rare: bool = False,
) -> ImpactReport:
    """The adverse-impact report of a run, by the carried demographic ``columns``.

    Selected means shortlisted, unless a ``band`` (at or above) or a ``score``
    (at or above) cut-off is given; either way a failed knockout is not selected.
    ``median`` uses the NYC LL144 *scoring rate* instead: a score strictly above
    the median score of everyone ranked. ``exclude_rare``: see :func:`advisor.audit.impact_report`.
    """
    ranked = result.ranked
    missing = [c for c in columns if f"carry:{c}" not in ranked.columns]
    if missing:
        raise InputError(f"'{missing[0]}' was not kept as a demographic column for this run")
    passed = (ranked["knockouts"] != "fail").to_numpy()
    if median:
        middle = float(np.median(ranked["score"].to_numpy()))
        chosen = ranked["score"].to_numpy() > middle
        rule = f"score above the median of {middle:g} (the LL144 scoring rate)"
    elif band is not None:
        chosen = passed & (ranked["band"].map(BANDS.index).to_numpy() >= BANDS.index(band))
        rule = f"band {band} or better, knockouts not failed"
    elif score is not None:
        chosen = passed & (ranked["score"].to_numpy() >= score)
        rule = f"score {score:g} or more, knockouts not failed"
    else:
        chosen = (ranked["shortlisted"] == "yes").to_numpy()
        rule = "on the shortlist"
    demographics = pd.DataFrame({c: ranked[f"carry:{c}"] for c in columns})
    return impact_report(demographics, chosen, columns, rule, exclude_rare)
