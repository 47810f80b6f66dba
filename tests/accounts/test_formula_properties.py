"""Property tests: no input can make the formula engine fail other than as documented.

``parse`` may only raise FormulaSyntaxError; evaluating a parsed formula may only raise
FormulaRuntimeError (FormulaLimitError included), whatever the record holds (dates,
datetimes, times and lists included) and whatever the clock and time zone.
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.formula import (
    EvaluationContext,
    FormulaRuntimeError,
    FormulaSyntaxError,
    parse,
)

# Modest by default so the file runs in a few seconds; raise it for a deeper local search,
# e.g. FORMULA_PROPERTY_EXAMPLES=5000. No example database: nothing is left in the tree.
EXAMPLES = int(os.environ.get("FORMULA_PROPERTY_EXAMPLES", "100"))
PROPERTY_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

FIELD_NAMES = ["Department", "Title", "Amount", "IsActive", "Profile.Name"]
GLOBAL_NAMES = ["$User.UserType", "$Profile.Name"]
FUNCTION_NAMES = [
    "AND", "OR", "NOT", "IF", "CASE", "ISBLANK", "ISNULL", "ISPICKVAL", "TEXT", "LEN",
    "CONTAINS", "BEGINS", "REGEX", "ISNEW", "ISCHANGED", "PRIORVALUE", "UPPER", "LOWER",
    "TRIM", "LEFT", "RIGHT", "MID", "FIND", "SUBSTITUTE", "VALUE", "ISNUMBER", "NULLVALUE",
    "BLANKVALUE", "MOD", "ABS", "ROUND", "CEILING", "FLOOR", "MAX", "MIN", "SQRT", "EXP", "LN",
    "LOG", "TRUNC", "INCLUDES", "PICKLISTCOUNT", "LPAD", "RPAD", "BR", "HYPERLINK",
    "CASESAFEID", "ISCLONE", "TODAY", "NOW", "TIMENOW", "DATE", "DATEVALUE", "DATETIMEVALUE",
    "TIMEVALUE", "YEAR", "MONTH", "DAY", "WEEKDAY", "ADDMONTHS", "HOUR", "MILLISECOND", "foo",
]  # fmt: skip
# Parameter counts used to generate mostly well-formed calls (CASE's parity is left to luck).
ARITY = {
    "AND": (1, 4), "OR": (1, 4), "NOT": (1, 1), "IF": (3, 3), "CASE": (4, 6), "ISBLANK": (1, 1),
    "ISNULL": (1, 1), "ISPICKVAL": (2, 2), "TEXT": (1, 1), "LEN": (1, 1), "CONTAINS": (2, 2),
    "BEGINS": (2, 2), "REGEX": (2, 2), "ISNEW": (0, 0), "ISCHANGED": (1, 1), "PRIORVALUE": (1, 1),
    "UPPER": (1, 1), "LOWER": (1, 1), "TRIM": (1, 1), "LEFT": (2, 2), "RIGHT": (2, 2),
    "MID": (3, 3), "FIND": (2, 3), "SUBSTITUTE": (3, 3), "VALUE": (1, 1), "ISNUMBER": (1, 1),
    "NULLVALUE": (2, 2), "BLANKVALUE": (2, 2), "MOD": (2, 2), "ABS": (1, 1), "ROUND": (2, 2),
    "CEILING": (1, 1), "FLOOR": (1, 1), "MAX": (1, 3), "MIN": (1, 3), "SQRT": (1, 1),
    "EXP": (1, 1), "LN": (1, 1), "LOG": (1, 1), "TRUNC": (1, 2), "INCLUDES": (2, 2),
    "PICKLISTCOUNT": (1, 1), "LPAD": (2, 3), "RPAD": (2, 3), "BR": (0, 0), "HYPERLINK": (2, 3),
    "CASESAFEID": (1, 1), "ISCLONE": (0, 0), "TODAY": (0, 0), "NOW": (0, 0), "TIMENOW": (0, 0),
    "DATE": (3, 3), "DATEVALUE": (1, 1), "DATETIMEVALUE": (1, 1), "TIMEVALUE": (1, 1),
    "YEAR": (1, 1), "MONTH": (1, 1), "DAY": (1, 1), "WEEKDAY": (1, 1), "ADDMONTHS": (2, 2),
    "HOUR": (1, 1), "MILLISECOND": (1, 1),
}  # fmt: skip
OPERATORS = ["||", "&&", "=", "==", "<>", "!=", "<", ">", "<=", ">=", "+", "-", "&", "*", "/", "^"]
TOKENS = [
    *OPERATORS, "!", "(", ")", ",", '"', "'", "\\", "$", ".", "/*", "*/", " ", "\n",
    "TRUE", "false", "NULL", "0", "1", "2.5", ".5", "1e3", '"a"', '"\\d+"', "'x'",
    *FIELD_NAMES, *GLOBAL_NAMES, *(name + "(" for name in FUNCTION_NAMES),
]  # fmt: skip

values = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.sampled_from(["", " ", "a", "123", "-1.5", "Chatter External User", "ChatterGuest"]),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.decimals(allow_nan=False, allow_infinity=False, places=4),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.datetimes(timezones=st.just(dt.UTC)),
    st.times(),
    st.lists(st.sampled_from(["a", "b", ""]), max_size=3),
)
records = st.dictionaries(st.sampled_from(FIELD_NAMES), values)
contexts = st.builds(
    EvaluationContext,
    fields=records,
    prior=records,
    globals=st.dictionaries(st.sampled_from(GLOBAL_NAMES), values),
    is_new=st.booleans(),
    timezone=st.sampled_from(["UTC", "Europe/Paris", "Pacific/Apia"]),
    now=st.datetimes(),
    blank_as_zero=st.booleans(),
)


def text_literal(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


leaves = st.one_of(
    st.sampled_from(
        [
            "TRUE",
            "FALSE",
            "NULL",
            "0",
            "1",
            "-2",
            "0.5",
            "1000",
            '""',
            '"a"',
            '"2024-02-29"',
            '"2024-02-29 10:00:00"',
            '"10:00:00.5"',
            "TODAY()",
            "NOW()",
            "TIMENOW()",
            "DATE(2024, 1, 31)",
        ]
    ),
    st.sampled_from(FIELD_NAMES + GLOBAL_NAMES),
    st.text(max_size=8).map(text_literal),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
)


def _call(parts: tuple[str, list[str]]) -> str:
    """A call with a mostly acceptable number of arguments (padded with NULL or cut)."""
    name, args = parts
    low, high = ARITY.get(name, (0, 3))
    count = max(low, min(len(args), high))
    return f"{name}({', '.join((args + ['NULL'] * low)[:count])})"


def _extend(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    binary = st.tuples(children, st.sampled_from(OPERATORS), children).map(
        lambda parts: f"({parts[0]} {parts[1]} {parts[2]})"
    )
    prefix = st.tuples(st.sampled_from(["-", "+", "!"]), children).map("".join)
    call = st.tuples(st.sampled_from(FUNCTION_NAMES), st.lists(children, max_size=4)).map(_call)
    return st.one_of(binary, prefix, call)


expressions = st.recursive(leaves, _extend, max_leaves=15)
formula_like_text = st.lists(st.sampled_from(TOKENS), max_size=40).map("".join)


def check_parse(text: str) -> Any:
    """Parse, allowing only FormulaSyntaxError, whose position must lie in the text."""
    try:
        return parse(text, known_fields=FIELD_NAMES, known_globals=GLOBAL_NAMES)
    except FormulaSyntaxError as error:
        assert 0 <= error.position <= len(text)
        assert error.line == text.count("\n", 0, error.position) + 1
        assert error.column >= 1
        assert error.message and str(error)
        return None


def check_evaluate(text: str, context: EvaluationContext) -> None:
    formula = check_parse(text)
    if formula is None:
        return
    try:
        value = formula.evaluate(context)
    except FormulaRuntimeError:
        return
    assert value is None or isinstance(value, (str, bool, Decimal, dt.date, dt.time))
    try:
        assert isinstance(formula.evaluate_condition(context), bool)
    except FormulaRuntimeError:
        assert not (value is None or isinstance(value, bool))


@PROPERTY_SETTINGS
@given(st.text(max_size=200))
def test_parse_raises_only_syntax_errors_for_arbitrary_text(text: str) -> None:
    check_parse(text)


@PROPERTY_SETTINGS
@given(formula_like_text)
def test_parse_raises_only_syntax_errors_for_formula_like_text(text: str) -> None:
    check_parse(text)


@PROPERTY_SETTINGS
@given(formula_like_text, contexts)
def test_formula_like_text_evaluates_or_fails_only_with_formula_errors(
    text: str, context: EvaluationContext
) -> None:
    check_evaluate(text, context)


@PROPERTY_SETTINGS
@given(expressions, contexts)
def test_generated_expressions_evaluate_or_fail_only_with_formula_errors(
    text: str, context: EvaluationContext
) -> None:
    check_evaluate(text, context)


@PROPERTY_SETTINGS
@given(st.text(max_size=50))
def test_text_literals_round_trip(text: str) -> None:
    literal = text_literal(text)
    formula = parse(f"{literal} = {literal} && LEN({literal}) = {len(text)}")
    assert formula.evaluate(EvaluationContext()) is True
    assert parse(literal).evaluate(EvaluationContext()) == text


@PROPERTY_SETTINGS
@given(
    st.integers(min_value=-(10**6), max_value=10**6),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.integers(min_value=-(10**6), max_value=10**6),
)
def test_integer_arithmetic_matches_python(a: int, b: int, c: int) -> None:
    context = EvaluationContext(fields={"a": a, "b": b, "c": c})
    assert parse("a + b * c - a").evaluate(context) == a + b * c - a
    assert parse("(a - b) * c").evaluate(context) == (a - b) * c
    assert parse("a < b").evaluate(context) is (a < b)
    assert parse("TEXT(a) & TEXT(b)").evaluate(context) == f"{a}{b}"


@PROPERTY_SETTINGS
@given(st.text(max_size=30), st.text(max_size=30))
def test_text_comparison_matches_python_and_is_case_sensitive(a: str, b: str) -> None:
    context = EvaluationContext(fields={"a": a, "b": b})
    assert parse("a = b").evaluate(context) is (a == b)
    assert parse("a & b").evaluate(context) == a + b
    assert parse("CONTAINS(a, b)").evaluate(context) is (b in a)
