"""Run-time value model: the formula types, input conversion and shared operations.

A formula value is one of ``str`` (Text, and picklists: a multi-select picklist is its
values joined by ";"), ``Decimal`` (Number), ``bool`` (Checkbox), ``datetime.date``
(Date), an aware ``datetime.datetime`` in UTC (DateTime), a naive ``datetime.time``
(Time) or ``None`` (null, i.e. a blank field). Numbers are Decimal so that
``0.1 + 0.2 = 0.3`` holds as it does in Salesforce. All arithmetic goes through one
bounded decimal context, so a formula can never build a number too large to print or
compare cheaply.

Blank semantics follow Salesforce's "treat blank fields as blanks" by default: a missing
or None value is null; a null in a text position behaves as "" (text functions, ``&``,
``=``); a null in a numeric or date position makes arithmetic and comparisons null. With
``EvaluationContext(blank_as_zero=True)`` ("treat blank fields as zeroes"), a blank field
declared number, percent or currency in the schema reads as 0.
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import operator as operator_module
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .errors import FormulaLimitError, FormulaRuntimeError

# ``datetime`` is a subclass of ``date``: tests for a Date must rule out a DateTime first.
Value = str | Decimal | bool | dt.date | dt.datetime | dt.time | None

UTC = dt.UTC

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
    int, float, Decimal, bool, date, datetime, time, a list of texts (a multi-select
    picklist) or None.

    ``timezone`` is the running user's time zone (an IANA name such as "Europe/Paris", or
    a tzinfo): TODAY() is the date there. ``now`` is the clock: None for the real one, a
    fixed datetime, or a callable returning one (naive datetimes are read as UTC).
    ``blank_as_zero`` is Salesforce's "Treat blank fields as zeroes" option (it applies to
    fields the schema declares number, percent or currency). ``is_clone`` is what ISCLONE()
    returns.
    """

    fields: Mapping[str, Any] = field(default_factory=dict)
    prior: Mapping[str, Any] = field(default_factory=dict)
    globals: Mapping[str, Any] = field(default_factory=dict)
    is_new: bool = False
    timezone: str | dt.tzinfo = "UTC"
    now: dt.datetime | Callable[[], dt.datetime] | None = None
    blank_as_zero: bool = False
    is_clone: bool = False

    def __post_init__(self) -> None:
        self.tzinfo  # noqa: B018 - refuse an unknown time zone when the context is built

    @property
    def tzinfo(self) -> dt.tzinfo:
        """The running user's time zone; ValueError if ``timezone`` names none."""
        if isinstance(self.timezone, dt.tzinfo):
            return self.timezone
        return time_zone(self.timezone)

    def current_time(self) -> dt.datetime:
        """The current moment as an aware UTC datetime, from ``now`` or the real clock."""
        now = self.now() if callable(self.now) else self.now
        if now is None:
            return dt.datetime.now(UTC)
        if not isinstance(now, dt.datetime):
            raise TypeError("EvaluationContext.now must be a datetime or return one")
        return now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)


@functools.lru_cache(maxsize=64)
def time_zone(name: str) -> dt.tzinfo:
    if not isinstance(name, str) or not name:
        raise ValueError(f"Unknown time zone: {name!r}")
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise ValueError(f"Unknown time zone: {name!r}") from exc


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
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, dt.date):
        return value
    if isinstance(value, dt.time):
        return value.replace(tzinfo=None)
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value) if isinstance(value, (set, frozenset)) else list(value)
        if not all(isinstance(item, str) for item in items):
            raise FormulaRuntimeError(f"Field {name} holds a list that is not of texts")
        return check_text(";".join(items))
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
    if isinstance(value, dt.datetime):
        return "DateTime"
    if isinstance(value, dt.date):
        return "Date"
    if isinstance(value, dt.time):
        return "Time"
    return "Number"


