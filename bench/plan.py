"""Benchmark: a full plan (assessment, recommendations, eligibility, roadmap, ladder) per profile.

Run with ``python bench/plan.py``. Every example profile is planned for the
small practice and the hospital, several times each; the median over all runs
is the figure, and the slowest profile's median is printed too, so one unusual
profile cannot hide. The ratio to the target is measured in the same run.

Target (issue 4): under 100 ms median for a typical profile.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from advisor.goals import Goals
from advisor.plan import advise, what_if
from advisor.profile import load_profile

AS_OF = "2026-11"
ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 100.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5, help="runs per profile and setting")
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )
    paths = sorted((ROOT / "examples").glob("*.yaml"))
    profiles = {p.stem: load_profile(p, as_of=AS_OF) for p in paths}
    all_runs: list[float] = []
    per_profile: dict[str, float] = {}
    for name, profile in profiles.items():
        for setting in ("small_practice", "hospital"):
            goals = Goals(setting=setting)
            advise(profile, goals, AS_OF)  # warm the caches (rules, catalog, actions)
            runs = []
            for _ in range(args.repeats):
                start = time.perf_counter()
                advise(profile, goals, AS_OF)
                runs.append(time.perf_counter() - start)
            all_runs += runs
            per_profile[f"{name} ({setting})"] = statistics.median(runs)
    median = statistics.median(all_runs) * 1e3
    worst_name, worst = max(per_profile.items(), key=lambda item: item[1])
    print(
        f"full plan: median {median:.1f} ms over {len(all_runs)} runs of {len(per_profile)} profile-settings "
        f"(target < {TARGET_MS:.0f} ms: {median / TARGET_MS:.2f} of target)"
    )
    print(f"slowest profile: {worst_name}, median {worst * 1e3:.1f} ms")

    profile = profiles["front_desk_lead"]
    picked = ["cert:CMOM", "duty:hiring", "course:management"]
    what_if(profile, Goals(), picked, AS_OF)
    runs = []
    for _ in range(args.repeats * 4):
        start = time.perf_counter()
        what_if(profile, Goals(), picked, AS_OF)
        runs.append(time.perf_counter() - start)
    print(
        f"what-if with 3 picked actions: median {statistics.median(runs) * 1e3:.1f} ms over {len(runs)} runs"
    )


if __name__ == "__main__":
    main()
