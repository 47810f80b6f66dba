"""The type check: with a schema, parse reports what Salesforce reports when a formula is saved."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from accounts.formula import (
    EvaluationContext,
    FormulaSyntaxError,
    FormulaTypeError,
    parse,
)

SCHEMA = {
    "Id": "id",
    "Username": "email",
    "FirstName": "text",
    "Title": "text",
    "Department": "picklist",
    "Skills__c": "multipicklist",
    "Amount__c": "currency",
    "Share__c": "percent",
    "Count__c": "number",
    "IsActive": "checkbox",
    "Begin_Date__c": "date",
    "Signed_At__c": "datetime",
    "Opens_At__c": "time",
    "Profile.Name": "text",
    "$User.Department": "text",
    "$Profile.Name": "text",
    "$Permission.Manage_Users": "checkbox",
    "$Setup.Org_Settings__c.Max_Users__c": "number",
}


def type_error(text: str, **kwargs: Any) -> FormulaSyntaxError:
    with pytest.raises(FormulaSyntaxError) as caught:
        parse(text, schema=SCHEMA, **kwargs)
    return caught.value


def checks(text: str, **kwargs: Any) -> str | None:
    return parse(text, schema=SCHEMA, **kwargs).result_type


# --- Salesforce's messages, with positions ---------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ("ISBLANK(Departmnet)", "Field Departmnet does not exist. Check spelling.", 8),
        ("$User.Departmnet", "Field $User.Departmnet does not exist. Check spelling.", 0),
        (
            "LEN(Count__c) > 1",
            "Incorrect parameter type for function 'LEN()'. Expected Text, received Number",
            4,
        ),
        (
            "1 + FirstName",
            "Incorrect parameter type for operator '+'. Expected Number, Date, DateTime, "
            "received Text",
            4,
        ),
        ('IF(IsActive, 1, "a")', "Incorrect argument type for function 'IF()'.", 16),
        ("LEFT(Title) = 'a'", "Incorrect number of parameters for function 'LEFT()'. "
         "Expected 2, received 1", 0),
        (
            'Department = "Sales"',
            "Field Department is a picklist field. Picklist fields are only supported in "
            "certain functions.",
            0,
        ),
        (
            "ISBLANK(FirstName) && CONTAINS(Skills__c, 'a')",
            "Field Skills__c is a multi-select picklist field. Multi-select picklist fields "
            "are only supported in certain functions.",
            31,
        ),
        (
            "FirstName",
            "Formula result is data type (Text), incompatible with expected data type "
            "(true or false).",
            0,
        ),
    ],
)  # fmt: skip
def test_each_save_error_has_salesforces_wording_and_a_position(
    text: str, message: str, position: int
) -> None:
    error = type_error(text, result="checkbox")
    assert (error.message, error.position) == (message, position)


def test_type_errors_are_syntax_errors_with_a_line_and_column() -> None:
    error = type_error("AND(\n  IsActive,\n  LEN(Count__c) > 1\n)")
    assert isinstance(error, FormulaTypeError)
    assert (error.line, error.column) == (3, 7)
    assert str(error).endswith("(at line 3, column 7)")


def test_an_unknown_field_is_still_a_plain_syntax_error() -> None:
    error = type_error("Departmnet")
    assert type(error) is FormulaSyntaxError


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('"a" + 1', "operator '+'. Expected Text, received Number"),
        ("TRUE + 1", "operator '+'. Expected Number, Date, DateTime, Time, Text, received Boolean"),
        ("Begin_Date__c + Begin_Date__c", "operator '+'. Expected Number, received Date"),
        ("1 - Begin_Date__c", "operator '-'. Expected Number, received Date"),
        ("Begin_Date__c - Signed_At__c", "operator '-'. Expected Number, Date, received DateTime"),
        ('"a" - "b"', "operator '-'. Expected Number, Date, DateTime, Time, received Text"),
        ("Title * 2", "operator '*'. Expected Number, received Text"),
        ("2 / IsActive", "operator '/'. Expected Number, received Boolean"),
        ("2 ^ Title", "operator '^'. Expected Number, received Text"),
        ("-Title", "operator '-'. Expected Number, received Text"),
        ("!Title", "operator '!'. Expected Boolean, received Text"),
        ("Title & 1", "operator '&'. Expected Text, received Number"),
        ("IsActive && 1", "operator '&&'. Expected Boolean, received Number"),
        ("Title || IsActive", "operator '||'. Expected Boolean, received Text"),
        ("Title = 1", "operator '='. Expected Text, received Number"),
        ("Begin_Date__c = Signed_At__c", "operator '='. Expected Date, received DateTime"),
        ("IsActive < TRUE", "operator '<'. Expected Number, Text, Date, DateTime, Time, "
         "received Boolean"),
        ("Count__c >= Title", "operator '>='. Expected Number, received Text"),
        ("IF(Title, 1, 2)", "function 'IF()'. Expected Boolean, received Text"),
        ("NOT(1)", "function 'NOT()'. Expected Boolean, received Number"),
        ("AND(IsActive, Title)", "function 'AND()'. Expected Boolean, received Text"),
        ("TEXT(IsActive)", "function 'TEXT()'. Expected Number, Text, Date, DateTime, Time, "
         "Picklist, received Boolean"),
        ("ISPICKVAL(Title, 'x')", "function 'ISPICKVAL()'. Expected Picklist, received Text"),
        ("ISPICKVAL(Department, 1)", "function 'ISPICKVAL()'. Expected Text, received Number"),
        ("INCLUDES(Title, 'x')", "function 'INCLUDES()'. Expected MultiPicklist, received Text"),
        ("YEAR(Signed_At__c)", "function 'YEAR()'. Expected Date, received DateTime"),
        ("HOUR(Signed_At__c)", "function 'HOUR()'. Expected Time, received DateTime"),
        ("DATE(2024, '1', 1)", "function 'DATE()'. Expected Number, received Text"),
        ("ADDMONTHS(Opens_At__c, 1)", "function 'ADDMONTHS()'. Expected Date, DateTime, "
         "received Time"),
        ("MAX(1, 2, Title)", "function 'MAX()'. Expected Number, received Text"),
        ("CASE(Count__c, 'a', 1, 2)", "function 'CASE()'. Expected Number, received Text"),
        ("CASE(Department, 1, 1, 2)", "function 'CASE()'. Expected Text, received Number"),
        ("BLANKVALUE(Title, 1)", "function 'BLANKVALUE()'. Expected Text, received Number"),
        ("ISPICKVAL(PRIORVALUE(Title), 'a')", "function 'ISPICKVAL()'. Expected Picklist, "
         "received Text"),
        ("TEXT(PRIORVALUE(Skills__c))", "function 'TEXT()'. Expected Number, Text, Date, "
         "DateTime, Time, Picklist, received MultiPicklist"),
    ],
)  # fmt: skip
def test_wrong_parameter_types_are_reported_as_salesforce_does(text: str, message: str) -> None:
    assert type_error(text).message == f"Incorrect parameter type for {message}"


def test_a_parameter_type_error_points_at_the_argument() -> None:
    text = 'AND(IsActive, LEFT(Title, "3") = "abc")'
    assert type_error(text).position == text.index('"3"')


@pytest.mark.parametrize(
    "text",
    [
        'CASE(Count__c, 1, "one", 2, 2, "other")',
        'CASE(Count__c, 1, "one", 2, "two", 3)',
        "BLANKVALUE(Count__c, NULL) & 'x'",
    ],
)
def test_branches_of_different_types_are_refused(text: str) -> None:
    assert type_error(text).message.startswith("Incorrect ")


# --- Picklists ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        'ISPICKVAL(Department, "Sales")',
        'CASE(Department, "Sales", 1, 2) = 1',
        'TEXT(Department) = "Sales"',
        "ISBLANK(Department)",
        "ISCHANGED(Department)",
        'ISPICKVAL(PRIORVALUE(Department), "Sales")',
        'INCLUDES(Skills__c, "Apex")',
        "ISBLANK(Skills__c)",
        "PICKLISTCOUNT(Skills__c) > 2",
        "ISCHANGED(Skills__c)",
        'INCLUDES(PRIORVALUE(Skills__c), "Apex")',
    ],
)
def test_picklists_are_accepted_in_the_functions_that_support_them(text: str) -> None:
    assert checks(text, result="checkbox") == "Boolean"


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ('Department & ""', 0),
        ('LEN(Department) > 0', 4),
        ('ISNULL(Department)', 7),
        ('IF(IsActive, Department, "x") = "x"', 13),
        ('ISPICKVAL(Skills__c, "x")', 10),
        ('PICKLISTCOUNT(Department) > 0', 14),
        ('CASE(Skills__c, "a", 1, 2) = 1', 5),
    ],
)  # fmt: skip
def test_picklists_anywhere_else_are_refused_at_the_field(text: str, position: int) -> None:
    error = type_error(text)
    assert "picklist field" in error.message
    assert error.position == position


# --- Inferred and expected result types -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Amount__c * 2", "Number"),
        ("Share__c + Count__c", "Number"),
        ('FirstName & " " & Title', "Text"),
        ("$User.Department", "Text"),
        ("Username", "Text"),
        ("Id", "Text"),
        ("Begin_Date__c + 1", "Date"),
        ("1 + Begin_Date__c", "Date"),
        ("Begin_Date__c - Begin_Date__c", "Number"),
        ("Signed_At__c - 0.5", "DateTime"),
        ("Signed_At__c - NOW()", "Number"),
        ("Opens_At__c + 1000", "Time"),
        ("Opens_At__c - TIMEVALUE('08:00:00')", "Number"),
        ("TODAY()", "Date"),
        ("ADDMONTHS(Signed_At__c, 1)", "DateTime"),
        ("DATEVALUE(Signed_At__c)", "Date"),
        ("IF(IsActive, NULL, Begin_Date__c)", "Date"),
        ("CASE(Count__c, 1, NULL, 2, 'two', 'other')", "Text"),
        ("NULL", "Null"),
        ("NULL + 1", "Null"),
        ("NULL & 'x'", "Text"),
        ("$Permission.Manage_Users", "Boolean"),
        ("$Setup.Org_Settings__c.Max_Users__c > 10", "Boolean"),
        ("PRIORVALUE(Begin_Date__c)", "Date"),
        ("TEXT(Department)", "Text"),
    ],
)
def test_the_result_type_is_inferred(text: str, expected: str) -> None:
    assert checks(text) == expected


@pytest.mark.parametrize(
    ("text", "result", "message"),
    [
        ("Count__c", "checkbox", "(Number), incompatible with expected data type (true or false)."),
        ("IsActive", "text", "(Boolean), incompatible with expected data type (Text)."),
        ("TODAY()", "datetime", "(Date), incompatible with expected data type (DateTime)."),
        ("Title", "number", "(Text), incompatible with expected data type (Number)."),
        ("PRIORVALUE(Department)", "text",
         "(Picklist), incompatible with expected data type (Text)."),
    ],
)  # fmt: skip
def test_a_result_of_the_wrong_type_is_refused(text: str, result: str, message: str) -> None:
    assert type_error(text, result=result).message == f"Formula result is data type {message}"


def test_a_null_result_is_acceptable_for_any_expected_type() -> None:
    assert checks("NULL", result="checkbox") == "Null"


def test_the_expected_result_is_checked_without_a_schema_too() -> None:
    with pytest.raises(FormulaTypeError, match=r"data type \(Text\)"):
        parse('"yes"', result="checkbox")
    assert parse("Anything__c", result="checkbox").result_type == "Any"


def test_without_a_schema_nothing_is_type_checked() -> None:
    formula = parse('"a" = 1')
    assert formula.result_type is None


def test_an_unknown_expected_result_type_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="Unknown result type"):
        parse("TRUE", result="boolean-ish")


# --- The schema -------------------------------------------------------------------------------


def test_schema_names_and_type_names_are_case_insensitive() -> None:
    formula = parse("ISBLANK(title) && $user.department = 'x'", schema={"Title": "TEXT",
                    "$User.Department": "Text"})  # fmt: skip
    assert formula.field_references == {"Title"}
    assert formula.global_references == {"$User.Department"}
    assert formula.field_types == {"Title": "text", "$User.Department": "text"}


def test_permissions_are_checkboxes_whatever_the_schema_says() -> None:
    assert parse("$Permission.X", schema={"$Permission.X": "text"}).result_type == "Boolean"


def test_an_unknown_type_name_in_the_schema_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="Unknown type 'string' for Title"):
        parse("Title", schema={"Title": "string"})


def test_a_schema_replaces_known_fields_and_globals() -> None:
    with pytest.raises(TypeError):
        parse("Title", schema={"Title": "text"}, known_fields=["Title"])


def test_every_user_field_of_the_adapter_schema_checks() -> None:
    user_schema = {
        "Id": "id", "Username": "email", "Email": "email", "FirstName": "text",
        "LastName": "text", "Name": "text", "CompanyName": "text", "Department": "text",
        "Title": "text", "UserType": "picklist", "IsActive": "checkbox", "ProfileId": "id",
        "Profile.Name": "text", "Profile.UserLicense.Name": "text",
    }  # fmt: skip
    user_schema |= {f"$User.{name}": kind for name, kind in user_schema.items() if "." not in name}
    user_schema["$Profile.Name"] = "text"
    formula = parse(
        'AND(ISBLANK(Department), NOT(ISPICKVAL($User.UserType, "ChatterGuest")), '
        'Profile.Name <> "Chatter External User", IsActive)',
        schema=user_schema,
        result="checkbox",
    )
    context = EvaluationContext(
        fields={"Department": None, "Profile.Name": "Standard User", "IsActive": True, "Id": 7},
        globals={"$User.UserType": "Standard"},
    )
    assert formula.evaluate_condition(context) is True


# --- What the check changes at run time -------------------------------------------------------


def test_isnull_of_text_is_always_false_once_checked() -> None:
    formula = parse("ISNULL(Title)", schema=SCHEMA)
    assert formula.evaluate(EvaluationContext(fields={"Title": None})) is False
    assert parse("ISNULL(Count__c)", schema=SCHEMA).evaluate(EvaluationContext()) is True


def test_nullvalue_never_substitutes_checked_text() -> None:
    formula = parse("NULLVALUE(Title, 'none')", schema=SCHEMA)
    assert formula.evaluate(EvaluationContext(fields={"Title": ""})) == ""
    assert parse("BLANKVALUE(Title, 'none')", schema=SCHEMA).evaluate(EvaluationContext()) == (
        "none"
    )


def test_a_value_not_of_the_declared_type_is_a_runtime_error() -> None:
    formula = parse("DAY(Begin_Date__c) > 15", schema=SCHEMA)
    from accounts.formula import FormulaRuntimeError

    with pytest.raises(FormulaRuntimeError, match="declared date"):
        formula.evaluate(EvaluationContext(fields={"Begin_Date__c": "2024-01-31"}))
    with pytest.raises(FormulaRuntimeError, match="declared date"):
        formula.evaluate(EvaluationContext(fields={"Begin_Date__c": dt.datetime(2024, 1, 31)}))
    assert formula.evaluate(EvaluationContext(fields={"Begin_Date__c": dt.date(2024, 1, 31)}))


def test_a_blank_checkbox_reads_as_false() -> None:
    assert parse("IsActive", schema=SCHEMA).evaluate(EvaluationContext()) is False
    assert parse("$Permission.Manage_Users", schema=SCHEMA).evaluate(EvaluationContext()) is False


def test_an_id_given_as_a_number_reads_as_text() -> None:
    formula = parse("Id & ''", schema=SCHEMA)
    assert formula.evaluate(EvaluationContext(fields={"Id": 42})) == "42"


def test_a_multiselect_picklist_may_be_given_as_a_list_or_as_text() -> None:
    formula = parse('INCLUDES(Skills__c, "Apex") && PICKLISTCOUNT(Skills__c) = 2', schema=SCHEMA)
    assert formula.evaluate(EvaluationContext(fields={"Skills__c": ["Apex", "Flow"]})) is True
    assert formula.evaluate(EvaluationContext(fields={"Skills__c": "Apex;Flow"})) is True
    assert formula.evaluate(EvaluationContext(fields={"Skills__c": "Apexx;Flow"})) is False
