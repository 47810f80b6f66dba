"""Dates, datetimes and times as Salesforce formulas see them.

* a Date is a ``datetime.date``; ``date ± number`` moves by whole days (the fraction is
  dropped) and ``date - date`` is a number of days;
* a DateTime is an aware ``datetime.datetime`` in UTC (GMT, as Salesforce stores it);
  ``datetime ± number`` moves by fractional days (to the millisecond) and
  ``datetime - datetime`` is a fractional number of days;
* a Time is a naive ``datetime.time`` (a time of day, no zone); ``time ± number`` moves by
  milliseconds around the clock and ``time - time`` is a number of milliseconds.

Every operation that could leave Python's date range raises FormulaRuntimeError, never
OverflowError or ValueError.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from .errors import FormulaRuntimeError
from .runtime import NUMBER_CONTEXT, UTC, Value, arithmetic, type_error

MILLISECONDS_PER_DAY = 86_400_000
_MICROSECONDS_PER_DAY = Decimal(86_400_000_000)
_OUT_OF_RANGE = "Date is out of range"


def out_of_range() -> FormulaRuntimeError:
    return FormulaRuntimeError(_OUT_OF_RANGE)


def whole(number: Decimal) -> int:
    """The integer part of ``number`` (towards zero)."""
    return int(number.to_integral_value(rounding=ROUND_DOWN))


def add_days(value: dt.date, days: Decimal) -> dt.date:
    """``date + number`` (whole days) or ``datetime + number`` (fractional days)."""
    try:
        if isinstance(value, dt.datetime):
            milliseconds = (days * MILLISECONDS_PER_DAY).to_integral_value(rounding=ROUND_HALF_UP)
            return value + dt.timedelta(milliseconds=int(milliseconds))
        return value + dt.timedelta(days=whole(days))
    except (OverflowError, ValueError, ArithmeticError) as exc:
        raise out_of_range() from exc


def add_milliseconds(value: dt.time, milliseconds: Decimal) -> dt.time:
    """``time + number``: milliseconds, wrapping around midnight."""
    total = (time_milliseconds(value) + whole(milliseconds)) % MILLISECONDS_PER_DAY
    seconds, millisecond = divmod(total, 1000)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    return dt.time(hour, minute, second, millisecond * 1000)


def time_milliseconds(value: dt.time) -> int:
    return ((value.hour * 60 + value.minute) * 60 + value.second) * 1000 + value.microsecond // 1000


def difference(left: dt.date | dt.time, right: dt.date | dt.time) -> Decimal:
    """``left - right`` for two values of the same type (checked by the caller)."""
    if isinstance(left, dt.time) and isinstance(right, dt.time):
        return Decimal(time_milliseconds(left) - time_milliseconds(right))
    if isinstance(left, dt.datetime) and isinstance(right, dt.datetime):
        microseconds = (left - right) // dt.timedelta(microseconds=1)
        return arithmetic(NUMBER_CONTEXT.divide, Decimal(microseconds), _MICROSECONDS_PER_DAY)
    if isinstance(left, dt.date) and isinstance(right, dt.date):
        return Decimal((left - right).days)
    raise FormulaRuntimeError("Incompatible values to subtract")


def add_months(value: dt.date, months: Decimal) -> dt.date:
    """ADDMONTHS: same day of the month, or the month's last day when the start date is the
    last day of its month or the day does not exist in the resulting month."""
    try:
        index = value.year * 12 + value.month - 1 + whole(months)
        year, month = divmod(index, 12)
        month += 1
        if not dt.MINYEAR <= year <= dt.MAXYEAR:
            raise out_of_range()
        last = calendar.monthrange(year, month)[1]
        start_last = calendar.monthrange(value.year, value.month)[1]
        day = last if value.day == start_last else min(value.day, last)
        return value.replace(year=year, month=month, day=day)
    except (OverflowError, ValueError) as exc:
        raise out_of_range() from exc


def make_date(year: Decimal, month: Decimal, day: Decimal) -> dt.date:
    try:
        return dt.date(whole(year), whole(month), whole(day))
    except (OverflowError, ValueError) as exc:
        raise FormulaRuntimeError("DATE: not a valid date") from exc


def weekday(value: dt.date) -> int:
    """1 for Sunday, 2 for Monday ... 7 for Saturday."""
    return value.isoweekday() % 7 + 1


# --- Text conversions ---------------------------------------------------------------------

_DATE_TEXT = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_TIME_TEXT = re.compile(r"([0-9]{1,2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]{1,3}))?)?")


def _shown(text: str) -> str:
    return text if len(text) <= 40 else text[:40] + "..."


def _parse_time(text: str, function: str, original: str) -> dt.time:
    match = _TIME_TEXT.fullmatch(text)
    if match is None:
        raise FormulaRuntimeError(f"{function}: '{_shown(original)}' is not a valid time")
    hour, minute, second, fraction = match.groups()
    try:
        milliseconds = int((fraction or "0").ljust(3, "0"))
        return dt.time(int(hour), int(minute), int(second or 0), milliseconds * 1000)
    except ValueError as exc:
        raise FormulaRuntimeError(f"{function}: '{_shown(original)}' is not a valid time") from exc


def _split_datetime(text: str, function: str) -> tuple[dt.date, str]:
    """The date at the start of ``text`` and the rest after a " " or "T" separator."""
    stripped = text.strip()
    match = _DATE_TEXT.match(stripped)
    rest = stripped[match.end() :] if match else ""
    if match is None or (rest and rest[0] not in " T"):
        raise FormulaRuntimeError(f"{function}: '{_shown(text)}' is not a valid date")
    try:
        day = dt.date(*(int(part) for part in match.groups()))
    except ValueError as exc:
        raise FormulaRuntimeError(f"{function}: '{_shown(text)}' is not a valid date") from exc
    return day, rest[1:].strip()


def parse_date(text: str, function: str) -> dt.date:
    """ "YYYY-MM-DD", optionally followed by a time (which is ignored)."""
    return _split_datetime(text, function)[0]


def parse_datetime(text: str, function: str) -> dt.datetime:
    """ "YYYY-MM-DD HH:MM:SS" (GMT; seconds, milliseconds and a final "Z" optional) or a
    plain date, which is midnight GMT."""
    day, rest = _split_datetime(text, function)
    if rest.endswith("Z"):
        rest = rest[:-1]
    moment = _parse_time(rest, function, text) if rest else dt.time()
    return dt.datetime.combine(day, moment, tzinfo=UTC)


def parse_time(text: str, function: str) -> dt.time:
    """ "HH:MM:SS.MMM" (seconds and milliseconds optional, a final "Z" allowed)."""
    stripped = text.strip()
    return _parse_time(stripped[:-1] if stripped.endswith("Z") else stripped, function, text)


def format_value(value: dt.date | dt.time) -> str:
    """TEXT() of a date ("2024-05-31"), datetime ("2024-05-31 14:05:09Z", GMT) or time
    ("14:05:09.250Z")."""
    if isinstance(value, dt.datetime):
        moment = value.astimezone(UTC)
        return f"{moment.date().isoformat()} {moment:%H:%M:%S}Z"
    if isinstance(value, dt.date):
        return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
    return f"{value:%H:%M:%S}.{value.microsecond // 1000:03d}Z"


def as_date(value: Value, where: str) -> dt.date | None:
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    raise type_error(where, "Date", value)


def as_time(value: Value, where: str) -> dt.time | None:
    if value is None or isinstance(value, dt.time):
        return value
    raise type_error(where, "Time", value)


def date_of(moment: dt.datetime, zone: dt.tzinfo) -> dt.date:
    try:
        return moment.astimezone(zone).date()
    except (OverflowError, ValueError) as exc:
        raise out_of_range() from exc
