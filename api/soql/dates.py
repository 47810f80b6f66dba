"""SOQL's date literals (TODAY, LAST_N_DAYS:n, THIS_MONTH, ...) as ranges of instants.

A literal names a span of whole days in a time zone (the org's; Django's current
time zone, UTC by default): ``[start, end)``. ``CreatedDate = TODAY`` is
``start <= CreatedDate < end``, ``> TODAY`` is ``>= end``, and so on. Weeks start on
Sunday, as in Salesforce's default (en_US) locale.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta, tzinfo

from django.utils import timezone

Span = tuple[date, date]  # first day, day after the last


def _month_start(day: date, months: int = 0) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _week_start(day: date, weeks: int = 0) -> date:
    # date.weekday(): Monday 0 ... Sunday 6; Sunday starts the week.
    return day - timedelta(days=(day.weekday() + 1) % 7) + timedelta(weeks=weeks)


def _year(today: date, years: int) -> Span:
    return date(today.year + years, 1, 1), date(today.year + years + 1, 1, 1)


def _days(first: int, last: int) -> Callable[[date], Span]:
    return lambda t: (t + timedelta(days=first), t + timedelta(days=last + 1))


DATE_LITERALS: dict[str, Callable[[date], Span]] = {
    "YESTERDAY": _days(-1, -1),
    "TODAY": _days(0, 0),
    "TOMORROW": _days(1, 1),
    "LAST_WEEK": lambda t: (_week_start(t, -1), _week_start(t)),
    "THIS_WEEK": lambda t: (_week_start(t), _week_start(t, 1)),
    "NEXT_WEEK": lambda t: (_week_start(t, 1), _week_start(t, 2)),
    "LAST_MONTH": lambda t: (_month_start(t, -1), _month_start(t)),
    "THIS_MONTH": lambda t: (_month_start(t), _month_start(t, 1)),
    "NEXT_MONTH": lambda t: (_month_start(t, 1), _month_start(t, 2)),
    "LAST_90_DAYS": _days(-90, 0),
    "NEXT_90_DAYS": _days(1, 90),
    "LAST_YEAR": lambda t: _year(t, -1),
    "THIS_YEAR": lambda t: _year(t, 0),
    "NEXT_YEAR": lambda t: _year(t, 1),
}

# LAST_N_DAYS:n includes today and the n days before it; NEXT_N_DAYS:n starts tomorrow.
DATE_N_LITERALS: dict[str, Callable[[date, int], Span]] = {
    "LAST_N_DAYS": lambda t, n: (t - timedelta(days=n), t + timedelta(days=1)),
    "NEXT_N_DAYS": lambda t, n: (t + timedelta(days=1), t + timedelta(days=n + 1)),
    "N_DAYS_AGO": lambda t, n: (t - timedelta(days=n), t - timedelta(days=n - 1)),
    "LAST_N_WEEKS": lambda t, n: (_week_start(t, -n), _week_start(t)),
    "NEXT_N_WEEKS": lambda t, n: (_week_start(t, 1), _week_start(t, n + 1)),
    "LAST_N_MONTHS": lambda t, n: (_month_start(t, -n), _month_start(t)),
    "NEXT_N_MONTHS": lambda t, n: (_month_start(t, 1), _month_start(t, n + 1)),
    "LAST_N_YEARS": lambda t, n: (date(t.year - n, 1, 1), date(t.year, 1, 1)),
    "NEXT_N_YEARS": lambda t, n: (date(t.year + 1, 1, 1), date(t.year + n + 1, 1, 1)),
}


def date_literal_range(
    name: str, n: int | None = None, *, zone: tzinfo | None = None
) -> tuple[datetime, datetime]:
    """The instants ``[start, end)`` the literal ``name`` (with ``n``) covers now in ``zone``."""
    zone = zone or timezone.get_current_timezone()
    today = timezone.now().astimezone(zone).date()
    if n is None:
        first, after = DATE_LITERALS[name](today)
    else:
        first, after = DATE_N_LITERALS[name](today, n)
    return (
        datetime.combine(first, time.min, tzinfo=zone),
        datetime.combine(after, time.min, tzinfo=zone),
    )
