"""Where a number came from: the citation every fact in ``data/`` and ``rules/`` carries.

A value is either sourced (one or more URLs or documents and an ``as_of``
date) or an honest gap (``gap: true`` with a note saying what is missing).
``secondary`` and ``uncertain`` flags travel with the value all the way to
the screen, so a person can weigh a figure restated by a study-guide site
differently from one on the issuer's own page.
"""

from __future__ import annotations

import re
from typing import Annotated, Self

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, model_validator

_AS_OF = re.compile(r"^[0-9]{4}(-(0[1-9]|1[0-2]))?$")


def _as_of(value: str) -> str:
    if not _AS_OF.match(value):
        raise ValueError(f"'{value}' is not a year (YYYY) or month (YYYY-MM); quote it in YAML")
    return value


def _year_as_text(value: object) -> object:
    """``as_of: 2023`` (an unquoted year) means the string ``"2023"``."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


AsOf = Annotated[str, BeforeValidator(_year_as_text), AfterValidator(_as_of)]


class StrictModel(BaseModel):
    """Base for every file-backed model: unknown keys and loose types are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Cited(StrictModel):
    """Fields shared by every cited value."""

    source: list[str]
    as_of: AsOf
    note: str | None = None
    secondary: bool = False
    uncertain: bool = False
    gap: bool = False

    @model_validator(mode="after")
    def _sourced_or_gap(self) -> Self:
        if not self.gap and not self.source:
            raise ValueError("needs a source (or gap: true with a note saying what is missing)")
        if self.gap and not self.note:
            raise ValueError("a gap needs a note saying what is missing")
        return self
