"""Benchmark: screen 100,000 candidates, CSV in to ranked CSV out, against pandas alone.

Run with ``python bench/screen.py`` (``--rows N``, ``--repeats K``). Generates
realistic candidate rows (years by kind that nest, credentials, software,
titles, some blanks and demographic columns), then times, each in a fresh
process so peak memory is the run's own:

* ``screen``: ``screen_file`` (chunked read, facts, rules, model, knockouts,
  reasons, ranking) and the CSV export written to disk, end to end;
* ``pandas``: ``pandas.read_csv`` of the same file and ``to_csv`` of it, the
  floor any tool reading and writing that file pays;
* ``careful``: ``screen`` on the same file with one malformed row (too many
  cells) appended, which sends it to the careful reader instead of Arrow's.

Prints medians, the ratio of the two, the time of a second run in the same process
(rules, catalog and title classifier loaded: a running app or Dask worker), and
each process's peak resident memory.
Targets (issue 7): under 10 s for 100,000 rows on this 2-core machine, under 3x
the pandas time, and under 1.5 GB peak.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CERTS = ["CPC", "CPB", "CMM", "CMOM", "CMAA", "CRCR", "CPPM", "CMPE", "CPC; CMM", "none", ""]
SOFTWARE = [
    "Epic",
    "Excel (advanced)",
    "Kareo; Excel",
    "athenahealth",
    "eClinicalWorks; QuickBooks",
    "none",
    "",
]
TITLES = [
    "Front Desk Coord.",
    "Billing Lead",
    "Office Manager",
    "Practice Admin",
    "Pt Access Rep II",
    "Receptionist",
]
DUTIES = ["scheduling; billing", "hiring; training; payroll", "billing; coding", "budgeting; compliance", ""]
EDUCATION = ["high_school", "certificate", "associate", "bachelor", "master", ""]
FIELDS = ["Health administration", "Business", "Medical office administration", "Biology", ""]


def make_pool(rows: int, path: Path, seed: int = 7) -> None:
    """Write ``rows`` generated candidates to ``path`` (deterministic for a seed)."""
    rng = np.random.default_rng(seed)
    experience = rng.gamma(2.0, 4.0, rows).round(1).clip(0, 40)
    healthcare = (experience * rng.uniform(0, 1, rows)).round(1)
    office = (healthcare * rng.uniform(0, 1, rows)).round(1)
    supervisory = (experience * rng.uniform(0, 0.6, rows)).round(1)
    manage = (supervisory * rng.uniform(0, 0.8, rows)).round(1)

    def blank(values: np.ndarray, share: float = 0.1) -> np.ndarray:
        out = values.astype(object)
        out[rng.uniform(size=rows) < share] = ""
        return out

    frame = pd.DataFrame(
        {
            "candidate_id": [f"C{i:07d}" for i in range(rows)],
            "name": [f"Candidate {i}" for i in range(rows)],
            "education_level": rng.choice(EDUCATION, rows),
            "education_field": rng.choice(FIELDS, rows),
            "years_experience": blank(experience),
            "years_healthcare": blank(healthcare),
            "years_medical_office": blank(office),
            "years_supervisory": blank(supervisory),
            "years_supervisory_healthcare": blank((supervisory * rng.uniform(0, 1, rows)).round(1)),
            "years_management_healthcare": blank(manage),
            "years_billing_coding": blank((healthcare * rng.uniform(0, 0.5, rows)).round(1)),
            "direct_reports": blank(rng.integers(0, 15, rows), 0.3),
            "job_titles": rng.choice(TITLES, rows),
            "duties": rng.choice(DUTIES, rows),
            "certifications": rng.choice(CERTS, rows),
            "software": rng.choice(SOFTWARE, rows),
            "knowledge_billing": rng.choice(["none", "basic", "working", "expert", ""], rows),
            "Sex": rng.choice(["F", "M", ""], rows),
            "Race": rng.choice(["A", "B", "C", "D", ""], rows),
        }
    )
    frame.to_csv(path, index=False)


CHILD = {
    "screen": """
import sys, time, resource
sys.path.insert(0, {root!r})
from advisor.screening import Rubric, export_csv, screen_file
def once():
    start = time.perf_counter()
    result = screen_file({path!r}, Rubric(knockouts=["years_supervisory >= 1"]), carry=["Sex", "Race"])
    open({out!r}, "wb").write(export_csv(result))
    return time.perf_counter() - start, len(result.ranked)
cold, rows = once()
warm, _ = once()  # the same process again: rules, catalog and title classifier already loaded
print(cold, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, rows, warm)
""",
    "pandas": """
import time, resource
import pandas as pd
start = time.perf_counter()
frame = pd.read_csv({path!r}, dtype=str, keep_default_na=False)
frame.to_csv({out!r}, index=False)
elapsed = time.perf_counter() - start
print(elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, len(frame), elapsed)
""",
}


def run(kind: str, path: Path, out: Path) -> tuple[float, int, int, float]:
    """One timed run in a fresh process: seconds, peak bytes, rows, and seconds of a second run."""
    code = CHILD["screen" if kind == "careful" else kind].format(root=str(ROOT), path=str(path), out=str(out))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    seconds, peak, rows, again = done.stdout.split()
    return float(seconds), int(peak), int(rows), float(again)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        pool = Path(tmp) / "candidates.csv"
        make_pool(args.rows, pool)
        size = pool.stat().st_size
        irregular = Path(tmp) / "irregular.csv"
        irregular.write_bytes(pool.read_bytes() + b",".join([b"X"] * 30) + b"\n")
        times: dict[str, list[float]] = {"screen": [], "pandas": [], "warm": [], "careful": []}
        peaks: dict[str, int] = {"screen": 0, "pandas": 0, "careful": 0}
        for _ in range(args.repeats):
            for kind in ("pandas", "screen", "careful"):  # interleaved: all see the same machine load
                source = irregular if kind == "careful" else pool
                seconds, peak, rows, again = run(kind, source, Path(tmp) / f"{kind}.csv")
                if rows != args.rows:
                    raise SystemExit(f"{kind}: {rows:,} rows came out of {args.rows:,}")
                times[kind].append(seconds)
                if kind == "screen":
                    times["warm"].append(again)
                peaks[kind] = max(peaks[kind], peak)
        screen, floor = statistics.median(times["screen"]), statistics.median(times["pandas"])
        print(f"{args.rows:,} candidates, {size / 1024**2:.1f} MB of CSV, {args.repeats} runs each, medians:")
        print(
            f"  screen, CSV in to ranked CSV out: {screen:6.2f} s   (target < 10 s: {screen / 10:.2f} of it)"
        )
        warm = statistics.median(times["warm"])
        print(f"  the same, second run in-process: {warm:6.2f} s   (ratio to pandas {warm / floor:.2f})")
        careful = statistics.median(times["careful"])
        ratio = careful / floor
        print(f"  one malformed row (careful):     {careful:6.2f} s   (ratio to pandas {ratio:.2f})")
        print(f"  pandas read_csv + to_csv alone:  {floor:6.2f} s")
        print(f"  ratio screen / pandas:           {screen / floor:6.2f}   (target < 3)")
        print(f"  peak memory, screen:  {peaks['screen'] / 1024**2:7.0f} MB   (target < 1,536 MB)")
        print(f"  peak memory, pandas:  {peaks['pandas'] / 1024**2:7.0f} MB")
        if args.json:
            print(json.dumps({"times": times, "peaks": peaks, "rows": args.rows, "bytes": size}))


if __name__ == "__main__":
    main()
