"""The code stays lint-clean, formatted and type-checked (the same checks a reviewer runs)."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], capture_output=True, text=True, cwd=ROOT, timeout=300, check=False
    )


def test_ruff_finds_nothing():
    done = _run("ruff", "check", ".")
    assert done.returncode == 0, done.stdout + done.stderr


def test_code_is_formatted():
    done = _run("ruff", "format", "--check", ".")
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_engine_type_checks():
    done = _run("mypy", "--no-error-summary")
    assert done.returncode == 0, done.stdout + done.stderr
