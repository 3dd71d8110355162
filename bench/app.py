"""Benchmark: the app's time to first render and the median rerun after one widget change.

Run with ``python bench/app.py``. Both are measured with Streamlit's AppTest
(no browser), as medians over repeated runs so a noisy machine still gives a
stable figure. Targets (issue 3): first render under 2 s, rerun under 150 ms.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from ui import resources  # noqa: E402

APP = str(ROOT / "app.py")


COLD_START = """
import time, streamlit as st
from streamlit.testing.v1 import AppTest
st.config.set_option("runner.enforceSerializableSessionState", False)
start = time.perf_counter()
at = AppTest.from_file({app!r}, default_timeout=60).run()
print(time.perf_counter() - start, len(at.exception))
"""


def first_render(repeats: int) -> list[float]:
    """Each in a fresh process, so importing the engine and charts, loading the rules and
    the catalog and drawing the first page are all inside the timing."""
    times = []
    for _ in range(repeats):
        done = subprocess.run(
            [sys.executable, "-c", COLD_START.format(app=APP)],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        seconds, errors = done.stdout.split()
        if errors != "0":
            raise RuntimeError(f"the first render raised: {done.stderr[-2000:]}")
        times.append(float(seconds))
    return times


def reruns(repeats: int) -> dict[str, list[float]]:
    """One widget change per rerun: on an intake step, and on the results of a loaded example."""
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.button(key="example_load").click().run()
    intake, results = [], []
    at.radio(key="step").set_value("Work history").run()
    for i in range(repeats):
        start = time.perf_counter()
        at.text_input(key="w_experience_0_title").input(f"Medical Biller {i}").run()
        intake.append(time.perf_counter() - start)
    at.radio(key="step").set_value("Results").run()
    for i in range(repeats):
        start = time.perf_counter()
        at.radio(key="w_results_setting").set_value(("large_group", "small_practice")[i % 2]).run()
        results.append(time.perf_counter() - start)
        if at.exception:
            raise RuntimeError(f"the rerun raised: {at.exception}")
    replanned, ticked = [], []
    for i in range(repeats):
        st.cache_data.clear()  # nothing remembered: the whole plan is made again
        start = time.perf_counter()
        at.radio(key="w_results_setting").set_value(("large_group", "small_practice")[i % 2]).run()
        replanned.append(time.perf_counter() - start)
    first = next(c for c in at.checkbox if c.key and c.key.startswith("pick_"))
    for i in range(repeats):
        resources.picked.clear()  # the plan stays remembered (as in use); the what-if is made again
        box = at.checkbox(key=first.key)
        start = time.perf_counter()
        (box.check() if i % 2 == 0 else box.uncheck()).run()
        ticked.append(time.perf_counter() - start)
        if at.exception:
            raise RuntimeError(f"the rerun raised: {at.exception}")
    return {
        "intake step (edit a job title)": intake,
        "results (switch setting, plan remembered)": results,
        "results (switch setting, plan made again)": replanned,
        "results (tick an action: the what-if made again)": ticked,
    }


def main() -> None:
    st.config.set_option("runner.enforceSerializableSessionState", False)
    first = first_render(5)
    print(
        f"first render: median {statistics.median(first):.2f} s over {len(first)} cold starts "
        f"(target < 2 s: {statistics.median(first) / 2:.2f} of target)"
    )
    for name, times in reruns(20).items():
        median = statistics.median(times)
        print(
            f"rerun, {name}: median {median * 1e3:.0f} ms over {len(times)} "
            f"(target < 150 ms: {median / 0.150:.2f} of target)"
        )


if __name__ == "__main__":
    main()
