"""Project-wide promises: the engine stands alone, stays private and is configured safely."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
import tomllib

import advisor
from tests.conftest import ROOT

ALL_MODULES = sorted(
    f"advisor.{m.name}" for m in pkgutil.iter_modules(advisor.__path__) if m.name != "__main__"
)


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120, check=False
    )


def test_the_engine_never_imports_streamlit():
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in ALL_MODULES)
        + "assert 'streamlit' not in sys.modules, 'streamlit was imported'\nprint('ok')"
    )
    done = _python(code)
    assert done.returncode == 0, done.stderr
    assert len(ALL_MODULES) >= 10


def test_an_assessment_makes_no_network_calls():
    code = (
        "import socket\n"
        "def refuse(*a, **k):\n    raise RuntimeError('network used')\n"
        "socket.socket.connect = refuse\nsocket.create_connection = refuse\nsocket.getaddrinfo = refuse\n"
        "from advisor.profile import load_profile\nfrom advisor.scoring import assess\n"
        "p = load_profile('examples/practice_administrator.yaml')\n"
        "print(assess(p, setting='hospital', as_of='2026-11').band)\n"
    )
    done = _python(code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ready"


def test_streamlit_config_turns_telemetry_off_and_binds_locally():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["browser"]["gatherUsageStats"] is False
    assert config["server"]["address"] == "127.0.0.1"
    assert config["client"]["showErrorDetails"] == "none"


def test_no_validation_by_assert_in_the_engine():
    offenders = [
        p.name
        for p in (ROOT / "advisor").glob("*.py")
        if "\n    assert " in p.read_text() or "\nassert " in p.read_text()
    ]
    assert offenders == []


def test_every_rules_file_declares_a_schema_version():
    for path in (ROOT / "rules").glob("*.yaml"):
        assert "\nschema_version: 1\n" in path.read_text(), path


def test_runtime_requirements_are_pinned():
    for name in ("requirements.txt", "requirements-dev.txt"):
        for line in (ROOT / name).read_text().splitlines():
            line = line.split("#")[0].strip()
            if line and not line.startswith("-r"):
                assert "==" in line, f"{name}: {line} is not pinned"


def test_the_pages_hold_no_scoring_logic():
    import ast

    forbidden_modules = {"advisor.facts", "advisor.expression"}
    forbidden_calls = {"evaluate_rules", "score_facts", "derive_facts", "derive_fact_bounds", "band_of"}
    for path in [ROOT / "app.py", *(ROOT / "ui").rglob("*.py")]:
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert node.module not in forbidden_modules, f"{path.name} imports {node.module}"
                assert not {a.name for a in node.names} & forbidden_calls, f"{path.name} imports scoring"
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in forbidden_calls, f"{path.name} calls {node.func.id}"


def test_the_app_entry_point_is_thin():
    code = (ROOT / "app.py").read_text()
    assert (
        len([line for line in code.splitlines() if line.strip() and not line.lstrip().startswith("#")]) < 25
    )
    assert "advisor" not in code  # the entry point wires pages; the engine is called from ui/
