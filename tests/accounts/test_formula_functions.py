"""Dates, datetimes and times, the other functions real rules use, and blank handling."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from accounts.formula import (
    MAX_TEXT_LENGTH,
    EvaluationContext,
    FormulaLimitError,
    FormulaRuntimeError,
    parse,
)

# Friday 1 March 2024, 23:30 GMT: already Saturday 2 March in Paris, still Friday in LA.
NOW = dt.datetime(2024, 3, 1, 23, 30, 15, 250_000, tzinfo=dt.UTC)
SCHEMA = {
    "My_Date__c": "date",
    "Begin_Date__c": "date",
    "Signed_At__c": "datetime",
    "Opens_At__c": "time",
    "Amount__c": "currency",
    "Count__c": "number",
    "Title": "text",
    "Skills__c": "multipicklist",
}


def evaluate(text: str, fields: dict[str, Any] | None = None, **context: Any) -> Any:
    context.setdefault("now", NOW)
    return parse(text).evaluate(EvaluationContext(fields=fields or {}, **context))


def checked(text: str, fields: dict[str, Any] | None = None, **context: Any) -> Any:
    context.setdefault("now", NOW)
    return parse(text, schema=SCHEMA).evaluate(EvaluationContext(fields=fields or {}, **context))


def runtime_error(text: str, fields: dict[str, Any] | None = None) -> str:
    with pytest.raises(FormulaRuntimeError) as caught:
        evaluate(text, fields)
    return caught.value.message


# --- The clock and the time zone --------------------------------------------------------------


def test_today_is_the_date_in_the_running_users_time_zone() -> None:
    assert evaluate("TODAY()") == dt.date(2024, 3, 1)
    assert evaluate("TODAY()", timezone="Europe/Paris") == dt.date(2024, 3, 2)
    assert evaluate("TODAY()", timezone="America/Los_Angeles") == dt.date(2024, 3, 1)
    assert evaluate("TODAY()", timezone=ZoneInfo("Asia/Tokyo")) == dt.date(2024, 3, 2)


def test_now_and_timenow_are_in_gmt_whatever_the_time_zone() -> None:
    assert evaluate("NOW()", timezone="Europe/Paris") == NOW
    assert evaluate("TIMENOW()", timezone="Europe/Paris") == dt.time(23, 30, 15, 250_000)


def test_the_clock_may_be_a_callable_read_once_per_evaluation() -> None:
    calls: list[int] = []

    def clock() -> dt.datetime:
        calls.append(1)
        return NOW + dt.timedelta(days=len(calls))

    assert evaluate("NOW() - NOW()", now=clock) == 0
    assert calls == [1]


def test_a_naive_clock_reads_as_gmt() -> None:
    assert evaluate("NOW()", now=dt.datetime(2024, 1, 1, 12)) == dt.datetime(
        2024, 1, 1, 12, tzinfo=dt.UTC
    )


def test_without_a_clock_the_real_time_is_used() -> None:
    before = dt.datetime.now(dt.UTC)
    value = parse("NOW()").evaluate(EvaluationContext())
    assert before <= value <= dt.datetime.now(dt.UTC)


def test_an_unknown_time_zone_is_refused_when_the_context_is_built() -> None:
    with pytest.raises(ValueError, match="Unknown time zone"):
        EvaluationContext(timezone="Mars/Olympus")


# --- Building and reading dates ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("DATE(2024, 2, 29)", dt.date(2024, 2, 29)),
        ("DATE(2024, 2, NULL)", None),
        ('DATEVALUE("2024-05-31")', dt.date(2024, 5, 31)),
        ('DATEVALUE("2024-05-31 23:59:59")', dt.date(2024, 5, 31)),
        ('DATEVALUE("")', None),
        ('DATETIMEVALUE("2024-05-31 14:05:09")', dt.datetime(2024, 5, 31, 14, 5, 9, tzinfo=dt.UTC)),
        ('DATETIMEVALUE("2024-05-31")', dt.datetime(2024, 5, 31, tzinfo=dt.UTC)),
        ("DATETIMEVALUE(DATE(2024, 5, 31))", dt.datetime(2024, 5, 31, tzinfo=dt.UTC)),
        ('TIMEVALUE("17:30:45.125")', dt.time(17, 30, 45, 125_000)),
        ('TIMEVALUE("08:00")', dt.time(8)),
        ("DATEVALUE(NOW())", dt.date(2024, 3, 1)),
        ("TIMEVALUE(NOW())", dt.time(23, 30, 15, 250_000)),
        ("YEAR(DATE(2024, 3, 9))", 2024),
        ("MONTH(DATE(2024, 3, 9))", 3),
        ("DAY(DATE(2024, 3, 9))", 9),
        ("DAYOFYEAR(DATE(2024, 3, 1))", 61),
        ("ISOWEEK(DATE(2024, 12, 30))", 1),
        ("ISOYEAR(DATE(2024, 12, 30))", 2025),
        ("HOUR(TIMEVALUE('17:30:45.125'))", 17),
        ("MINUTE(TIMEVALUE('17:30:45.125'))", 30),
        ("SECOND(TIMEVALUE('17:30:45.125'))", 45),
        ("MILLISECOND(TIMEVALUE('17:30:45.125'))", 125),
        ("YEAR(NULL)", None),
    ],
)  # fmt: skip
def test_dates_are_built_and_read(text: str, expected: Any) -> None:
    assert evaluate(text) == expected


@pytest.mark.parametrize(
    ("day", "weekday"),
    [((2024, 3, 3), 1), ((2024, 3, 4), 2), ((2024, 3, 8), 6), ((2024, 3, 9), 7)],
)
def test_weekday_counts_from_sunday(day: tuple[int, int, int], weekday: int) -> None:
    assert evaluate("WEEKDAY(d)", {"d": dt.date(*day)}) == weekday


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("DATE(2023, 2, 29)", "DATE: not a valid date"),
        ("DATE(99999, 1, 1)", "DATE: not a valid date"),
        ('DATEVALUE("31/05/2024")', "DATEVALUE: '31/05/2024' is not a valid date"),
        ('DATEVALUE("2024-02-30")', "DATEVALUE: '2024-02-30' is not a valid date"),
        ('DATETIMEVALUE("2024-05-31 25:00:00")', "is not a valid time"),
        ('TIMEVALUE("noon")', "TIMEVALUE: 'noon' is not a valid time"),
        ("DATE(9999, 12, 31) + 1", "Date is out of range"),
        ("DATE(2024, 1, 1) + 10000000000", "Date is out of range"),
        ("NOW() + 1E30", "Date is out of range"),
        ("ADDMONTHS(DATE(9999, 12, 1), 1)", "Date is out of range"),
    ],
)
def test_invalid_dates_are_runtime_errors(text: str, message: str) -> None:
    assert message in runtime_error(text.replace("1E30", "1" + "0" * 30))


# --- Date arithmetic --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("DATE(2024, 2, 28) + 2", dt.date(2024, 3, 1)),
        ("2 + DATE(2024, 2, 28)", dt.date(2024, 3, 1)),
        ("DATE(2024, 3, 1) - 1", dt.date(2024, 2, 29)),
        ("DATE(2024, 3, 1) + 1.9", dt.date(2024, 3, 2)),
        ("DATE(2024, 3, 1) - DATE(2024, 1, 1)", 60),
        ("DATE(2024, 1, 1) - DATE(2024, 3, 1)", -60),
        ("NOW() + 0.5", NOW + dt.timedelta(hours=12)),
        ("NOW() - 1/24", NOW - dt.timedelta(hours=1)),
        ("NOW() - DATETIMEVALUE('2024-03-01 11:30:15.250')", Decimal("0.5")),
        ("TIMEVALUE('23:59:59.500') + 1000", dt.time(0, 0, 0, 500_000)),
        ("TIMEVALUE('00:00:00') - 1", dt.time(23, 59, 59, 999_000)),
        ("TIMEVALUE('10:00:00') - TIMEVALUE('09:59:00')", 60_000),
        ("DATE(2024, 3, 1) + NULL", None),
        ("NULL - DATE(2024, 3, 1)", None),
        ("DATE(2024, 3, 1) > DATE(2024, 2, 29)", True),
        ("DATE(2024, 3, 1) = DATE(2024, 3, 1)", True),
        ("NOW() >= NOW()", True),
        ("TIMEVALUE('08:00:00') < TIMEVALUE('17:00:00')", True),
        ("DATE(2024, 3, 1) < NULL", None),
    ],
)
def test_date_arithmetic_and_comparisons(text: str, expected: Any) -> None:
    assert evaluate(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "DATE(2024, 1, 1) + DATE(2024, 1, 1)",
        "DATE(2024, 1, 1) - NOW()",
        "DATE(2024, 1, 1) = NOW()",
        "DATE(2024, 1, 1) < 3",
        "-DATE(2024, 1, 1)",
        "DATE(2024, 1, 1) * 2",
        "YEAR(NOW())",
        "HOUR(NOW())",
    ],
)
def test_unchecked_date_type_mistakes_are_runtime_errors(text: str) -> None:
    assert runtime_error(text).startswith("Incorrect parameter type")


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        ((2024, 1, 31), 1, (2024, 2, 29)),
        ((2023, 1, 31), 1, (2023, 2, 28)),
        ((2024, 2, 29), 12, (2025, 2, 28)),
        ((2023, 2, 28), 1, (2023, 3, 31)),  # the last day of a month stays the last day
        ((2024, 1, 30), 1, (2024, 2, 29)),
        ((2024, 1, 15), 1, (2024, 2, 15)),
        ((2024, 3, 31), -1, (2024, 2, 29)),
        ((2024, 1, 15), -13, (2022, 12, 15)),
        ((2024, 1, 15), 1.9, (2024, 2, 15)),
    ],
)
def test_addmonths_follows_salesforces_end_of_month_rule(
    start: tuple[int, int, int], months: float, expected: tuple[int, int, int]
) -> None:
    assert evaluate(f"ADDMONTHS(d, {months})", {"d": dt.date(*start)}) == dt.date(*expected)


def test_addmonths_keeps_the_time_of_a_datetime() -> None:
    assert evaluate("ADDMONTHS(NOW(), 1)") == dt.datetime(2024, 4, 1, 23, 30, 15, 250_000, dt.UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("TEXT(DATE(2024, 3, 9))", "2024-03-09"),
        ("TEXT(DATE(33, 3, 9))", "0033-03-09"),
        ("TEXT(NOW())", "2024-03-01 23:30:15Z"),
        ("TEXT(d)", "2024-03-01 22:00:00Z"),
        ("TEXT(TIMEVALUE('08:05:09.5'))", "08:05:09.500Z"),
    ],
)
def test_text_formats_dates_as_salesforce_does(text: str, expected: str) -> None:
    paris = dt.datetime(2024, 3, 1, 23, tzinfo=ZoneInfo("Europe/Paris"))
    assert evaluate(text, {"d": paris}) == expected


def test_date_values_arrive_as_python_objects() -> None:
    fields = {
        "d": dt.date(2024, 3, 9),
        "naive": dt.datetime(2024, 3, 9, 12),
        "aware": dt.datetime(2024, 3, 9, 13, tzinfo=ZoneInfo("Europe/Paris")),
        "t": dt.time(9, 30),
    }
    assert evaluate("naive = aware", fields) is True
    assert evaluate("d + 1", fields) == dt.date(2024, 3, 10)
    assert evaluate("HOUR(t)", fields) == 9


def test_the_weekend_rule_fires_on_saturdays_and_sundays_only() -> None:
    formula = parse(
        "CASE(MOD(My_Date__c - DATE(1900, 1, 7), 7), 0, 0, 6, 0, 1) = 0",
        schema=SCHEMA,
        result="checkbox",
    )
    week = [dt.date(2024, 3, 4) + dt.timedelta(days=n) for n in range(7)]  # Monday to Sunday
    fired = [
        formula.evaluate_condition(EvaluationContext(fields={"My_Date__c": day})) for day in week
    ]
    assert fired == [False, False, False, False, False, True, True]
    # Before 1900 the difference is negative; MOD keeps the sign of the dividend, as
    # Salesforce's does, so the published rule only works for later dates.
    assert not formula.evaluate_condition(EvaluationContext())  # blank date: no error


def test_a_day_of_the_month_rule_works_on_a_date_field() -> None:
    formula = parse("DAY(Begin_Date__c) > 15", schema=SCHEMA, result="checkbox")
    assert formula.evaluate_condition(
        EvaluationContext(fields={"Begin_Date__c": dt.date(2024, 3, 16)})
    )
    assert not formula.evaluate_condition(
        EvaluationContext(fields={"Begin_Date__c": dt.date(2024, 3, 15)})
    )
    assert not formula.evaluate_condition(EvaluationContext())


def test_a_date_in_the_past_rule() -> None:
    formula = parse("Begin_Date__c < TODAY()", schema=SCHEMA, result="checkbox")
    context = EvaluationContext(fields={"Begin_Date__c": dt.date(2024, 3, 1)}, now=NOW)
    assert formula.evaluate_condition(context) is False
    paris = EvaluationContext(
        fields={"Begin_Date__c": dt.date(2024, 3, 1)}, now=NOW, timezone="Europe/Paris"
    )
    assert formula.evaluate_condition(paris) is True


# --- Numbers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ROUND(1234.5678, 2)", Decimal("1234.57")),
        ("ROUND(2.5, 0)", 3),
        ("ROUND(-2.5, 0)", -3),
        ("ROUND(1250, -2)", 1300),
        ("ROUND(1.5, 5)", Decimal("1.5")),
        ("ROUND(NULL, 1)", None),
        ("CEILING(2.1)", 3),
        ("CEILING(-2.1)", -3),
        ("FLOOR(2.9)", 2),
        ("FLOOR(-2.9)", -2),
        ("MCEILING(-2.1)", -2),
        ("MFLOOR(-2.1)", -3),
        ("TRUNC(-2.57)", -2),
        ("TRUNC(2.57, 1)", Decimal("2.5")),
        ("MAX(1, 5, 3)", 5),
        ("MIN(1, -5, 3)", -5),
        ("MAX(1, NULL)", None),
        ("SQRT(16)", 4),
        ("EXP(0)", 1),
        ("LN(1)", 0),
        ("LOG(1000)", 3),
        ("MOD(7, -3)", 1),
        ("ABS(-0)", 0),
    ],
)
def test_number_functions(text: str, expected: Any) -> None:
    assert evaluate(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("SQRT(-1)", "SQRT: the number must not be negative"),
        ("LN(0)", "LN: the number must be positive"),
        ("LOG(-1)", "LOG: the number must be positive"),
        ("1 / 0", "Division by zero"),
        ("MOD(5, 0)", "Division by zero"),
    ],
)
def test_number_functions_outside_their_domain_are_runtime_errors(text: str, message: str) -> None:
    assert runtime_error(text) == message


def test_exp_of_a_large_number_is_a_limit_error() -> None:
    with pytest.raises(FormulaLimitError, match="Number is too large"):
        evaluate("EXP(1000)")


# --- Text -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('LPAD("42", 5, "0")', "00042"),
        ('LPAD("42", 5, "ab")', "aba42"),
        ('LPAD("42", 4)', "  42"),
        ('LPAD("my_company.com", 2)', "my"),
        ('RPAD("42", 5, "0")', "42000"),
        ('RPAD("abcdef", 3)', "abc"),
        ('LPAD("42", 0)', ""),
        ('LPAD("42", NULL)', ""),
        ('LPAD("42", 5, "")', "42"),
        ("BR()", "<br>"),
        ('HYPERLINK("https://x.test/?a=1&b=2", "Open")',
         '<a href="https://x.test/?a=1&amp;b=2" target="_blank">Open</a>'),
        ('HYPERLINK("/home", "<Home>", "_self")',
         '<a href="/home" target="_self">&lt;Home&gt;</a>'),
    ],
)  # fmt: skip
def test_padding_and_html_functions(text: str, expected: str) -> None:
    assert evaluate(text) == expected


def test_padding_beyond_the_text_limit_is_refused() -> None:
    with pytest.raises(FormulaLimitError, match="Text result is too long"):
        evaluate(f'LPAD("a", {MAX_TEXT_LENGTH + 1}, "b")')


@pytest.mark.parametrize(
    ("record_id", "expected"),
    [
        ("001A0000006Vm9r", "001A0000006Vm9rIAC"),
        ("001a0000006vm9r", "001a0000006vm9rAAA"),
        ("005XXXXXXXXXXXX", "005XXXXXXXXXXXXY55"),
        ("001A0000006Vm9rXYZ", "001A0000006Vm9rIAC"),
        ("not an id", "not an id"),
    ],
)
def test_casesafeid_appends_salesforces_case_suffix(record_id: str, expected: str) -> None:
    assert evaluate("CASESAFEID(x)", {"x": record_id}) == expected


# --- Picklists, clones, globals ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "includes", "count"),
    [
        ("Apex;Flow", True, 2),
        (["Flow", "Apex", "LWC"], True, 3),
        ("Flow", False, 1),
        ("", False, 0),
        (None, False, 0),
    ],
)
def test_includes_and_picklistcount_read_multiselect_values(
    value: Any, includes: bool, count: int
) -> None:
    fields = {"Skills__c": value}
    assert checked('INCLUDES(Skills__c, "Apex")', fields) is includes
    assert checked("PICKLISTCOUNT(Skills__c)", fields) == count


def test_isclone_reads_the_context_flag() -> None:
    assert evaluate("ISCLONE()") is False
    assert evaluate("ISCLONE()", is_clone=True) is True


def test_setup_and_permission_globals_are_read_from_the_globals() -> None:
    formula = parse(
        "$Permission.Manage_Users || Count__c > $Setup.Org_Settings__c.Max__c",
        schema={
            "Count__c": "number",
            "$Permission.Manage_Users": "checkbox",
            "$Setup.Org_Settings__c.Max__c": "number",
        },
    )
    base = {"$Setup.Org_Settings__c.Max__c": 10}
    fields = {"Count__c": 11}
    assert formula.evaluate(EvaluationContext(fields=fields, globals=base)) is True
    assert formula.evaluate(EvaluationContext(fields={"Count__c": 9}, globals=base)) is False
    granted = base | {"$Permission.Manage_Users": True}
    assert formula.evaluate(EvaluationContext(fields={"Count__c": 9}, globals=granted)) is True


def test_the_bang_operator_negates() -> None:
    assert evaluate("!TRUE") is False
    assert evaluate("!!TRUE") is True
    assert evaluate("!(1 > 2) && TRUE") is True


# --- Treat blank fields as blanks / as zeroes -------------------------------------------------


def test_blank_numbers_are_blanks_by_default() -> None:
    assert checked("Amount__c + 1") is None
    assert checked("ISBLANK(Amount__c)") is True
    assert checked("Amount__c > 0") is None


def test_blank_numbers_are_zeroes_with_the_option() -> None:
    assert checked("Amount__c + 1", blank_as_zero=True) == 1
    assert checked("ISBLANK(Amount__c)", blank_as_zero=True) is False
    assert checked("Amount__c = 0", blank_as_zero=True) is True
    assert checked("Count__c * 2", {"Count__c": 4}, blank_as_zero=True) == 8


def test_blank_as_zero_leaves_text_and_dates_alone() -> None:
    assert checked("ISBLANK(Title) && ISBLANK(Begin_Date__c)", blank_as_zero=True) is True


def test_blank_as_zero_applies_to_prior_values() -> None:
    text = "PRIORVALUE(Amount__c) + 1"
    assert checked(text, {"Amount__c": 5}, prior={}, blank_as_zero=True) == 1
    assert checked(text, {"Amount__c": 5}, prior={}) is None
