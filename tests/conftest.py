"""Shared fixtures: the shipped catalog and rules, the examples and the reference panel."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from advisor.catalog import Catalog, load_catalog
from advisor.profile import Profile, load_profile
from advisor.rules import RuleSet, ruleset_for

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
TRAINING = ROOT / "data" / "training"
AS_OF = "2026-11"

logging.getLogger("streamlit").setLevel(logging.ERROR)


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="session")
def mom() -> RuleSet:
    return ruleset_for("medical_office_manager")


def example(name: str) -> Profile:
    """Load ``examples/<name>.yaml`` as of the fixed test date."""
    return load_profile(EXAMPLES / f"{name}.yaml", as_of=AS_OF)


@pytest.fixture(scope="session")
def panel() -> tuple[list[Profile], dict[str, dict]]:
    """The 240 reference profiles and the two raters' labels."""
    profiles = [
        Profile.model_validate(json.loads(line))
        for line in (TRAINING / "labeled_profiles.jsonl").read_text().splitlines()
    ]
    labels = {}
    for line in (TRAINING / "labels.jsonl").read_text().splitlines():
        record = json.loads(line)
        labels[record["id"]] = record
    return profiles, labels
