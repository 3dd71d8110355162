"""Benchmark: the counselor workspace. Run with ``python bench/clients.py``.

Times, on a fresh SQLite store in a temporary folder: adding a client, assessing
and keeping it (plan included), adding a note, listing 1,000 clients with a name
search, exporting them all, and rendering the PDF and HTML reports. Prints
medians of the repeated operations.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from advisor.printout import render_pdf  # noqa: E402
from advisor.profile import load_profile  # noqa: E402
from advisor.progress import assess_client  # noqa: E402
from advisor.report import render_html  # noqa: E402
from advisor.store import Store  # noqa: E402


def timed(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    profile = load_profile(ROOT / "examples" / "front_desk_lead.yaml", as_of="2026-11")
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(f"sqlite:///{tmp}/bench.db")
        counter = iter(range(10**9))
        add = timed(lambda: store.create_client(f"Client {next(counter)}", profile), 200)
        while len(store.clients()) < 1000:
            store.create_client(f"Client {next(counter)}", profile)
        client = store.clients()[0]
        assess = timed(lambda: assess_client(store, client.id, "2026-11"), 10)
        note = timed(lambda: store.add_note(client.id, "A visit note."), 100)
        listing = timed(lambda: store.clients("client 9"), 20)
        export = timed(store.export, 3)
        latest = store.assessments(client.id)[-1].assessment()
        pdf = timed(lambda: render_pdf(latest, "Client", notes=[("2026-11-28", "note", "x")]), 10)
        html = timed(lambda: render_html(latest, name="Client"), 10)
        store.close()
    print("counselor workspace, SQLite, medians:")
    print(f"  add a client:                        {add * 1000:7.1f} ms")
    print(f"  assess a client and keep it (plan):  {assess * 1000:7.1f} ms")
    print(f"  add a note:                          {note * 1000:7.1f} ms")
    print(f"  search 1,000 clients by name:        {listing * 1000:7.1f} ms")
    print(f"  export 1,000 clients (with history): {export * 1000:7.1f} ms")
    print(f"  render the PDF report:               {pdf * 1000:7.1f} ms")
    print(f"  render the HTML report:              {html * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
