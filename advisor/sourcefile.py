"""Strict reading of YAML and JSON files, with a line for every value.

Every file the engine reads (profiles, rules, catalog) goes through here so
that all of them share the same guarantees:

* YAML is read with a ``SafeLoader`` subclass that refuses duplicate keys,
  aliases and merge keys (silent last-key-wins and alias bombs are the two
  hazards ``safe_load`` does not stop).
* The position of every key and list item is kept, so a validation error can
  be reported as ``path:line: field: message``.
* Pydantic validation errors are turned into :class:`~advisor.errors.Problem`
  objects, with a "did you mean" for misspelt field names and enum values.
"""

from __future__ import annotations

import json
import re
import types
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from advisor.errors import DataFileError, Problem, suggest

Loc = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)
Format = Literal["yaml", "json"]

MAX_FILE_BYTES = 2_000_000
"""Refuse anything bigger before parsing: rule and profile files are small."""


@dataclass(frozen=True)
class Document:
    """Parsed file content plus the 1-based line of each location in it."""

    path: str
    data: Any
    lines: Mapping[Loc, int] = field(default_factory=dict)

    def problem(self, loc: Loc, message: str, field: str | None = None) -> Problem:
        """A problem at ``loc`` in this document (``field`` defaults to the location)."""
        return Problem(self.path, self.line_of(loc), format_loc(loc) if field is None else field, message)

    def line_of(self, loc: Iterable[str | int]) -> int | None:
        """Line of ``loc``, or of its nearest located ancestor."""
        parts = tuple(loc)
        while True:
            if parts in self.lines:
                return self.lines[parts]
            if not parts:
                return None
            parts = parts[:-1]


class _StrictnessError(yaml.MarkedYAMLError):
    """Valid YAML that these files still refuse (duplicates, aliases, merges)."""


_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's C parser when PyYAML has it (ten times faster); the pure-Python one otherwise."""


class _StrictLoader(_Loader):
    """A safe loader that rejects duplicate keys, aliases and merge keys."""

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _StrictnessError(
                problem="aliases (*name) are not allowed in these files",
                problem_mark=event.start_mark,
            )
        return super().compose_node(parent, index)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise _StrictnessError(
                    problem="merge keys (<<) are not allowed in these files",
                    problem_mark=key_node.start_mark,
                )
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise _StrictnessError(
                    problem="a mapping key must be a plain value",
                    problem_mark=key_node.start_mark,
                ) from None
            line = key_node.start_mark.line + 1
            if key in seen:
                raise _StrictnessError(
                    problem=f"duplicate key '{key}' (first at line {seen[key]})",
                    problem_mark=key_node.start_mark,
                )
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


def _refuse_aliases(root: yaml.Node | None) -> None:
    """An alias makes two places share one node: refuse the file at the first place that refers
    back to a node already seen, in document order.

    (The C parser composes aliases without a hook; walking the nodes once finds them, and
    stops at the first, so an alias bomb costs nothing.)"""
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, yaml.Mark]] = [(root, root.start_mark)] if root is not None else []
    while stack:
        node, where = stack.pop()
        if id(node) in seen:
            raise _StrictnessError(
                problem="aliases (*name) are not allowed in these files", problem_mark=where
            )
        seen.add(id(node))
        children: list[tuple[yaml.Node, yaml.Mark]] = []
        if isinstance(node, yaml.MappingNode):
            children = [(n, key.start_mark) for key, value in node.value for n in (key, value)]
        elif isinstance(node, yaml.SequenceNode):
            children = [
                (item, item.start_mark if id(item) not in seen else node.start_mark) for item in node.value
            ]
        stack.extend(reversed(children))  # popped in document order


