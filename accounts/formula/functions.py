"""The formula function library and its registry.

Each function is registered with its arity so the parser can reject unknown names and
wrong parameter counts before anything runs. Most functions are *eager* (all arguments are
evaluated first); IF, CASE, AND, OR, NULLVALUE and BLANKVALUE are *lazy* so that, as in
Salesforce, the branch not taken is never evaluated (``IF(x = 0, 0, 1 / x)`` is safe).
ISNEW, ISCHANGED, PRIORVALUE and REGEX take the argument nodes too, because they need the
evaluation itself: the record state, the field's name, or the regex time budget.

Salesforce semantics followed throughout: text null reads as ""; CONTAINS, BEGINS, FIND
and SUBSTITUTE are case-sensitive; MID and FIND count from 1; a null number argument makes
the numeric result null.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from .errors import FormulaLimitError, FormulaRuntimeError
from .nodes import FieldRef, Node
from .patterns import REGEX_TIMEOUT_SECONDS, compile_pattern, full_match
from .runtime import (
    MAX_TEXT_LENGTH,
    NUMBER_CONTEXT,
    EvaluationContext,
    Value,
    arithmetic,
    as_number,
    as_text,
    check_text,
    format_number,
    type_error,
    values_equal,
)


class Evaluator(Protocol):
    """What a function implementation may ask of the running evaluation."""

    @property
    def context(self) -> EvaluationContext: ...

    #: Seconds of REGEX matching this evaluation may still spend.
    regex_time_left: float

    def evaluate(self, node: Node) -> Value: ...

    def condition(self, node: Node) -> bool: ...

    def field_value(self, name: str) -> Value: ...

    def prior_value(self, name: str) -> Value: ...


Implementation = Callable[[Evaluator, tuple[Node, ...]], Value]


@dataclass(frozen=True)
class FunctionSpec:
    """A function's name, accepted parameter counts and implementation."""

    name: str
    min_args: int
    max_args: int | None  # None: no upper bound
    implementation: Implementation
    #: The (single) argument must be a field reference, as for ISCHANGED and PRIORVALUE.
    needs_field: bool = False
    #: CASE's count must be even: expression, value/result pairs, then the else result.
    even_count: bool = False

    def arity_problem(self, count: int) -> str | None:
        """The "Expected ..." text if ``count`` parameters are wrong, else None."""
        if self.even_count:
            if count >= self.min_args and count % 2 == 0:
                return None
            return f"Expected an even number of at least {self.min_args}"
        too_many = self.max_args is not None and count > self.max_args
        if self.min_args <= count and not too_many:
            return None
        if self.max_args is None:
            return f"Expected at least {self.min_args}"
        if self.max_args == self.min_args:
            return f"Expected {self.min_args}"
        return f"Expected {self.min_args} to {self.max_args}"


FUNCTIONS: dict[str, FunctionSpec] = {}


def _lazy(
    name: str, min_args: int, max_args: int | None, *, needs_field: bool = False
) -> Callable[[Implementation], Implementation]:
    """Register a function that receives its unevaluated argument nodes."""

    def register(implementation: Implementation) -> Implementation:
        FUNCTIONS[name] = FunctionSpec(
            name, min_args, max_args, implementation, needs_field=needs_field
        )
        return implementation

    return register


def _eager(
    name: str, min_args: int, max_args: int | None = None
) -> Callable[[Callable[..., Value]], Callable[..., Value]]:
    """Register a function of already-evaluated values (max_args defaults to min_args)."""

    def register(function: Callable[..., Value]) -> Callable[..., Value]:
        def implementation(evaluator: Evaluator, args: tuple[Node, ...]) -> Value:
            return function(*[evaluator.evaluate(arg) for arg in args])

        upper = min_args if max_args is None else max_args
        FUNCTIONS[name] = FunctionSpec(name, min_args, upper, implementation)
        return function

    return register


def _where(name: str) -> str:
    return f"function '{name}()'"


def _is_blank(value: Value) -> bool:
    # Salesforce: blank is null or empty text; "  " (spaces) is NOT blank.
    return value is None or value == ""


def _count(value: Value, name: str) -> int | None:
    """A character count or position argument: whole part of a number, or null."""
    number = as_number(value, _where(name))
    return None if number is None else int(number)


# --- Logical -------------------------------------------------------------------------


@_lazy("AND", 1, None)
def _and(evaluator: Evaluator, args: tuple[Node, ...]) -> Value:
    # Short-circuits; a null argument counts as FALSE (boolean context). Plain loops
    # rather than all()/any() keep the Python stack shallow for nested formulas.
    for arg in args:  # noqa: SIM110
        if not evaluator.condition(arg):
            return False
    return True


@_lazy("OR", 1, None)
def _or(evaluator: Evaluator, args: tuple[Node, ...]) -> Value:
    for arg in args:  # noqa: SIM110 - a plain loop, as in AND
        if evaluator.condition(arg):
            return True
    return False


