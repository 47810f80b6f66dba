"""The formula function library and its registry.

Each function is registered with its arity so the parser can reject unknown names and
wrong parameter counts before anything runs. Most functions are *eager* (all arguments are
evaluated first); IF, CASE, AND, OR, NULLVALUE and BLANKVALUE are *lazy* so that, as in
Salesforce, the branch not taken is never evaluated (``IF(x = 0, 0, 1 / x)`` is safe).
ISNEW, ISCLONE, ISCHANGED, PRIORVALUE, ISNULL, REGEX, TODAY, NOW and TIMENOW take the
argument nodes too, because they need the evaluation itself: the record state, the
field's name, the static type found by the check, the regex time budget or the clock.

Salesforce semantics followed throughout: text null reads as ""; CONTAINS, BEGINS, FIND
and SUBSTITUTE are case-sensitive; MID and FIND count from 1; a null number argument makes
the numeric result null; CEILING and FLOOR round away from and towards zero; WEEKDAY
counts from Sunday (1); ADDMONTHS keeps the end of the month. Parameter types are checked
statically by checker.py when a schema is given, and dynamically here in any case.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_FLOOR, ROUND_HALF_UP, ROUND_UP, Decimal
from typing import Protocol

from . import dates
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

    def now(self) -> dt.datetime: ...

    def never_null(self, node: Node) -> bool: ...


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


@_lazy("ISNULL", 1, 1)
def _isnull(evaluator: Evaluator, args: tuple[Node, ...]) -> Value:
    # Salesforce: text is never null, so ISNULL of an expression the type check found to
    # be Text is always FALSE. Unchecked, the value decides: empty text counts as null.
    value = evaluator.evaluate(args[0])
    return not evaluator.never_null(args[0]) and _is_blank(value)


@_lazy("NULLVALUE", 2, 2)
def _nullvalue(evaluator: Evaluator, args: tuple[Node, ...]) -> Value:
    # Same test as ISNULL: checked Text is never substituted, unchecked empty text is.
    value = evaluator.evaluate(args[0])
    if evaluator.never_null(args[0]) or not _is_blank(value):
        return value
    return evaluator.evaluate(args[1])


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
    if isinstance(value, (dt.date, dt.time)):
        return dates.format_value(value)
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


def _numbers(name: str, *values: Value) -> list[Decimal] | None:
    """Number parameters, or None when any is null (the result is then null)."""
    numbers = [as_number(value, _where(name)) for value in values]
    if any(number is None for number in numbers):
        return None
    return numbers  # type: ignore[return-value]


def _to_integral(number: Value, name: str, rounding: str) -> Value:
    value = as_number(number, _where(name))
    if value is None:
        return None
    return arithmetic(
        lambda v: v.to_integral_value(rounding=rounding, context=NUMBER_CONTEXT), value
    )


# Salesforce's CEILING and FLOOR round away from and towards zero (CEILING(-2.5) = -3,
# FLOOR(-2.5) = -2); MCEILING and MFLOOR are the mathematical ceiling and floor.
@_eager("CEILING", 1)
def _ceiling(number: Value) -> Value:
    return _to_integral(number, "CEILING", ROUND_UP)


@_eager("FLOOR", 1)
def _floor(number: Value) -> Value:
    return _to_integral(number, "FLOOR", ROUND_DOWN)


@_eager("MCEILING", 1)
def _mceiling(number: Value) -> Value:
    return _to_integral(number, "MCEILING", ROUND_CEILING)


@_eager("MFLOOR", 1)
def _mfloor(number: Value) -> Value:
    return _to_integral(number, "MFLOOR", ROUND_FLOOR)


def _quantize(number: Decimal, digits: Decimal, rounding: str) -> Decimal:
    places = dates.whole(digits)
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and -exponent <= places:
        return number  # already no more decimal places than asked for
    places = max(places, -NUMBER_CONTEXT.Emax)
    return arithmetic(
        lambda v: v.quantize(Decimal(1).scaleb(-places), rounding=rounding, context=NUMBER_CONTEXT),
        number,
    )


@_eager("ROUND", 2)
def _round(number: Value, digits: Value) -> Value:
    # Half away from zero, as Salesforce: ROUND(-1.5, 0) = -2; negative digits round to tens.
    values = _numbers("ROUND", number, digits)
    return None if values is None else _quantize(values[0], values[1], ROUND_HALF_UP)


_ZERO = Decimal(0)


@_eager("TRUNC", 1, 2)
def _trunc(number: Value, digits: Value = _ZERO) -> Value:
    values = _numbers("TRUNC", number, digits)
    return None if values is None else _quantize(values[0], values[1], ROUND_DOWN)


def _extreme(name: str, pick: Callable[..., Decimal]) -> Callable[..., Value]:
    def function(*values: Value) -> Value:
        numbers = _numbers(name, *values)
        return None if numbers is None else pick(numbers)

    _eager(name, 1, 1_000)(function)
    return function


_extreme("MAX", max)
_extreme("MIN", min)


@_eager("SQRT", 1)
def _sqrt(number: Value) -> Value:
    value = as_number(number, _where("SQRT"))
    if value is None:
        return None
    if value < 0:
        raise FormulaRuntimeError("SQRT: the number must not be negative")
    return arithmetic(NUMBER_CONTEXT.sqrt, value)


@_eager("EXP", 1)
def _exp(number: Value) -> Value:
    value = as_number(number, _where("EXP"))
    return None if value is None else arithmetic(NUMBER_CONTEXT.exp, value)


def _logarithm(name: str, operation: Callable[[Decimal], Decimal]) -> None:
    def function(number: Value) -> Value:
        value = as_number(number, _where(name))
        if value is None:
            return None
        if value <= 0:
            raise FormulaRuntimeError(f"{name}: the number must be positive")
        return arithmetic(operation, value)

    _eager(name, 1)(function)


_logarithm("LN", NUMBER_CONTEXT.ln)
_logarithm("LOG", NUMBER_CONTEXT.log10)


# --- Text, continued -----------------------------------------------------------------


def _pad(name: str, text: Value, length: Value, padding: Value, *, left: bool) -> Value:
    value = as_text(text, _where(name))
    size = _count(length, name)
    pad = as_text(padding, _where(name))
    if size is None or size <= 0:
        return ""
    if size > MAX_TEXT_LENGTH:
        raise FormulaLimitError(
            f"Text result is too long ({size:,} characters). "
            f"Maximum length is {MAX_TEXT_LENGTH:,} characters."
        )
    if len(value) >= size or not pad:
        return value[:size]  # too long: truncated to the length, from the right
    fill = (pad * (size // len(pad) + 1))[: size - len(value)]
    return fill + value if left else value + fill


_SPACE = " "


@_eager("LPAD", 2, 3)
def _lpad(text: Value, length: Value, padding: Value = _SPACE) -> Value:
    return _pad("LPAD", text, length, padding, left=True)


@_eager("RPAD", 2, 3)
def _rpad(text: Value, length: Value, padding: Value = _SPACE) -> Value:
    return _pad("RPAD", text, length, padding, left=False)


@_eager("BR", 0)
def _br() -> Value:
    return "<br>"


@_eager("HYPERLINK", 2, 3)
def _hyperlink(url: Value, friendly_name: Value, target: Value = None) -> Value:
    href = html.escape(as_text(url, _where("HYPERLINK")))
    name = html.escape(as_text(friendly_name, _where("HYPERLINK")))
    window = html.escape(as_text(target, _where("HYPERLINK")) or "_blank")
    return check_text(f'<a href="{href}" target="{window}">{name}</a>')


_CASESAFE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


def casesafe_suffix(record_id: str) -> str:
    """The three characters Salesforce appends to a 15-character id: for each block of
    five characters, a bit per upper-case letter (first character lowest), as a letter."""
    suffix = ""
    for block in range(3):
        bits = 0
        for position, char in enumerate(record_id[block * 5 : block * 5 + 5]):
            if "A" <= char <= "Z":
                bits |= 1 << position
        suffix += _CASESAFE_ALPHABET[bits]
    return suffix


@_eager("CASESAFEID", 1)
def _casesafeid(record_id: Value) -> Value:
    value = as_text(record_id, _where("CASESAFEID"))
    if len(value) in (15, 18):
        return value[:15] + casesafe_suffix(value[:15])
    return value  # not an id: returned unchanged


# --- Picklists -------------------------------------------------------------------------


def _selected(value: Value, name: str) -> list[str]:
    """The values selected in a multi-select picklist ("a;b;c")."""
    return [item for item in as_text(value, _where(name)).split(";") if item]


@_eager("INCLUDES", 2)
def _includes(values: Value, text: Value) -> Value:
    return as_text(text, _where("INCLUDES")) in _selected(values, "INCLUDES")


@_eager("PICKLISTCOUNT", 1)
def _picklistcount(values: Value) -> Value:
    return Decimal(len(_selected(values, "PICKLISTCOUNT")))


@_lazy("ISCLONE", 0, 0)
def _isclone(evaluator: Evaluator, args: tuple[Node, ...]) -> Value:
    return evaluator.context.is_clone


# --- Dates and times -------------------------------------------------------------------


@_lazy("TODAY", 0, 0)
def _today(evaluator: Evaluator, args: tuple[Node, ...]) -> Value:
    # The date in the running user's time zone.
    return dates.date_of(evaluator.now(), evaluator.context.tzinfo)


@_lazy("NOW", 0, 0)
def _now(evaluator: Evaluator, args: tuple[Node, ...]) -> Value:
    return evaluator.now()


@_lazy("TIMENOW", 0, 0)
def _timenow(evaluator: Evaluator, args: tuple[Node, ...]) -> Value:
    # The time of day in GMT, as Salesforce's TIMENOW().
    moment = evaluator.now().time()
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


@_eager("DATE", 3)
def _date(year: Value, month: Value, day: Value) -> Value:
    values = _numbers("DATE", year, month, day)
    return None if values is None else dates.make_date(*values)


@_eager("DATEVALUE", 1)
def _datevalue(value: Value) -> Value:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return dates.parse_date(value, "DATEVALUE")
    if isinstance(value, dt.datetime):
        return value.date()  # the date in GMT
    if isinstance(value, dt.date):
        return value
    raise type_error(_where("DATEVALUE"), "Text, DateTime", value)


@_eager("DATETIMEVALUE", 1)
def _datetimevalue(value: Value) -> Value:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return dates.parse_datetime(value, "DATETIMEVALUE")
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(), tzinfo=dt.UTC)  # midnight GMT
    raise type_error(_where("DATETIMEVALUE"), "Text, Date", value)


@_eager("TIMEVALUE", 1)
def _timevalue(value: Value) -> Value:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return dates.parse_time(value, "TIMEVALUE")
    if isinstance(value, dt.datetime):
        return value.time()  # the time of day in GMT
    if isinstance(value, dt.time):
        return value
    raise type_error(_where("TIMEVALUE"), "Text, DateTime", value)


def _date_part(name: str, part: Callable[[dt.date], int]) -> None:
    def function(value: Value) -> Value:
        day = dates.as_date(value, _where(name))
        return None if day is None else Decimal(part(day))

    _eager(name, 1)(function)


_date_part("YEAR", lambda day: day.year)
_date_part("MONTH", lambda day: day.month)
_date_part("DAY", lambda day: day.day)
_date_part("WEEKDAY", dates.weekday)
_date_part("DAYOFYEAR", lambda day: day.timetuple().tm_yday)
_date_part("ISOWEEK", lambda day: day.isocalendar()[1])
_date_part("ISOYEAR", lambda day: day.isocalendar()[0])


def _time_part(name: str, part: Callable[[dt.time], int]) -> None:
    def function(value: Value) -> Value:
        moment = dates.as_time(value, _where(name))
        return None if moment is None else Decimal(part(moment))

    _eager(name, 1)(function)


_time_part("HOUR", lambda moment: moment.hour)
_time_part("MINUTE", lambda moment: moment.minute)
_time_part("SECOND", lambda moment: moment.second)
_time_part("MILLISECOND", lambda moment: moment.microsecond // 1000)


@_eager("ADDMONTHS", 2)
def _addmonths(value: Value, months: Value) -> Value:
    count = as_number(months, _where("ADDMONTHS"))
    if value is None or count is None:
        return None
    if not isinstance(value, dt.date):
        raise type_error(_where("ADDMONTHS"), "Date, DateTime", value)
    return dates.add_months(value, count)
