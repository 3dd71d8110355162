"""A small, safe condition language, compiled once and evaluated on whole columns.

Conditions in rule and catalog files read like
``education_level >= bachelor or years_supervisory_medical_office >= 4``.

* **Safe.** The text is parsed into a syntax tree and only a closed set of
  node types is accepted: names, numbers, comparisons, ``and``/``or``/``not``,
  ``+ - * /`` and ``min``/``max``. Nothing is ever handed to ``eval``.
* **Checked at load time.** Unknown fact names get a "did you mean";
  a number used where a yes/no is needed is a type error, with its column.
* **Vectorized.** A compiled condition is a closure over NumPy arrays, so one
  profile and 100,000 profiles run the same code.
* **Honest about unknowns.** Missing evidence is ``NaN``. ``min`` of an
  unknown is unknown; ``max`` skips unknowns (the best value known). Comparisons with an
  unknown are unknown, and ``and``/``or``/``not`` follow Kleene's three-valued
  logic (``False and unknown`` is ``False``; ``True or unknown`` is ``True``).
  Truth values are floats: 1.0, 0.0 or NaN.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from advisor.errors import ExpressionError, suggest

Array = npt.NDArray[np.float64]
Columns = Mapping[str, Array]
Kind = Literal["number", "flag"]
_Eval = Callable[[Columns], Array | float]

MAX_LENGTH = 500


@dataclass(frozen=True)
class Expression:
    """A compiled condition or numeric expression."""

    text: str
    kind: Kind
    names: frozenset[str]
    _fn: _Eval

    def evaluate(self, columns: Columns, rows: int) -> Array:
        """Evaluate over ``rows`` rows; always returns a float array of that length."""
        out = np.asarray(self._fn(columns), dtype=float)
        return np.full(rows, float(out)) if out.ndim == 0 else out  # a constant: '1 < 2', 'true'


def kleene_and(a: Array | float, b: Array | float) -> Array:
    """Three-valued AND over 1 (true), 0 (false) and NaN (unknown): false wins over unknown.

    Flags are only ever 0, 1 or NaN (flag facts, comparisons, ``not``, ``and``, ``or``), which
    is what lets the minimum be the AND."""
    a_arr, b_arr = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    out = np.minimum(a_arr, b_arr)  # NaN where either is unknown ...
    return np.where((a_arr == 0.0) | (b_arr == 0.0), 0.0, out)  # ... unless the other is false


def kleene_or(a: Array | float, b: Array | float) -> Array:
    """Three-valued OR: true wins over unknown."""
    a_arr, b_arr = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    out = np.maximum(a_arr, b_arr)
    return np.where((a_arr == 1.0) | (b_arr == 1.0), 1.0, out)


_COMPARE: Mapping[type, Callable[[Array, Array], npt.NDArray[np.bool_]]] = {
    ast.GtE: np.greater_equal,
    ast.Gt: np.greater,
    ast.LtE: np.less_equal,
    ast.Lt: np.less,
    ast.Eq: np.equal,
    ast.NotEq: np.not_equal,
}
_ARITH: Mapping[type, Callable[[Array, Array], Array]] = {
    ast.Add: np.add,
    ast.Sub: np.subtract,
    ast.Mult: np.multiply,
    ast.Div: np.divide,
}


def _compare(op: type, a: Array | float, b: Array | float) -> Array:
    """A comparison that is unknown (NaN) where either side is."""
    a_arr, b_arr = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    with np.errstate(invalid="ignore"):
        result = _COMPARE[op](a_arr, b_arr).astype(float)
    unknown = (
        np.isnan(a_arr) if b_arr.ndim == 0 and not np.isnan(b_arr) else np.isnan(a_arr) | np.isnan(b_arr)
    )
    return np.where(unknown, np.nan, result)


class _Compiler:
    def __init__(self, text: str, facts: Mapping[str, Kind], constants: Mapping[str, float]) -> None:
        self.text = text
        self.facts = facts
        self.constants = constants
        self.names: set[str] = set()

    def fail(self, message: str, node: ast.AST | None = None) -> ExpressionError:
        column = getattr(node, "col_offset", None)  # 0-based in ast; reported 1-based
        return ExpressionError(message, None if column is None else column + 1)

    def compile(self, node: ast.AST) -> tuple[Kind, _Eval]:
        handler = getattr(self, f"_{type(node).__name__.lower()}", None)
        if handler is None:
            raise self.fail(f"'{ast.unparse(node)}' is not allowed in a condition", node)
        result: tuple[Kind, _Eval] = handler(node)
        return result

    def number(self, node: ast.AST) -> _Eval:
        _, fn = self.compile(node)  # yes/no values count as 1 and 0 in arithmetic
        return fn

    def flag(self, node: ast.AST) -> _Eval:
        kind, fn = self.compile(node)
        if kind != "flag":
            raise self.fail(
                f"'{ast.unparse(node)}' is a number, not a yes/no; compare it, "
                f"e.g. '{ast.unparse(node)} >= 1'",
                node,
            )
        return fn

    def _expression(self, node: ast.Expression) -> tuple[Kind, _Eval]:
        return self.compile(node.body)

    def _constant(self, node: ast.Constant) -> tuple[Kind, _Eval]:
        value = node.value
        if isinstance(value, bool):
            as_float = 1.0 if value else 0.0
            return "flag", lambda _c: as_float
        if isinstance(value, int | float):
            if abs(value) > 1e9:
                raise self.fail("a number in a condition must be under a billion", node)
            number = float(value)
            return "number", lambda _c: number
        raise self.fail(f"{value!r} is not allowed: only numbers and fact names", node)

    def _name(self, node: ast.Name) -> tuple[Kind, _Eval]:
        name = node.id
        if name in self.facts:
            self.names.add(name)
            return self.facts[name], lambda cols: cols[name]
        if name in self.constants:
            value = self.constants[name]
            return ("flag" if name in ("true", "false") else "number"), lambda _c: value
        hint = suggest(name, [*self.facts, *self.constants])
        raise self.fail(f"unknown fact '{name}'{hint}", node)

    def _boolop(self, node: ast.BoolOp) -> tuple[Kind, _Eval]:
        parts = [self.flag(v) for v in node.values]
        combine = kleene_and if isinstance(node.op, ast.And) else kleene_or

        def run(cols: Columns) -> Array:
            acc = parts[0](cols)
            for part in parts[1:]:
                acc = combine(acc, part(cols))
            return np.asarray(acc, dtype=float)

        return "flag", run

    def _unaryop(self, node: ast.UnaryOp) -> tuple[Kind, _Eval]:
        if isinstance(node.op, ast.Not):
            inner = self.flag(node.operand)
            return "flag", lambda cols: 1.0 - np.asarray(inner(cols), dtype=float)
        if isinstance(node.op, ast.USub):
            value = self.number(node.operand)
            return "number", lambda cols: -np.asarray(value(cols), dtype=float)
        raise self.fail(f"operator in '{ast.unparse(node)}' is not allowed", node)

    def _compare(self, node: ast.Compare) -> tuple[Kind, _Eval]:
        ops = [type(op) for op in node.ops]
        for op, right in zip(ops, node.comparators, strict=True):
            if op not in _COMPARE:
                raise self.fail("only <, <=, >, >=, == and != can compare values", right)
        operands = [self.number(n) for n in (node.left, *node.comparators)]

        def run(cols: Columns) -> Array:
            values = [fn(cols) for fn in operands]
            acc = _compare(ops[0], values[0], values[1])
            for i, op in enumerate(ops[1:], start=1):  # a chain: 1 < x <= 3
                acc = kleene_and(acc, _compare(op, values[i], values[i + 1]))
            return acc

        return "flag", run

    def _binop(self, node: ast.BinOp) -> tuple[Kind, _Eval]:
        op = type(node.op)
        if op not in _ARITH:
            raise self.fail(f"operator in '{ast.unparse(node)}' is not allowed", node)
        left, right, fn = self.number(node.left), self.number(node.right), _ARITH[op]

        def run(cols: Columns) -> Array:
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.asarray(fn(np.asarray(left(cols)), np.asarray(right(cols))), dtype=float)

        return "number", run

    def _call(self, node: ast.Call) -> tuple[Kind, _Eval]:
        if not isinstance(node.func, ast.Name) or node.func.id not in ("min", "max"):
            raise self.fail("only min(...) and max(...) may be called", node)
        if node.keywords or len(node.args) < 2:
            raise self.fail(f"{node.func.id}() takes two or more values", node)
        args = [self.number(a) for a in node.args]
        # max() is the best value known so far (unknowns are skipped: a lower bound);
        # min() of anything unknown stays unknown, so it never invents fit.
        reduce = np.minimum if node.func.id == "min" else np.fmax

        def run(cols: Columns) -> Array:
            acc = np.asarray(args[0](cols), dtype=float)
            for fn in args[1:]:
                acc = reduce(acc, np.asarray(fn(cols), dtype=float))
            return acc

        return "number", run


def compile_expression(
    text: str,
    facts: Mapping[str, Kind],
    constants: Mapping[str, float],
    want: Kind | None = "flag",
) -> Expression:
    """Parse and type-check ``text``; raise :class:`ExpressionError` if it is not valid.

    ``facts`` maps each allowed fact name to its kind. ``want`` is the kind the
    caller needs (``"flag"`` for a condition, ``None`` for anything).

    >>> e = compile_expression("x >= 2 and y", {"x": "number", "y": "flag"}, {})
    >>> e.evaluate({"x": np.array([1.0, 3.0, np.nan]), "y": np.array([1.0, 1.0, 0.0])}, 3).tolist()
    [0.0, 1.0, 0.0]
    """
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError("a condition cannot be empty")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"a condition must be under {MAX_LENGTH} characters")
    source = " ".join(text.split())
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        reason = (exc.msg or "invalid syntax").split(". Maybe")[0]
        hint = " (write 'and', 'or', 'not' and '==')" if any(t in source for t in ("&&", "||", "!")) else ""
        raise ExpressionError(f"syntax error: {reason}{hint}", max(exc.offset or 1, 1)) from None
    compiler = _Compiler(source, facts, constants)
    kind, fn = compiler.compile(tree)
    if want == "flag" and kind != "flag":
        raise ExpressionError(f"'{source}' is a number, not a yes/no condition; compare it, e.g. '>= 1'")
    return Expression(source, kind, frozenset(compiler.names), fn)
