"""Evaluation of a parsed formula against an EvaluationContext.

A Formula is immutable and holds only its syntax tree, so one parse serves any number of
evaluations, concurrently. Each evaluation gets its own small state object that counts
steps and regex time, which is how a formula's cost is bounded at run time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType

from .dates import add_days, add_milliseconds, difference
from .errors import FormulaLimitError, FormulaRuntimeError
from .functions import FUNCTIONS
from .nodes import Call, Chain, FieldRef, GlobalRef, Literal, Node, Power, Prefix
from .patterns import REGEX_TIME_BUDGET_SECONDS
from .runtime import (
    NUMBER_CONTEXT,
    EvaluationContext,
    Value,
    arithmetic,
    as_number,
    as_text,
    check_text,
    compare_order,
    from_declared,
    from_python,
    lookup,
    type_error,
    type_name,
    values_equal,
)

#: Node evaluations allowed per evaluation. Every node runs at most once and a formula is
#: at most 3,900 characters, so real formulas stay far below; this is a backstop.
MAX_EVALUATION_STEPS = 10_000
#: Largest exponent magnitude accepted by ``^``.
MAX_EXPONENT = 10_000


def _truth(value: Value, where: str) -> bool:
    """Boolean context (IF condition, AND, OR, NOT, a rule's result): null is FALSE."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    raise type_error(where, "Boolean", value)


def _numbers(left: Value, right: Value, operator: str) -> tuple[Decimal, Decimal] | None:
    where = f"operator '{operator}'"
    a = as_number(left, where)
    b = as_number(right, where)
    return None if a is None or b is None else (a, b)


def _moves(value: Value) -> bool:
    """Whether ``value`` can be moved by a number: a date, datetime or time."""
    return isinstance(value, (dt.date, dt.time))


def _shift(moment: dt.date | dt.time, amount: Decimal) -> Value:
    if isinstance(moment, dt.time):
        return add_milliseconds(moment, amount)
    return add_days(moment, amount)


_ADDABLE = "Number, Date, DateTime, Time, Text"


def _add(left: Value, right: Value) -> Value:
    """``+``: numbers; a date, datetime or time and a number (either order); or two texts
    (concatenation, null reading as "")."""
    if isinstance(left, str) or isinstance(right, str):
        return _concatenate(left, right, "+")
    where = "operator '+'"
    for value in (left, right):
        if isinstance(value, bool):
            raise type_error(where, _ADDABLE, value)
    if left is None or right is None:
        return None
    if isinstance(left, Decimal) and isinstance(right, Decimal):
        return arithmetic(NUMBER_CONTEXT.add, left, right)
    if _moves(left) and isinstance(right, Decimal):
        return _shift(left, right)  # type: ignore[arg-type]
    if isinstance(left, Decimal) and _moves(right):
        return _shift(right, left)  # type: ignore[arg-type]
    raise type_error(where, "Number", right if _moves(left) else left)


def _subtract(left: Value, right: Value) -> Value:
    """``-``: numbers; a date, datetime or time minus a number; or the difference of two
    dates (days), datetimes (fractional days) or times (milliseconds)."""
    where = "operator '-'"
    for value in (left, right):
        if value is not None and not isinstance(value, Decimal) and not _moves(value):
            raise type_error(where, "Number, Date, DateTime, Time", value)
    if left is None or right is None:
        return None
    if isinstance(left, Decimal):
        if not isinstance(right, Decimal):
            raise type_error(where, "Number", right)
        return arithmetic(NUMBER_CONTEXT.subtract, left, right)
    if isinstance(right, Decimal):
        return _shift(left, -right)  # type: ignore[arg-type]
    if type_name(left) != type_name(right):
        raise type_error(where, f"Number, {type_name(left)}", right)
    return difference(left, right)  # type: ignore[arg-type]


def _multiply(left: Value, right: Value) -> Value:
    pair = _numbers(left, right, "*")
    return None if pair is None else arithmetic(NUMBER_CONTEXT.multiply, *pair)


def _divide(left: Value, right: Value) -> Value:
    pair = _numbers(left, right, "/")
    if pair is None:
        return None
    if pair[1].is_zero():  # checked here: 0 / 0 would otherwise be "invalid operation"
        raise FormulaRuntimeError("Division by zero")
    return arithmetic(NUMBER_CONTEXT.divide, *pair)


def _concatenate(left: Value, right: Value, operator: str = "&") -> Value:
    where = f"operator '{operator}'"
    return check_text(as_text(left, where) + as_text(right, where))


def _power(base: Value, exponent: Value) -> Value:
    pair = _numbers(base, exponent, "^")
    if pair is None:
        return None
    if abs(pair[1]) > MAX_EXPONENT:
        raise FormulaLimitError(f"Exponent is too large. Maximum is {MAX_EXPONENT:,}.")
    return arithmetic(NUMBER_CONTEXT.power, *pair)


def _equal(left: Value, right: Value) -> Value:
    return values_equal(left, right, "operator '='")


def _not_equal(left: Value, right: Value) -> Value:
    result = values_equal(left, right, "operator '<>'")
    return None if result is None else not result


def _ordering(operator: str) -> Callable[[Value, Value], Value]:
    def compare(left: Value, right: Value) -> Value:
        return compare_order(left, right, operator)

    return compare


_BINARY: dict[str, Callable[[Value, Value], Value]] = {
    "=": _equal,
    "<>": _not_equal,
    "<": _ordering("<"),
    ">": _ordering(">"),
    "<=": _ordering("<="),
    ">=": _ordering(">="),
    "+": _add,
    "-": _subtract,
    "&": _concatenate,
    "*": _multiply,
    "/": _divide,
}


def _prefix(operator: str, value: Value) -> Value:
    if operator == "!":
        return not _truth(value, "operator '!'")
    number = as_number(value, f"operator '{operator}'")
    if number is None or operator == "+":
        return number
    return arithmetic(NUMBER_CONTEXT.minus, number)


class _Evaluation:
    """State of one evaluation: the context and the remaining step and regex budgets."""

    __slots__ = ("_context", "_formula", "_now", "_steps_left", "regex_time_left")

    def __init__(self, context: EvaluationContext, formula: Formula, max_steps: int) -> None:
        self._context = context
        self._formula = formula
        self._steps_left = max_steps
        self._now: dt.datetime | None = None
        self.regex_time_left = REGEX_TIME_BUDGET_SECONDS

    @property
    def context(self) -> EvaluationContext:
        return self._context

    def now(self) -> dt.datetime:
        """The current moment (UTC), read once per evaluation so NOW() is consistent."""
        if self._now is None:
            self._now = self._context.current_time()
        return self._now

    def _read(self, mapping: Mapping[str, object], name: str) -> Value:
        value = lookup(mapping, name)
        declared = self._formula.field_types.get(name)
        if declared is None:
            return from_python(value, name)
        return from_declared(value, declared, name, blank_as_zero=self._context.blank_as_zero)

    def field_value(self, name: str) -> Value:
        return self._read(self._context.fields, name)

    def prior_value(self, name: str) -> Value:
        return self._read(self._context.prior, name)

    def never_null(self, node: Node) -> bool:
        """Whether the type check found ``node`` to be Text, which is never null."""
        return id(node) in self._formula.text_nodes

    def condition(self, node: Node) -> bool:
        return _truth(self.evaluate(node), "a logical condition")

    def evaluate(self, node: Node) -> Value:
        """Evaluate one node; the tree depth is bounded by the parser, so recursion is safe."""
        self._steps_left -= 1
        if self._steps_left < 0:
            raise FormulaLimitError("Formula evaluation exceeded the maximum number of steps")
        if isinstance(node, Literal):
            return node.value
        if isinstance(node, FieldRef):
            return self.field_value(node.name)
        if isinstance(node, Call):
            return FUNCTIONS[node.name].implementation(self, node.args)
        if isinstance(node, Chain):
            return self._chain(node)
        if isinstance(node, GlobalRef):
            return self._read(self._context.globals, node.name)
        if isinstance(node, Prefix):
            value = self.evaluate(node.operand)
            for operator in reversed(node.operators):
                value = _prefix(operator, value)
            return value
        return self._power(node)

    def _chain(self, node: Chain) -> Value:
        """Fold a chain of one precedence level.

        All its operators are || or all are && (both short-circuit, null counting as
        FALSE), or none is. Plain loops rather than any()/all() keep the Python stack
        shallower (no generator frame) for deeply nested formulas.
        """
        operator = node.rest[0][0]
        if operator == "||":
            if self.condition(node.first):
                return True
            for _, operand in node.rest:  # noqa: SIM110 - see _chain's docstring
                if self.condition(operand):
                    return True
            return False
        if operator == "&&":
            if not self.condition(node.first):
                return False
            for _, operand in node.rest:  # noqa: SIM110 - see _chain's docstring
                if not self.condition(operand):
                    return False
            return True
        value = self.evaluate(node.first)
        for operator, operand in node.rest:
            value = _BINARY[operator](value, self.evaluate(operand))
        return value

    def _power(self, node: Power) -> Value:
        values = [self.evaluate(operand) for operand in node.operands]
        # Right-associative: 2 ^ 3 ^ 2 = 2 ^ 9.
        result = values[-1]
        for base in reversed(values[:-1]):
            result = _power(base, result)
        return result


@dataclass(frozen=True, eq=False)
class Formula:
    """A parsed formula, ready to be evaluated any number of times.

    Build it with ``parse``. ``field_references`` and ``global_references`` list the
    names the formula reads (in canonical spelling when the parser was given the known
    names), so callers can tell which fields a validation rule depends on.
    """

    source: str
    root: Node = field(repr=False)
    field_references: frozenset[str] = field(repr=False)
    global_references: frozenset[str] = field(repr=False)
    #: Schema type name ("date", "picklist"...) of each referenced field and global, when
    #: parsed with a schema; their values are converted and checked against it.
    field_types: Mapping[str, str] = field(repr=False, default=MappingProxyType({}))
    #: Salesforce name of the result's type ("Boolean", "Text", "Date"...), or None when
    #: the formula was not type-checked (parsed without a schema or expected result).
    result_type: str | None = field(repr=False, default=None)
    #: Identities of the nodes the check found to be Text (ISNULL of text is FALSE).
    text_nodes: frozenset[int] = field(repr=False, default=frozenset())

    def evaluate(
        self, context: EvaluationContext, *, max_steps: int = MAX_EVALUATION_STEPS
    ) -> Value:
        """The formula's value: str, Decimal, bool or None (null).

        Raises FormulaRuntimeError (or its subclass FormulaLimitError) and nothing else.
        """
        try:
            return _Evaluation(context, self, max_steps).evaluate(self.root)
        except RecursionError as exc:
            # Unreachable with the parser's depth limit unless the caller is itself deep
            # in the stack; still a formula failure rather than a server error.
            raise FormulaLimitError("Formula is nested too deeply to evaluate") from exc

    def evaluate_condition(
        self, context: EvaluationContext, *, max_steps: int = MAX_EVALUATION_STEPS
    ) -> bool:
        """Evaluate as a validation rule: TRUE means the record is in error.

        A null result counts as FALSE; any other non-boolean result is a runtime error,
        since Salesforce requires an error condition formula to return a Boolean.
        """
        value = self.evaluate(context, max_steps=max_steps)
        if value is None or isinstance(value, bool):
            return bool(value)
        raise FormulaRuntimeError(
            f"Error condition formula must return a Boolean (TRUE or FALSE), not {type_name(value)}"
        )
