"""Benchmark: training the readiness model on the shipped panel, with its held-out evaluation.

Run with ``python bench/train.py``. Trains into a temporary folder (the shipped
model is not touched) a few times and prints the median time and the model's
size. Target (issue 5): under 60 s; the saved model under 5 MB.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from advisor.training import train_panel


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )
    times = []
    size = 0
    for _ in range(args.repeats):
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            report = train_panel(Path(tmp) / "model")
            times.append(time.perf_counter() - start)
            size = (report.directory / "model.npz").stat().st_size
    median = statistics.median(times)
    print(
        f"train on the panel (5-fold held-out evaluation + final fit): median {median:.1f} s over "
        f"{len(times)} runs (target < 60 s: {median / 60:.2f} of target)"
    )
    print(f"model file: {size / 1024:.0f} KB (target < 5 MB: {size / 5 / 1024 / 1024:.3f} of target)")


if __name__ == "__main__":
    main()
