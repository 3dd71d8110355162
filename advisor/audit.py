"""Adverse-impact monitoring of a screening run: selection rates and impact ratios by group.

For users who supply demographic columns. Those columns are carried next to
the ranking and read only here; they never reach scoring.

* **Selection rate**: the share of a group that was selected (shortlisted, or
  at or above a cut-off). **Impact ratio**: a group's rate divided by the
  rate of the group selected most (NYC Local Law 144 rules, 6 RCNY §5-300).
* A ratio under 0.8 is flagged, per the EEOC four-fifths rule of thumb
  (29 CFR §1607.4(D)): small numbers can make a large gap meaningless, and a
  small gap can still matter, so small groups are warned about.
* Intersectional categories (every combination of the chosen columns) are
  reported, as LL144 bias audits do, with the count of candidates whose
  category is unknown.

This is a monitoring aid, not a legal finding or a bias audit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from advisor.errors import InputError

FOUR_FIFTHS = 0.8
SMALL_GROUP = 30
"""Fewer candidates than this in a group: its ratio is flagged as unreliable."""
SMALL_SELECTED = 5
"""Fewer selections than this expected in a group at the pool's rate: also unreliable."""
SMALL_SHARE = 0.02
"""LL144 audits may leave out categories under 2% of the data; here they are kept but marked."""
UNKNOWN_WORDS = frozenset(
    {"", "unknown", "not specified", "prefer not to say", "decline", "declined", "n/a", "na"}
)
DISCLAIMER = (
    "A monitoring aid, not a legal finding. Impact ratios under 0.8 (the EEOC four-fifths rule of "
    "thumb, 29 CFR 1607.4(D)) call for a closer look at the screening criteria; they do not by "
    "themselves show discrimination, and ratios above 0.8 do not prove its absence. Small groups "
    "make ratios unreliable. Demographic columns were not used to score anyone. A NYC Local Law 144 "
    "bias audit must be done by an independent auditor."
)
SOURCES = (
    "EEOC Uniform Guidelines, 29 CFR 1607.4(D): https://www.law.cornell.edu/cfr/text/29/1607.4",
    "NYC DCWP rules for automated employment decision tools, 6 RCNY 5-300 (selection rate, impact ratio, "
    "intersectional categories, unknown counts): "
    "https://www.nyc.gov/site/dca/about/automated-employment-decision-tools.page",
)


@dataclass(frozen=True)
class ImpactReport:
    """Selection rates and impact ratios per chosen column and for their intersections."""

    selection: str
    """How 'selected' was decided, in words."""
    tables: dict[str, pd.DataFrame]
    """Column (or 'A × B' for the intersection) -> one row per group: group, candidates,
    selected, selection_rate, impact_ratio, flag ('under 0.8', or ''), small (True when unreliable),
    share (of candidates with a known category)."""
    unknown: dict[str, int]
    """Column -> candidates whose category is blank or not given."""
    warnings: list[str]
    disclaimer: str = DISCLAIMER

    @property
    def flagged(self) -> list[tuple[str, str, float]]:
        """(column, group, ratio) of every group under four-fifths."""
        return [
            (name, str(row.group), float(row.impact_ratio))
            for name, table in self.tables.items()
            for row in table.itertuples()
            if row.flag
        ]


def _category(values: pd.Series) -> pd.Series:
    text = values.astype(str).str.strip()
    return text.where(~text.str.lower().isin(UNKNOWN_WORDS), None)


def _table(
    groups: pd.Series, selected: npt.NDArray[np.bool_], pool_rate: float, exclude_rare: bool
) -> pd.DataFrame:
    known = groups.notna().to_numpy()
    frame = pd.DataFrame({"group": groups[known].to_numpy(), "selected": selected[known]})
    table = frame.groupby("group", sort=True).agg(
        candidates=("selected", "size"), selected=("selected", "sum")
    )
    table = table.reset_index()
    table["selection_rate"] = table["selected"] / table["candidates"]
    table["share"] = table["candidates"] / max(int(known.sum()), 1)
    table["excluded"] = exclude_rare & (table["share"] < SMALL_SHARE)
    counted = table.loc[~table["excluded"], "selection_rate"]
    best = counted.max() if len(counted) else 0.0
    ratio = table["selection_rate"] / best if best > 0 else pd.Series(np.nan, index=table.index)
    table["impact_ratio"] = ratio.where(~table["excluded"])
    table["flag"] = np.where(table["impact_ratio"] < FOUR_FIFTHS, f"under {FOUR_FIFTHS:g}", "")
    expected = table["candidates"] * pool_rate
    table["small"] = (table["candidates"] < SMALL_GROUP) | (expected < SMALL_SELECTED)
    return table


def impact_report(
    demographics: pd.DataFrame,
    selected: npt.ArrayLike,
    columns: Sequence[str],
    selection: str,
    exclude_rare: bool = False,
) -> ImpactReport:
    """Impact ratios of ``selected`` (one bool per candidate) by each column of ``demographics``
    and by their intersection. ``selection`` says in words how candidates were selected.
    ``exclude_rare`` leaves categories under 2% of the known ones out of the ratios, as an LL144
    auditor may (they stay in the table, marked ``excluded``)."""
    chosen = np.asarray(selected, dtype=bool)
    if not columns:
        raise InputError("choose at least one demographic column for the impact report")
    missing = [c for c in columns if c not in demographics.columns]
    if missing:
        raise InputError(f"no demographic column '{missing[0]}'")
    if len(chosen) != len(demographics):
        raise InputError("the selection and the demographic data have different numbers of candidates")
    if len(chosen) == 0:
        raise InputError("no candidates to report on")
    pool_rate = float(chosen.mean())
    categories = {c: _category(demographics[c]) for c in columns}
    tables = {c: _table(g, chosen, pool_rate, exclude_rare) for c, g in categories.items()}
    unknown = {c: int(g.isna().sum()) for c, g in categories.items()}
    if len(columns) > 1:
        name = " × ".join(columns)
        parts = list(categories.values())
        joined = parts[0].astype(object)
        for part in parts[1:]:
            joined = joined + " × " + part.astype(object)
        tables[name] = _table(joined, chosen, pool_rate, exclude_rare)
        unknown[name] = int(joined.isna().sum())
    warnings = []
    if pool_rate in (0.0, 1.0):
        warnings.append(
            "everyone or no one was selected: impact ratios cannot show a difference; change the cut-off"
        )
    for name, table in tables.items():
        small = table.loc[table["small"], "group"].astype(str).tolist()
        if small:
            warnings.append(
                f"{name}: too few candidates for the ratio to mean much in {', '.join(small[:8])}"
                + (f" and {len(small) - 8} more" if len(small) > 8 else "")
                + f" (under {SMALL_GROUP} candidates or {SMALL_SELECTED} expected selections)"
            )
        rare = table.loc[table["share"] < SMALL_SHARE, "group"].astype(str).tolist()
        if rare:
            warnings.append(
                f"{name}: {', '.join(rare[:8])} under 2% of candidates with a known category "
                + (
                    "(left out of the impact ratios)"
                    if exclude_rare
                    else "(an LL144 audit may leave them out)"
                )
            )
    return ImpactReport(selection, tables, unknown, warnings)