@_lazy("NOT", 1, 1)
def _not(evaluator: Evaluator, args: tuple[Node, ...]) -> Value:
    return not evaluator.condition(args[0])


@_lazy("IF", 3, 3)
def _if(evaluator: Evaluator, args: tuple[Node, ...]) -> Value:
    return evaluator.evaluate(args[1] if evaluator.condition(args[0]) else args[2])


def _case(evaluator: Evaluator, args: tuple[Node, ...]) -> Value:
    subject = evaluator.evaluate(args[0])
    for index in range(1, len(args) - 1, 2):
        if values_equal(subject, evaluator.evaluate(args[index]), _where("CASE")):
            return evaluator.evaluate(args[index + 1])
    return evaluator.evaluate(args[-1])


FUNCTIONS["CASE"] = FunctionSpec("CASE", 4, None, _case, even_count=True)


@_eager("ISBLANK", 1)
def _isblank(value: Value) -> Value:
    return _is_blank(value)


@_eager("ISNULL", 1)
def _isnull(value: Value) -> Value:
    # Salesforce treats empty text as null, so for text ISNULL behaves like ISBLANK;
    # for numbers and checkboxes only a real null is null (and "" cannot occur there).
    return _is_blank(value)


@_lazy("NULLVALUE", 2, 2)
def _nullvalue(evaluator: Evaluator, args: tuple[Node, ...]) -> Value:
    # Same test as ISNULL, so empty text is substituted too.
    value = evaluator.evaluate(args[0])
    return evaluator.evaluate(args[1]) if _is_blank(value) else value


@_lazy("BLANKVALUE", 2, 2)
def _blankvalue(evaluator: Evaluator, args: tuple[Node, ...]) -> Value:
    value = evaluator.evaluate(args[0])
    return evaluator.evaluate(args[1]) if _is_blank(value) else value


@_eager("ISPICKVAL", 2)
def _ispickval(value: Value, text: Value) -> Value:
    return as_text(value, _where("ISPICKVAL")) == as_text(text, _where("ISPICKVAL"))


@_lazy("ISNEW", 0, 0)
def _isnew(evaluator: Evaluator, args: tuple[Node, ...]) -> Value:
    return evaluator.context.is_new


def _field_name(args: tuple[Node, ...]) -> str:
    node = args[0]
    if not isinstance(node, FieldRef):  # the parser already rejects this
        raise FormulaRuntimeError("A field reference is required")
    return node.name


def _same_value(current: Value, prior: Value) -> bool:
    # Null and "" are the same blank, so clearing an already-empty field is no change.
    if _is_blank(current) and _is_blank(prior):
        return True
    if type(current) is not type(prior):
        return False
    return current == prior


@_lazy("ISCHANGED", 1, 1, needs_field=True)
def _ischanged(evaluator: Evaluator, args: tuple[Node, ...]) -> Value:
    # Salesforce: always FALSE while the record is being created. A field missing from
    # the prior mapping of an existing record counts as having been null.
    if evaluator.context.is_new:
        return False
    name = _field_name(args)
    return not _same_value(evaluator.field_value(name), evaluator.prior_value(name))


@_lazy("PRIORVALUE", 1, 1, needs_field=True)
def _priorvalue(evaluator: Evaluator, args: tuple[Node, ...]) -> Value:
    # Salesforce: on create, PRIORVALUE returns the field's current value, not null.
    name = _field_name(args)
    if evaluator.context.is_new:
        return evaluator.field_value(name)
    return evaluator.prior_value(name)


# --- Text ----------------------------------------------------------------------------


@_eager("TEXT", 1)
def _text(value: Value) -> Value:
    if value is None:
        return ""
    if isinstance(value, bool):
        # Salesforce does not convert checkboxes with TEXT().
        raise type_error(_where("TEXT"), "Number, Text", value)
    if isinstance(value, str):
        return value
    return format_number(value)


@_eager("LEN", 1)
def _len(value: Value) -> Value:
    return Decimal(len(as_text(value, _where("LEN"))))


@_eager("CONTAINS", 2)
def _contains(text: Value, compare: Value) -> Value:
    return as_text(compare, _where("CONTAINS")) in as_text(text, _where("CONTAINS"))


@_eager("BEGINS", 2)
def _begins(text: Value, compare: Value) -> Value:
    return as_text(text, _where("BEGINS")).startswith(as_text(compare, _where("BEGINS")))


