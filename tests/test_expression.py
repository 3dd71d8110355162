"""The condition language: safe, typed, vectorized, three-valued."""

from __future__ import annotations

import re

import numpy as np
import pytest

from advisor.errors import ExpressionError
from advisor.expression import compile_expression

FACTS = {"years": "number", "level": "number", "cert": "flag", "other": "flag"}
CONST = {"bachelor": 4.0, "true": 1.0, "false": 0.0}
NAN = np.nan


def run(text: str, **cols: list[float]) -> list[float]:
    arrays = {k: np.array(v, dtype=float) for k, v in cols.items()}
    n = len(next(iter(arrays.values()))) if arrays else 1
    expr = compile_expression(text, FACTS, CONST, want=None)
    return expr.evaluate(arrays, n).tolist()


def same(a: list[float], b: list[float]) -> bool:
    return np.array_equal(np.array(a), np.array(b), equal_nan=True)


def test_comparison_with_unknown_is_unknown():
    assert same(run("years >= 2", years=[1, 3, NAN]), [0, 1, NAN])


def test_kleene_and_or_not():
    cert = [1, 1, 1, 0, 0, 0, NAN, NAN, NAN]
    other = [1, 0, NAN, 1, 0, NAN, 1, 0, NAN]
    assert same(run("cert and other", cert=cert, other=other), [1, 0, NAN, 0, 0, 0, NAN, 0, NAN])
    assert same(run("cert or other", cert=cert, other=other), [1, 1, 1, 1, 0, NAN, 1, NAN, NAN])
    assert same(run("not cert", cert=[1, 0, NAN]), [0, 1, NAN])


def test_a_constant_condition_is_one_value_per_row():
    kinds = {"years": "number"}
    for text, value in (("1 < 2", 1.0), ("2 <= 1", 0.0), ("true", 1.0), ("not true", 0.0)):
        assert compile_expression(text, kinds, CONST, want=None).evaluate({}, 3).tolist() == [value] * 3


def test_named_constants_chained_comparisons_and_arithmetic():
    assert run("level >= bachelor", level=[3, 4, 5]) == [0, 1, 1]
    assert run("2 <= years < 5", years=[1, 2, 5]) == [0, 1, 0]
    assert run("cert + other >= 2", cert=[1, 1], other=[1, 0]) == [1, 0]


def test_max_skips_unknown_but_min_does_not_invent_fit():
    assert same(run("max(years, level) >= 3", years=[NAN, 1], level=[4, 1]), [1, 0])
    assert same(run("min(years, level) >= 3", years=[NAN, 5], level=[4, 4]), [NAN, 1])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("yeers >= 2", "unknown fact 'yeers' (did you mean 'years'?)"),
        ("years >= 2 &&& cert", "syntax error"),
        ("years = 2", "syntax error"),
        ("__import__('os').system('x')", "only min(...) and max(...) may be called"),
        ("years.real >= 1", "is not allowed"),
        ("'text' == 'text'", "only numbers and fact names"),
        ("years and cert", "'years' is a number, not a yes/no"),
        ("years + 1", "is a number, not a yes/no condition"),
        ("(lambda: 1)()", "only min"),
        ("[years][0] >= 1", "is not allowed"),
        ("years ** 2 >= 1", "is not allowed"),
        ("years in (1, 2)", "only <, <=, >, >=, == and != can compare"),
        ("", "cannot be empty"),
    ],
)
def test_bad_conditions_are_rejected_with_a_reason(text, message):
    with pytest.raises(ExpressionError, match=re.escape(message)):
        compile_expression(text, FACTS, CONST)


def test_errors_carry_a_column():
    with pytest.raises(ExpressionError) as err:
        compile_expression("years >= 2 and yeers", FACTS, CONST)
    assert err.value.column == 16


def test_compiled_expression_reports_the_facts_it_reads():
    expr = compile_expression("years >= 2 and (cert or level >= bachelor)", FACTS, CONST)
    assert expr.names == {"years", "cert", "level"}


def test_evaluates_100000_rows_in_one_call():
    years = np.arange(100_000, dtype=float) % 10
    result = compile_expression("years >= 5", FACTS, CONST).evaluate({"years": years}, len(years))
    assert result.shape == (100_000,) and result.sum() == 50_000
