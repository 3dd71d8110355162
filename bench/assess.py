"""Benchmark: one assessment, and scoring 100,000 profiles' facts.

Run with ``python bench/assess.py``. Prints medians (and p95 for single
assessments) so figures from a shared, noisy machine stay comparable; the
ratio to the target is measured in the same run.

Targets (issue 2): one assessment under 5 ms median; 100,000 rows of facts
scored under 2 s on the 2-core reference machine.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
import typing
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from advisor.catalog import load_catalog
from advisor.facts import derive_facts
from advisor.profile import EDUCATION_LEVELS, Profile, RoleFamily, Setting, load_profile, month_label
from advisor.rules import ruleset_for
from advisor.scoring import assess, score_facts

AS_OF = "2026-11"
NOW = 2026 * 12 + 10
ROOT = Path(__file__).resolve().parent.parent
LEVELS = list(EDUCATION_LEVELS[:5])
FIELDS = ["health administration", "business", "medical office administration", "biology"]
SETTINGS = list(typing.get_args(Setting))
FAMILIES = list(typing.get_args(RoleFamily))
DUTIES = [
    "scheduling",
    "billing",
    "coding",
    "payroll",
    "hiring",
    "staff_training",
    "budgeting",
    "compliance",
    "reporting",
    "vendor_management",
    "marketing",
]
SOFTWARE = ["Epic", "Kareo", "eClinicalWorks", "QuickBooks", "Microsoft Excel", "athenahealth", "Dentrix"]
CERTS = ["CMOM", "CPC", "CPB", "CMAA", "CMPE", "CRCR", "CHAM"]


def generated_profiles(n: int, seed: int = 7) -> list[Profile]:
    """Random but valid profiles (fixed seed), built without validation for speed."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        jobs = []
        for _ in range(rng.integers(0, 5)):
            start = int(rng.integers(NOW - 300, NOW))
            end = None if rng.random() < 0.3 else int(rng.integers(start, NOW + 1))
            jobs.append(
                {
                    "title": "Job",
                    "start": month_label(start),
                    "end": None if end is None else month_label(end),
                    "setting": SETTINGS[rng.integers(len(SETTINGS))],
                    "role_family": FAMILIES[rng.integers(len(FAMILIES))],
                    "supervisory": bool(rng.random() < 0.3),
                    "direct_reports": int(rng.integers(0, 12)),
                    "duties": list(rng.choice(DUTIES, size=int(rng.integers(0, 5)), replace=False)),
                }
            )
        data = {
            "education": [{"level": LEVELS[rng.integers(5)], "field": FIELDS[rng.integers(4)]}],
            "experience": jobs,
            "software": [
                {"name": s} for s in rng.choice(SOFTWARE, size=int(rng.integers(0, 4)), replace=False)
            ],
            "certifications": [
                {"code": c} for c in rng.choice(CERTS, size=int(rng.integers(0, 3)), replace=False)
            ],
            "knowledge": {"billing": ["none", "basic", "working", "expert"][rng.integers(4)]},
            "soft_skills": {"leadership": int(rng.integers(1, 6))},
        }
        out.append(Profile.model_validate(data))
    return out


def time_single(repeats: int) -> list[float]:
    profiles = [load_profile(p) for p in sorted((ROOT / "examples").glob("*.yaml"))]
    ruleset = ruleset_for("medical_office_manager")
    for p in profiles:  # warm up caches and code paths
        assess(p, as_of=AS_OF, ruleset=ruleset)
    times = []
    for i in range(repeats):
        profile = profiles[i % len(profiles)]
        start = time.perf_counter()
        assess(profile, setting="small_practice", as_of=AS_OF, ruleset=ruleset)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=500)
    parser.add_argument("--batch-repeats", type=int, default=5)
    args = parser.parse_args()

    print(
        f"machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )
    single = time_single(args.repeats)
    median, p95 = statistics.median(single), float(np.percentile(single, 95))
    print(
        f"one assessment: median {median * 1e3:.2f} ms, p95 {p95 * 1e3:.2f} ms "
        f"over {args.repeats} runs (target < 5 ms median: {median * 1e3 / 5:.2f} of target)"
    )

    catalog = load_catalog()
    ruleset = ruleset_for("medical_office_manager")
    start = time.perf_counter()
    profiles = generated_profiles(args.rows)
    build = time.perf_counter() - start
    start = time.perf_counter()
    facts = derive_facts(profiles, AS_OF, catalog)
    derive = time.perf_counter() - start
    print(f"{args.rows:,} generated profiles: built {build:.1f} s, facts derived in {derive:.2f} s")
    for setting in ("small_practice", "large_group"):
        runs = []
        for _ in range(args.batch_repeats):
            start = time.perf_counter()
            table = score_facts(ruleset, facts, setting)
            runs.append(time.perf_counter() - start)
        med = statistics.median(runs)
        bands = table["band"].value_counts().to_dict()
        print(
            f"score {args.rows:,} rows of facts ({setting}): median {med:.3f} s over "
            f"{args.batch_repeats} runs (target < 2 s: {med / 2:.2f} of target); bands {bands}"
        )


if __name__ == "__main__":
    main()