#: Schema type names (as a caller declares fields) → the formula type they hold.
SCHEMA_TYPES: dict[str, str] = {
    "text": "Text",
    "textarea": "Text",
    "email": "Text",
    "phone": "Text",
    "url": "Text",
    "id": "Text",
    "picklist": "Picklist",
    "multipicklist": "MultiPicklist",
    "number": "Number",
    "percent": "Number",
    "currency": "Number",
    "checkbox": "Boolean",
    "date": "Date",
    "datetime": "DateTime",
    "time": "Time",
}
_NUMERIC_SCHEMA_TYPES = frozenset({"number", "percent", "currency"})
# Python values a declared field may hold (besides None).
_ACCEPTED: dict[str, tuple[type, ...]] = {
    "Text": (str,),
    "Picklist": (str,),
    "MultiPicklist": (str, list, tuple, set, frozenset),
    "Number": (int, float, Decimal),
    "Boolean": (bool,),
    "DateTime": (dt.datetime,),
    "Date": (dt.date,),
    "Time": (dt.time,),
}


def from_declared(value: Any, schema_type: str, name: str, *, blank_as_zero: bool) -> Value:
    """Convert the value of a field declared ``schema_type`` (a SCHEMA_TYPES key).

    A value of another type is a FormulaRuntimeError, so a formula that passed the type
    check never meets a value its operators were not checked for. A blank checkbox is
    FALSE (checkboxes are never null); a blank number is 0 with ``blank_as_zero``.
    """
    kind = SCHEMA_TYPES[schema_type]
    if value is None or value == "":
        if kind == "Boolean":
            return False
        if blank_as_zero and schema_type in _NUMERIC_SCHEMA_TYPES:
            return Decimal(0)
        return None if value is None or kind not in ("Text", "Picklist", "MultiPicklist") else ""
    if schema_type == "id" and isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # a primary key given as a number
    accepted = _ACCEPTED[kind]
    wrong = not isinstance(value, accepted) or (
        (kind == "Number" and isinstance(value, bool))
        or (kind == "Date" and isinstance(value, dt.datetime))
    )
    if wrong:
        shown = type_name(value) if isinstance(value, (str, bool, dt.date, dt.time)) else None
        received = shown or ("Number" if isinstance(value, (int, float)) else type(value).__name__)
        raise FormulaRuntimeError(
            f"Field {name} holds a value of type {received}, but it is declared {schema_type}"
        )
    return from_python(value, name)


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

    Without static types two nulls are equal (as two blank texts would be); a null
    against a number, date or checkbox is null, like any numeric comparison with null.
    Values of different types (a Date and a DateTime included) are a type error. ``where``
    names the operator or function for type errors.
    """
    if left is None and right is None:
        return True
    if isinstance(left, str) or isinstance(right, str):
        return as_text(left, where) == as_text(right, where)
    if left is None or right is None:
        return None
    if type_name(left) != type_name(right):
        raise type_error(where, type_name(left), right)
    return left == right


#: Types ``< > <= >=`` order (besides Text).
_ORDERED = ("Number", "Date", "DateTime", "Time")


def compare_order(left: Value, right: Value, operator: str) -> bool | None:
    """Salesforce ``< > <= >=`` on numbers, dates, datetimes and times of one type, or on
    texts by code point (null text is "")."""
    where = f"operator '{operator}'"
    test = _ORDERINGS[operator]
    if isinstance(left, str) or isinstance(right, str):
        return test(as_text(left, where), as_text(right, where))
    for value in (left, right):
        if value is not None and type_name(value) not in _ORDERED:
            raise type_error(where, "Number, Date, DateTime, Time, Text", value)
    if left is None or right is None:
        return None
    if type_name(left) != type_name(right):
        raise type_error(where, type_name(left), right)
    return bool(test(left, right))


_ORDERINGS: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator_module.lt,
    ">": operator_module.gt,
    "<=": operator_module.le,
    ">=": operator_module.ge,
}
