"""Run-time value model: the four formula types, input conversion and shared operations.

A formula value is one of ``str`` (Text), ``Decimal`` (Number), ``bool`` (Checkbox) or
``None`` (null, i.e. a blank field). Numbers are Decimal so that ``0.1 + 0.2 = 0.3`` holds
as it does in Salesforce. All arithmetic goes through one bounded decimal context, so a
formula can never build a number too large to print or compare cheaply.

Blank semantics follow Salesforce's "treat blank fields as blanks": a missing or None
value is null; a null in a text position behaves as "" (text functions, ``&``, ``=``);
a null in a numeric position makes arithmetic and comparisons null.
"""

from __future__ import annotations

import decimal
import operator as operator_module
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .errors import FormulaLimitError, FormulaRuntimeError

Value = str | Decimal | bool | None

#: Longest text any operation may produce (``&``, SUBSTITUTE, UPPER...).
MAX_TEXT_LENGTH = 10_000

# 34 significant digits (decimal128) is far beyond Salesforce's 18; exponents are bounded
# so that TEXT() of any number stays short (at most ~140 characters).
NUMBER_CONTEXT = decimal.Context(
    prec=34,
    rounding=decimal.ROUND_HALF_UP,
    Emax=99,
    Emin=-99,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)


@dataclass(frozen=True)
class EvaluationContext:
    """What a formula is evaluated against; plain mappings, no framework objects.

    ``fields`` holds the record's values keyed by API name (related fields use dotted
    keys such as "Profile.Name"); ``prior`` the values before the change (empty for a new
    record); ``globals`` the merge fields such as "$User.UserType". Values may be str,
    int, float, Decimal, bool or None.
    """

    fields: Mapping[str, Any] = field(default_factory=dict)
    prior: Mapping[str, Any] = field(default_factory=dict)
    globals: Mapping[str, Any] = field(default_factory=dict)
    is_new: bool = False


def lookup(mapping: Mapping[str, Any], name: str) -> Any:
    """Find ``name`` in ``mapping``; API names are case-insensitive, so fall back to a scan.

    The exact key is the fast path: the parser already canonicalised the spelling when the
    caller gave ``known_fields``. A missing key is simply null.
    """
    try:
        return mapping[name]
    except KeyError:
        pass
    folded = name.casefold()
    for key, value in mapping.items():
        if isinstance(key, str) and key.casefold() == folded:
            return value
    return None


def from_python(value: Any, name: str) -> Value:
    """Convert a value supplied by the caller into a formula value."""
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, (int, float, Decimal)):
        try:
            number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        except (decimal.InvalidOperation, ValueError) as exc:
            raise FormulaRuntimeError(f"Field {name} holds an invalid number") from exc
        if not number.is_finite():
            raise FormulaRuntimeError(f"Field {name} holds an invalid number")
        return arithmetic(NUMBER_CONTEXT.plus, number)
    raise FormulaRuntimeError(f"Field {name} has an unsupported type ({type(value).__name__})")


def type_name(value: Value) -> str:
    """Salesforce's name for the type of ``value``, for error messages."""
    if value is None:
        return "Null"
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, str):
        return "Text"
    return "Number"


def type_error(where: str, expected: str, value: Value) -> FormulaRuntimeError:
    return FormulaRuntimeError(
        f"Incorrect parameter type for {where}. Expected {expected}, received {type_name(value)}"
    )


def as_text(value: Value, where: str) -> str:
    """Text parameter: null reads as "" (blank text)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    raise type_error(where, "Text", value)


def as_number(value: Value, where: str) -> Decimal | None:
    """Number parameter: null stays null so that the caller can propagate it."""
    if value is None or (isinstance(value, Decimal)):
        return value
    raise type_error(where, "Number", value)


def check_text(text: str) -> str:
    """Reject text results beyond MAX_TEXT_LENGTH so repeated concatenation cannot explode."""
    if len(text) > MAX_TEXT_LENGTH:
        raise FormulaLimitError(
            f"Text result is too long ({len(text):,} characters). "
            f"Maximum length is {MAX_TEXT_LENGTH:,} characters."
        )
    return text


def arithmetic(operation: Callable[..., Decimal], *operands: Decimal) -> Decimal:
    """Run a NUMBER_CONTEXT operation, turning decimal signals into formula errors."""
    try:
        result = operation(*operands)
    except decimal.DivisionByZero as exc:
        raise FormulaRuntimeError("Division by zero") from exc
    except decimal.Overflow as exc:
        raise FormulaLimitError("Number is too large") from exc
    except decimal.InvalidOperation as exc:
        raise FormulaRuntimeError("Invalid numeric operation") from exc
    if not result.is_finite():
        raise FormulaRuntimeError("Invalid numeric operation")
    return result


def format_number(number: Decimal) -> str:
    """Plain decimal notation, never an exponent, no trailing fractional zeros: 1.50 -> 1.5."""
    if number.is_zero():
        return "0"
    return format(number.normalize(NUMBER_CONTEXT), "f")


def values_equal(left: Value, right: Value, where: str) -> bool | None:
    """Salesforce ``=``: text is case-sensitive and null text equals "".

    The engine has no static types, so two nulls are equal (as two blank texts would be);
    a null against a number or checkbox is null, like any numeric comparison with null.
    ``where`` names the operator or function for type errors.
    """
    if left is None and right is None:
        return True
    if isinstance(left, str) or isinstance(right, str):
        return as_text(left, where) == as_text(right, where)
    if left is None or right is None:
        return None
    if isinstance(left, bool) != isinstance(right, bool):
        raise type_error(where, type_name(left), right)
    return left == right


def compare_order(left: Value, right: Value, operator: str) -> bool | None:
    """Salesforce ``< > <= >=`` on numbers, or on texts by code point (null text is "")."""
    where = f"operator '{operator}'"
    test = _ORDERINGS[operator]
    if isinstance(left, str) or isinstance(right, str):
        return test(as_text(left, where), as_text(right, where))
    number_a = as_number(left, where)
    number_b = as_number(right, where)
    if number_a is None or number_b is None:
        return None
    return test(number_a, number_b)


_ORDERINGS: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator_module.lt,
    ">": operator_module.gt,
    "<=": operator_module.le,
    ">=": operator_module.ge,
}
