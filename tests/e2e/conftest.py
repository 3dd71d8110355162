"""Start the app the way the README does and drive it in Debian's headless Chromium."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.e2e


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


ARTIFACTS = Path(os.environ.get("E2E_ARTIFACTS", ROOT / "test-artifacts" / "e2e"))
"""Screenshots and downloads from the browser tests land here (git-ignored)."""


def _need_chromium() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("ADVISOR_REQUIRE_BROWSER") == "1":
        pytest.fail("Debian chromium is required here (ADVISOR_REQUIRE_BROWSER=1) but not installed")
    pytest.skip("Debian chromium is not installed (apt-get install -y chromium)")


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def app_url(tmp_path_factory) -> Iterator[str]:
    _need_chromium()
    port = _free_port()
    data = tmp_path_factory.mktemp("advisor-data")  # the Clients page's database, thrown away after
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {"ADVISOR_DATA_DIR": str(data)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--server.port",
            str(port),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:  # noqa: S310
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.3)
        else:
            pytest.fail("streamlit did not become healthy within 60 s")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    _need_chromium()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        yield b
        b.close()


def open_app(browser, url: str, width: int, height: int):
    """A fresh browser context on the app, waiting until the first page has rendered."""
    context = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True)
    page = context.new_page()
    page.goto(url)
    page.get_by_text("Am I ready to be a medical office manager?").first.wait_for(timeout=30_000)
    return context, page


@pytest.fixture
def page(browser, app_url):
    context, pg = open_app(browser, app_url, 1280, 1600)
    yield pg
    context.close()


@pytest.fixture
def phone(browser, app_url):
    context, pg = open_app(browser, app_url, 390, 2400)
    yield pg
    context.close()
