"""The one exception tree of the engine.

Every error a user can cause (a bad profile, a broken rules file, a bad
command-line argument) is an :class:`AdvisorError`, so the CLI and the app can
turn it into a readable message in one place and never show a traceback.

File problems are collected, not raised one at a time: a :class:`Problem`
says ``path:line: field: message`` and a :class:`DataFileError` carries all
of them, so a person fixing a file sees every mistake at once.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located as precisely as we can."""

    path: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        text = f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        return text.replace("\r", "\\r").replace("\n", "\\n")  # always one line


class AdvisorError(Exception):
    """Root of every error the engine raises on purpose."""


class InputError(AdvisorError):
    """A value supplied by a user (argument, date, choice) is not acceptable."""


class DataFileError(AdvisorError):
    """A file (profile, rules, catalog) could not be loaded; carries every problem found."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ProfileError(DataFileError):
    """A candidate profile does not follow the interchange format."""


class RuleFileError(DataFileError):
    """A rules file is malformed, refers to unknown facts, or breaks the schema."""


class CatalogError(DataFileError):
    """A knowledge-catalog file under ``data/`` is malformed."""


class ModelError(DataFileError):
    """A saved model is missing, corrupted, or does not match this engine (features, versions)."""


class OutcomesError(DataFileError):
    """An organization's outcomes file cannot train a model (columns, rows, classes)."""


class ExpressionError(AdvisorError):
    """A condition in the rule language does not parse or does not type-check.

    ``column`` is 1-based within the expression text, when known.
    """

    def __init__(self, message: str, column: int | None = None) -> None:
        self.message = message
        self.column = column
        super().__init__(message if column is None else f"{message} (at column {column})")


def suggest(name: str, choices: Sequence[str] | Iterable[str]) -> str:
    """Return ``" (did you mean 'x'?)"`` for a near-miss name, or ``""``.

    Used by every loader so a typo in a fact, field or enum value points at
    the intended spelling.
    """
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