def _index_lines(node: yaml.Node | None, loc: Loc, lines: dict[Loc, int]) -> None:
    if node is None:
        return
    lines.setdefault(loc, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
            lines[(*loc, key)] = key_node.start_mark.line + 1
            _index_lines(value_node, (*loc, key), lines)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index_lines(item, (*loc, i), lines)


def _yaml_problem(path: str, exc: yaml.YAMLError) -> Problem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else None
    message = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    if context and message != context:
        message = f"{message} ({context})"
    prefix = "" if isinstance(exc, _StrictnessError) else "YAML syntax: "
    return Problem(path, line, "", f"{prefix}{message}")


def _parse_yaml(text: str, path: str) -> Document:
    loader = _StrictLoader(text)
    try:
        node = loader.get_single_node()
        _refuse_aliases(node)
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        raise DataFileError([_yaml_problem(path, exc)]) from None
    finally:
        loader.dispose()
    lines: dict[Loc, int] = {}
    _index_lines(node, (), lines)
    return Document(path, data, lines)


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key '{key}'")
        out[key] = value
    return out


def _parse_json(text: str, path: str) -> Document:
    try:
        data = json.loads(text, object_pairs_hook=_refuse_duplicates)
    except json.JSONDecodeError as exc:
        raise DataFileError([Problem(path, exc.lineno, "", f"JSON syntax: {exc.msg}")]) from None
    except ValueError as exc:
        # A duplicate key: YAML's parser of the same text usually knows its line.
        try:
            _parse_yaml(text, path)
        except DataFileError as located:
            if "duplicate key" in str(located):
                raise located from None
        raise DataFileError([Problem(path, None, "", str(exc))]) from None
    lines: dict[Loc, int] = {}
    try:  # JSON is (almost always) valid YAML, which gives us positions for free.
        _index_lines(yaml.compose(text, Loader=yaml.SafeLoader), (), lines)
    except yaml.YAMLError:
        lines = {}
    return Document(path, data, lines)


def format_of(path: str | Path) -> Format:
    """Guess ``json`` or ``yaml`` from a file name (YAML by default)."""
    return "json" if str(path).lower().endswith(".json") else "yaml"


MAX_DEPTH = 50
"""Deeper nesting than this is refused: no real profile or rules file needs it."""


def _depth_problem(text: str, path: str) -> Problem | None:
    """Refuse absurd nesting before a recursive parser overflows the stack."""
    depth = deepest = 0
    for ch in text:
        if ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth = max(depth - 1, 0)
    indent = max((len(line) - len(line.lstrip(" ")) for line in text.splitlines()), default=0)
    if deepest > MAX_DEPTH or indent > 2 * MAX_DEPTH * 4:
        return Problem(path, None, "", f"nested more than {MAX_DEPTH} levels deep")
    return None


def _hint(text: str, fmt: Format) -> str:
    """A plain-words hint for the commonest syntax slips."""
    if fmt == "json" and ("//" in text or "/*" in text):
        return " (JSON does not allow comments)"
    if fmt == "yaml" and "\t" in text:
        return " (indent with spaces, not tabs)"
    return ""


def parse_document(text: str, path: str, fmt: Format | None = None) -> Document:
    """Parse ``text`` (shown to users as ``path``) strictly as YAML or JSON."""
    kind: Format = fmt or format_of(path)
    if len(text.encode("utf-8", errors="replace")) > MAX_FILE_BYTES:
        raise DataFileError([Problem(path, None, "", f"file is larger than {MAX_FILE_BYTES:,} bytes")])
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise DataFileError([Problem(path, None, "", "the file is empty")])
    too_deep = _depth_problem(text, path)
    if too_deep is not None:
        raise DataFileError([too_deep])
    try:
        return (_parse_json if kind == "json" else _parse_yaml)(text, path)
    except DataFileError as exc:
        hint = _hint(text, kind)
        if not hint or len(exc.problems) != 1:
            raise
        first = exc.problems[0]
        raise DataFileError([Problem(first.path, first.line, first.field, first.message + hint)]) from None
    except RecursionError:
        raise DataFileError([Problem(path, None, "", f"nested more than {MAX_DEPTH} levels deep")]) from None


def decode_document(data: bytes, path: str, fmt: Format | None = None) -> Document:
    """Parse raw bytes (a file or an upload): strict UTF-8, a byte-order mark allowed."""
    if len(data) > MAX_FILE_BYTES:
        raise DataFileError([Problem(path, None, "", f"file is larger than {MAX_FILE_BYTES:,} bytes")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataFileError([Problem(path, None, "", "not UTF-8 text")]) from None
    return parse_document(text, path, fmt)


def read_bytes(path: str | Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """A file's bytes; a missing file, a directory or one over ``limit`` bytes is a problem."""
    shown = str(path)
    try:
        if Path(path).stat().st_size > limit:
            raise DataFileError([Problem(shown, None, "", f"file is larger than {limit:,} bytes")])
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise DataFileError([Problem(shown, None, "", "file not found")]) from None
    except IsADirectoryError:
        raise DataFileError([Problem(shown, None, "", "is a directory, not a file")]) from None
    except OSError as exc:
        raise DataFileError([Problem(shown, None, "", exc.strerror or "cannot read file")]) from None


def read_document(path: str | Path) -> Document:
    """Read and parse a file, turning I/O and encoding failures into problems."""
    return decode_document(read_bytes(path), str(path))


# --- pydantic errors -> problems ---------------------------------------------------------


def format_loc(loc: Iterable[str | int]) -> str:
    """``('experience', 2, 'start')`` -> ``experience[2].start``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _unwrap(annotation: Any) -> list[Any]:
    """The concrete types inside Optional/Union/Annotated."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [t for arg in typing.get_args(annotation) for t in _unwrap(arg)]
    return [annotation]


def _model_at(model: type[BaseModel], loc: Loc) -> type[BaseModel] | None:
    """The pydantic model class found by following ``loc`` from ``model``."""
    current: Any = model
    for part in loc:
        candidates = _unwrap(current)
        nxt: Any = None
        for cand in candidates:
            origin = typing.get_origin(cand)
            if isinstance(part, int) and origin in (list, tuple):
                nxt = typing.get_args(cand)[0]
            elif isinstance(part, str) and origin is dict:
                nxt = typing.get_args(cand)[1]
            elif isinstance(part, str) and isinstance(cand, type) and issubclass(cand, BaseModel):
                info = cand.model_fields.get(part)
                nxt = info.annotation if info is not None else None
            if nxt is not None:
                break
        if nxt is None:
            return None
        current = nxt
    for cand in _unwrap(current):
        if isinstance(cand, type) and issubclass(cand, BaseModel):
            return cand
    return None


def _message(error: Mapping[str, Any], model: type[BaseModel]) -> str:
    kind = error["type"]
    loc = tuple(error["loc"])
    if kind == "extra_forbidden" and loc:
        parent = _model_at(model, loc[:-1])
        allowed = list(parent.model_fields) if parent is not None else []
        return f"unknown field '{loc[-1]}'" + suggest(str(loc[-1]), allowed)
    if kind == "literal_error" and loc == ("schema_version",):
        expected = error.get("ctx", {}).get("expected", "")
        return f"schema_version {error.get('input')} is not supported; this engine reads {expected}"
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        choices = [c.strip().strip("'") for c in expected.replace(" or ", ", ").split(",") if c.strip()]
        shown = error.get("input")
        return f"'{shown}' is not one of: {', '.join(choices)}" + suggest(str(shown), choices)
    if kind == "missing":
        return "required field is missing"
    message = str(error["msg"])
    return message.removeprefix("Value error, ")


_UNION_TAG = re.compile(r"[\[\],-]|^(float|int|str|bool|dict|list|none)$")


def _is_tag(part: str | int) -> bool:
    """Pydantic names the union branch it tried inside ``loc``; those are not fields."""
    return isinstance(part, str) and bool(_UNION_TAG.search(part))


def problems_from(
    exc: ValidationError, doc: Document, model: type[BaseModel], prefix: Loc = ()
) -> list[Problem]:
    """Every pydantic error as a located problem, one per place, in file order.

    When a value may take several shapes (a number or a mapping), pydantic
    reports one error per shape; the one about the value's own shape is kept.
    ``prefix`` locates a part validated on its own (``("rules", 3)``).
    """
    grouped: dict[Loc, list[Mapping[str, Any]]] = {}
    for err in exc.errors(include_url=False):
        rel = tuple(part for part in err["loc"] if not _is_tag(part))
        grouped.setdefault(rel, []).append({**err, "loc": rel})
    problems = []
    for rel, errors in grouped.items():
        relevant = [e for e in errors if not str(e["type"]).endswith("_type")] or errors
        message = "; or ".join(dict.fromkeys(_message(e, model) for e in relevant))
        problems.append(doc.problem(prefix + rel, message))
    return sorted(problems, key=lambda p: p.line or 0)


def validate_document(doc: Document, model: type[M], error: type[DataFileError] = DataFileError) -> M:
    """Validate ``doc.data`` as ``model`` or raise ``error`` with every problem."""
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        raise error(problems_from(exc, doc, model)) from None