@_lazy("REGEX", 2, 2)
def _regex(evaluator: Evaluator, args: tuple[Node, ...]) -> Value:
    text = as_text(evaluator.evaluate(args[0]), _where("REGEX"))
    pattern = as_text(evaluator.evaluate(args[1]), _where("REGEX"))
    if evaluator.regex_time_left <= 0:
        raise FormulaLimitError("Regular expressions took too long to evaluate")
    started = time.monotonic()
    try:
        # Compiling (cached, so usually free) counts against the budget too: a pattern
        # built from field values is new on every evaluation.
        compiled = compile_pattern(pattern)
        timeout = min(REGEX_TIMEOUT_SECONDS, evaluator.regex_time_left)
        return full_match(compiled, text, max(timeout - (time.monotonic() - started), 0.001))
    finally:
        evaluator.regex_time_left -= time.monotonic() - started


@_eager("UPPER", 1)
def _upper(text: Value) -> Value:
    # Some characters grow when upper-cased ("ß" -> "SS"), hence the length check.
    return check_text(as_text(text, _where("UPPER")).upper())


@_eager("LOWER", 1)
def _lower(text: Value) -> Value:
    return check_text(as_text(text, _where("LOWER")).lower())


@_eager("TRIM", 1)
def _trim(text: Value) -> Value:
    return as_text(text, _where("TRIM")).strip(" \t\r\n")


@_eager("LEFT", 2)
def _left(text: Value, count: Value) -> Value:
    value = as_text(text, _where("LEFT"))
    number = _count(count, "LEFT")
    # Salesforce treats a negative count as 0; a null count gives blank text.
    return "" if number is None else value[: max(number, 0)]


@_eager("RIGHT", 2)
def _right(text: Value, count: Value) -> Value:
    value = as_text(text, _where("RIGHT"))
    number = _count(count, "RIGHT")
    if number is None or number <= 0:
        return ""
    return value[-number:]


@_eager("MID", 3)
def _mid(text: Value, start: Value, count: Value) -> Value:
    value = as_text(text, _where("MID"))
    first = _count(start, "MID")
    number = _count(count, "MID")
    if first is None or number is None or number <= 0:
        return ""
    begin = max(first, 1) - 1  # 1-based; a start below 1 reads from the beginning
    return value[begin : begin + number]


_ONE = Decimal(1)


@_eager("FIND", 2, 3)
def _find(search: Value, text: Value, start: Value = _ONE) -> Value:
    needle = as_text(search, _where("FIND"))
    haystack = as_text(text, _where("FIND"))
    first = _count(start, "FIND")
    # Salesforce returns 0 for blank search text or an invalid start position.
    if not needle or first is None or first < 1:
        return Decimal(0)
    return Decimal(haystack.find(needle, first - 1) + 1)


@_eager("SUBSTITUTE", 3)
def _substitute(text: Value, old: Value, new: Value) -> Value:
    value = as_text(text, _where("SUBSTITUTE"))
    target = as_text(old, _where("SUBSTITUTE"))
    replacement = as_text(new, _where("SUBSTITUTE"))
    if not target:
        return value
    # Work out the result size before building it, so a blow-up is refused cheaply.
    size = len(value) + value.count(target) * (len(replacement) - len(target))
    if size > MAX_TEXT_LENGTH:
        raise FormulaLimitError(
            f"Text result is too long ({size:,} characters). "
            f"Maximum length is {MAX_TEXT_LENGTH:,} characters."
        )
    return value.replace(target, replacement)


# --- Numbers -------------------------------------------------------------------------

# VALUE accepts plain decimal notation with an optional sign, no exponent or separators.
_NUMBER_TEXT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


def _to_number(text: str) -> Decimal | None:
    stripped = text.strip()
    if not _NUMBER_TEXT.fullmatch(stripped):
        return None
    return arithmetic(NUMBER_CONTEXT.plus, Decimal(stripped))


@_eager("VALUE", 1)
def _value(text: Value) -> Value:
    value = as_text(text, _where("VALUE"))
    if value == "":
        return None  # blank text is null, and VALUE of null is null
    number = _to_number(value)
    if number is None:
        shown = value if len(value) <= 40 else value[:40] + "..."
        raise FormulaRuntimeError(f"VALUE: '{shown}' is not a valid number")
    return number


@_eager("ISNUMBER", 1)
def _isnumber(text: Value) -> Value:
    try:
        return _to_number(as_text(text, _where("ISNUMBER"))) is not None
    except FormulaRuntimeError:
        return False  # well-formed but out of range


@_eager("MOD", 2)
def _mod(number: Value, divisor: Value) -> Value:
    dividend = as_number(number, _where("MOD"))
    modulus = as_number(divisor, _where("MOD"))
    if dividend is None or modulus is None:
        return None
    if modulus.is_zero():
        raise FormulaRuntimeError("Division by zero")
    # Like Salesforce (and Java), the result takes the sign of the dividend.
    return arithmetic(NUMBER_CONTEXT.remainder, dividend, modulus)


@_eager("ABS", 1)
def _abs(number: Value) -> Value:
    value = as_number(number, _where("ABS"))
    return None if value is None else arithmetic(NUMBER_CONTEXT.abs, value)
