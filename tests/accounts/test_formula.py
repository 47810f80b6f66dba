"""Behaviour of the validation-rule formula language (accounts.formula).

Framework-free: these tests need only lark, regex and pytest.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from accounts.formula import (
    MAX_FORMULA_LENGTH,
    MAX_TEXT_LENGTH,
    EvaluationContext,
    Formula,
    FormulaError,
    FormulaLimitError,
    FormulaRuntimeError,
    FormulaSyntaxError,
    parse,
)

USER_FIELDS = ["Department", "FirstName", "LastName", "Title", "IsActive", "Profile.Name"]
USER_GLOBALS = ["$User.UserType", "$User.Username", "$Profile.Name"]


def evaluate(
    text: str,
    fields: dict[str, Any] | None = None,
    *,
    prior: dict[str, Any] | None = None,
    globals_: dict[str, Any] | None = None,
    is_new: bool = False,
) -> Any:
    context = EvaluationContext(
        fields=fields or {}, prior=prior or {}, globals=globals_ or {}, is_new=is_new
    )
    return parse(text).evaluate(context)


def syntax_error(text: str, **kwargs: Any) -> FormulaSyntaxError:
    with pytest.raises(FormulaSyntaxError) as caught:
        parse(text, **kwargs)
    return caught.value


def runtime_error(text: str, fields: dict[str, Any] | None = None) -> FormulaRuntimeError:
    with pytest.raises(FormulaRuntimeError) as caught:
        evaluate(text, fields)
    return caught.value


# --- The rules the product ships -------------------------------------------------------


def test_department_required_rule_fires_only_when_department_is_blank() -> None:
    formula = parse("ISBLANK(Department)", known_fields=USER_FIELDS)
    assert formula.evaluate_condition(EvaluationContext(fields={"Department": None}))
    assert formula.evaluate_condition(EvaluationContext(fields={"Department": ""}))
    assert not formula.evaluate_condition(EvaluationContext(fields={"Department": "Sales"}))


@pytest.mark.parametrize(
    ("department", "profile", "fires"),
    [
        (None, "Standard User", True),
        (None, "Chatter External User", False),
        ("Sales", "Standard User", False),
        (None, None, True),
    ],
)
def test_department_rule_exempts_chatter_external_users(
    department: str | None, profile: str | None, fires: bool
) -> None:
    formula = parse(
        'AND(ISBLANK(Department), Profile.Name <> "Chatter External User")',
        known_fields=USER_FIELDS,
    )
    context = EvaluationContext(fields={"Department": department, "Profile.Name": profile})
    assert formula.evaluate_condition(context) is fires
    assert formula.field_references == {"Department", "Profile.Name"}


def test_guest_user_type_global_rule_compares_the_running_users_type() -> None:
    formula = parse('$User.UserType = "ChatterGuest"', known_globals=USER_GLOBALS)
    assert formula.global_references == {"$User.UserType"}
    guest = EvaluationContext(globals={"$User.UserType": "ChatterGuest"})
    standard = EvaluationContext(globals={"$User.UserType": "Standard"})
    assert formula.evaluate_condition(guest)
    assert not formula.evaluate_condition(standard)


# --- Literals ----------------------------------------------------------------------------


def test_text_literals_decode_backslash_escapes() -> None:
    assert evaluate(r'"say \"hi\"\\ \n\t\r"') == 'say "hi"\\ \n\t\r'


def test_single_quoted_text_literals_are_accepted() -> None:
    assert evaluate(r"""'it\'s' & "" & 'a"b'""") == "it'sa\"b"


def test_an_unknown_escape_is_a_syntax_error_at_the_backslash() -> None:
    error = syntax_error(r'LEN("a\d")')
    assert error.message == "Syntax error. Invalid escape sequence '\\d'"
    assert error.position == 6


def test_numbers_are_exact_decimals() -> None:
    assert evaluate("0.1 + 0.2 = 0.3") is True
    assert evaluate("1.50") == Decimal("1.50")
    assert evaluate(".5 * 2") == Decimal("1.0")


@pytest.mark.parametrize(("text", "expected"), [("true", True), ("False", False), ("NuLL", None)])
def test_keywords_are_case_insensitive(text: str, expected: Any) -> None:
    assert evaluate(text) is expected


def test_comments_and_line_breaks_are_ignored() -> None:
    assert evaluate("/* rule */ 1 +\n /* more\n lines */ 2") == 3


def test_a_literal_number_that_is_too_large_is_a_syntax_error() -> None:
    error = syntax_error("1 + 1" + "0" * 120)
    assert error.message == "Number is too large"
    assert error.position == 4


# --- Operators ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 + 2 * 3", 7),
        ("1 + 2 * 3 = 7", True),
        ("(1 + 2) * 3", 9),
        ("2 ^ 3 ^ 2", 512),
        ("(2 ^ 3) ^ 2", 64),
        ("2 * 3 ^ 2", 18),
        ("-2 ^ 2", 4),
        ("10 - 4 - 3", 3),
        ("12 / 4 / 3", 1),
        ("2 ^ -1", Decimal("0.5")),
        ("7 / 2", Decimal("3.5")),
        ("- -3", 3),
        ("+3", 3),
        ("1 < 2 = TRUE", True),
        ("1 + 1 = 2 && 3 > 2", True),
        ('"a" & "b" = "ab"', True),
        ('"ab" = "a" & "b"', True),
    ],
)
def test_arithmetic_follows_salesforce_precedence(text: str, expected: Any) -> None:
    assert evaluate(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("TRUE || FALSE && FALSE", True),
        ("(TRUE || FALSE) && FALSE", False),
        ("FALSE && TRUE || TRUE", True),
        ("!FALSE", True),
        ("!!TRUE", True),
        ("!TRUE || TRUE", True),
        ("!(TRUE || TRUE)", False),
    ],
)
def test_and_binds_tighter_than_or_and_not_binds_tightest(text: str, expected: bool) -> None:
    assert evaluate(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 = 1", True),
        ("1 == 1.0", True),
        ("1 <> 2", True),
        ("1 != 1", False),
        ("1 < 2", True),
        ("2 <= 2", True),
        ("3 > 2", True),
        ("2 >= 3", False),
        ('"apple" < "banana"', True),
        ('"B" < "a"', True),
        ("TRUE = TRUE", True),
        ("TRUE <> FALSE", True),
    ],
)
def test_comparison_operators(text: str, expected: bool) -> None:
    assert evaluate(text) is expected


def test_text_equality_is_case_sensitive() -> None:
    assert evaluate('"Sales" = "sales"') is False
    assert evaluate('"Sales" <> "sales"') is True


def test_plus_concatenates_two_texts() -> None:
    assert evaluate('FirstName + " " + LastName', {"FirstName": "Ada", "LastName": "Lovelace"}) == (
        "Ada Lovelace"
    )


def test_ampersand_concatenates_and_reads_null_as_empty() -> None:
    assert evaluate('"x" & Title & "y"', {"Title": None}) == "xy"


@pytest.mark.parametrize(
    "text",
    [
        '"a" = 1',
        '"a" < 1',
        '"a" + 1',
        "1 & 2",
        '"a" - "b"',
        "TRUE + 1",
        "-TRUE",
        '!"x"',
        "TRUE < 1",
    ],
)
def test_mixing_types_is_a_runtime_error(text: str) -> None:
    assert "Incorrect parameter type" in runtime_error(text).message


def test_division_by_zero_is_a_runtime_error() -> None:
    assert runtime_error("1 / 0").message == "Division by zero"
    assert runtime_error("0 / 0").message == "Division by zero"


# --- Blanks and nulls ----------------------------------------------------------------------


def test_a_missing_field_is_null() -> None:
    assert evaluate("Title") is None
    assert evaluate("ISBLANK(Title)") is True


def test_a_blank_text_field_equals_empty_text() -> None:
    assert evaluate('Department = ""', {"Department": None}) is True
    assert evaluate('Department <> ""', {"Department": None}) is False
    assert evaluate('Department <> "Sales"', {"Department": None}) is True


def test_two_nulls_are_equal() -> None:
    assert evaluate("Department = Title") is True


def test_arithmetic_with_null_is_null() -> None:
    assert evaluate("Amount + 1") is None
    assert evaluate("-Amount * 2 ^ Amount") is None


def test_numeric_comparison_with_null_is_null_and_so_false_as_a_condition() -> None:
    assert evaluate("Amount > 1") is None
    assert evaluate("Amount = 1") is None
    assert parse("Amount < 1").evaluate_condition(EvaluationContext()) is False


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("IF(Flag, 1, 2)", 2),
        ("AND(Flag)", False),
        ("OR(Flag, TRUE)", True),
        ("NOT(Flag)", True),
        ("!Flag", True),
        ("Flag || Flag", False),
    ],
)
def test_null_counts_as_false_in_boolean_context(text: str, expected: Any) -> None:
    assert evaluate(text, {"Flag": None}) == expected


def test_text_functions_read_null_as_empty_text() -> None:
    fields = {"Title": None}
    assert evaluate("LEN(Title)", fields) == 0
    assert evaluate("UPPER(Title)", fields) == ""
    assert evaluate('CONTAINS(Title, "")', fields) is True
    assert evaluate('BEGINS(Title, "x")', fields) is False


def test_isblank_is_true_for_null_and_empty_text_but_not_spaces() -> None:
    assert evaluate("ISBLANK(NULL)") is True
    assert evaluate('ISBLANK("")') is True
    assert evaluate('ISBLANK("  ")') is False
    assert evaluate("ISBLANK(0)") is False


def test_isnull_treats_empty_text_as_null() -> None:
    assert evaluate("ISNULL(Amount)") is True
    assert evaluate('ISNULL("")') is True
    assert evaluate("ISNULL(0)") is False


def test_nullvalue_and_blankvalue_substitute_for_blanks() -> None:
    assert evaluate("NULLVALUE(Amount, 5) + 1") == 6
    assert evaluate('BLANKVALUE(Title, "None")', {"Title": ""}) == "None"
    assert evaluate('BLANKVALUE(Title, "None")', {"Title": "CEO"}) == "CEO"
    assert evaluate("NULLVALUE(3, 1 / 0)") == 3  # the substitute is only evaluated if needed


def test_evaluate_condition_treats_a_null_result_as_false() -> None:
    assert parse("Flag").evaluate_condition(EvaluationContext()) is False


def test_evaluate_condition_rejects_a_non_boolean_result() -> None:
    with pytest.raises(FormulaRuntimeError, match="must return a Boolean"):
        parse('"yes"').evaluate_condition(EvaluationContext())


# --- Functions -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("AND(TRUE, TRUE, TRUE)", True),
        ("AND(TRUE, FALSE)", False),
        ("OR(FALSE, FALSE)", False),
        ("OR(FALSE, TRUE)", True),
        ("NOT(FALSE)", True),
        ('IF(1 > 2, "yes", "no")', "no"),
        ('CASE(2, 1, "one", 2, "two", "other")', "two"),
        ('CASE(9, 1, "one", 2, "two", "other")', "other"),
        ('CASE("b", "a", 1, "B", 2, 3)', 3),
        ('ISPICKVAL(Title, "CEO")', True),
        ('ISPICKVAL(Title, "ceo")', False),
        ("TEXT(12.50)", "12.5"),
        ("TEXT(1000000)", "1000000"),
        ("TEXT(-0.0001)", "-0.0001"),
        ("TEXT(0.000)", "0"),
        ('TEXT("x")', "x"),
        ("TEXT(NULL)", ""),
        ('LEN("héllo")', 5),
        ('CONTAINS("Chatter", "hat")', True),
        ('CONTAINS("Chatter", "HAT")', False),
        ('BEGINS("Chatter", "Chat")', True),
        ('BEGINS("Chatter", "chat")', False),
        ('UPPER("abc")', "ABC"),
        ('LOWER("ABC")', "abc"),
        ('TRIM("  a b \t")', "a b"),
        ('LEFT("abcdef", 2)', "ab"),
        ('LEFT("abc", -1)', ""),
        ('LEFT("abc", 99)', "abc"),
        ('RIGHT("abcdef", 2)', "ef"),
        ('RIGHT("abc", 0)', ""),
        ('MID("abcdef", 2, 3)', "bcd"),
        ('MID("abcdef", 0, 2)', "ab"),
        ('MID("abc", 5, 2)', ""),
        ('FIND("c", "abcabc")', 3),
        ('FIND("c", "abcabc", 4)', 6),
        ('FIND("C", "abc")', 0),
        ('FIND("", "abc")', 0),
        ('FIND("a", "abc", 0)', 0),
        ('SUBSTITUTE("a-b-c", "-", "+")', "a+b+c"),
        ('SUBSTITUTE("aAa", "a", "x")', "xAx"),
        ('SUBSTITUTE("abc", "", "x")', "abc"),
        ('VALUE(" 12.5 ")', Decimal("12.5")),
        ('VALUE("-3")', -3),
        ('VALUE("")', None),
        ('ISNUMBER("12.5")', True),
        ('ISNUMBER("1e5")', False),
        ('ISNUMBER("abc")', False),
        ("ISNUMBER(NULL)", False),
        ("MOD(7, 3)", 1),
        ("MOD(-7, 3)", -1),
        ("MOD(7.5, 2)", Decimal("1.5")),
        ("ABS(-4.5)", Decimal("4.5")),
        ("ABS(NULL)", None),
    ],
)
def test_function_results(text: str, expected: Any) -> None:
    assert evaluate(text, {"Title": "CEO"}) == expected


@pytest.mark.parametrize(
    "text", ["isblank(NULL)", "IsBlank(NULL)", "ISBLANK(NULL)", "iF(TRUE, TRUE, FALSE)"]
)
def test_function_names_are_case_insensitive(text: str) -> None:
    assert evaluate(text) is True


def test_if_evaluates_only_the_branch_taken() -> None:
    assert evaluate("IF(x = 0, 0, 1 / x)", {"x": 0}) == 0


def test_case_evaluates_only_the_matching_result() -> None:
    assert evaluate("CASE(1, 1, 10, 2, 1 / 0, 1 / 0)") == 10


def test_and_and_or_short_circuit() -> None:
    assert evaluate("AND(FALSE, 1 / 0 = 1)") is False
    assert evaluate("OR(TRUE, 1 / 0 = 1)") is True
    assert evaluate("FALSE && 1 / 0 = 1") is False
    assert evaluate("TRUE || 1 / 0 = 1") is True


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('VALUE("abc")', "VALUE: 'abc' is not a valid number"),
        ("LEN(5)", "Incorrect parameter type for function 'LEN()'. Expected Text, received Number"),
        ("TEXT(TRUE)", "Expected Number, Text, received Boolean"),
        ('IF("x", 1, 2)', "Expected Boolean, received Text"),
        ("MOD(1, 0)", "Division by zero"),
        ('ISPICKVAL(5, "5")', "Expected Text, received Number"),
        ('CASE(1, "1", 2, 3)', "Expected Text, received Number"),
        ('LEFT("abc", "1")', "Expected Number, received Text"),
    ],
)
def test_function_runtime_errors(text: str, message: str) -> None:
    assert message in runtime_error(text).message


def test_regex_must_match_the_whole_text() -> None:
    assert evaluate(r'REGEX("123-456", "\\d{3}-\\d{3}")') is True
    assert evaluate(r'REGEX("x123-456", "\\d{3}-\\d{3}")') is False
    assert evaluate(r'REGEX("123-4567", "\\d{3}-\\d{3}")') is False
    assert evaluate('REGEX(Title, "")', {"Title": None}) is True


def test_regex_is_case_sensitive() -> None:
    assert evaluate('REGEX("ABC", "[a-z]+")') is False


def test_an_invalid_literal_regex_is_a_syntax_error_at_the_pattern() -> None:
    error = syntax_error('REGEX(Title, "(unclosed")')
    assert error.message.startswith("Invalid regular expression")
    assert error.position == 13


def test_an_invalid_computed_regex_is_a_runtime_error() -> None:
    with pytest.raises(FormulaRuntimeError, match="Invalid regular expression"):
        evaluate('REGEX("a", Title & "(")', {"Title": "a"})


# --- Record state: ISNEW, ISCHANGED, PRIORVALUE -----------------------------------------


def test_isnew_reports_whether_the_record_is_being_created() -> None:
    assert evaluate("ISNEW()", is_new=True) is True
    assert evaluate("ISNEW()", is_new=False) is False


def test_ischanged_compares_the_field_with_its_prior_value() -> None:
    formula = "ISCHANGED(Title)"
    assert evaluate(formula, {"Title": "CEO"}, prior={"Title": "CTO"}) is True
    assert evaluate(formula, {"Title": "CEO"}, prior={"Title": "CEO"}) is False
    assert evaluate(formula, {"Title": "CEO"}, prior={"Title": "ceo"}) is True


def test_ischanged_sees_no_change_between_null_and_empty_text() -> None:
    assert evaluate("ISCHANGED(Title)", {"Title": ""}, prior={"Title": None}) is False


def test_ischanged_is_false_on_a_new_record() -> None:
    assert evaluate("ISCHANGED(Title)", {"Title": "CEO"}, is_new=True) is False


def test_ischanged_counts_a_field_missing_from_prior_as_previously_null() -> None:
    assert evaluate("ISCHANGED(Title)", {"Title": "CEO"}, prior={"Other": 1}) is True


def test_ischanged_compares_numbers_by_value() -> None:
    assert evaluate("ISCHANGED(Amount)", {"Amount": 1}, prior={"Amount": Decimal("1.0")}) is False
    assert evaluate("ISCHANGED(Amount)", {"Amount": 1}, prior={"Amount": "1"}) is True


def test_priorvalue_returns_the_prior_value_or_the_current_one_on_create() -> None:
    assert evaluate("PRIORVALUE(Title)", {"Title": "CEO"}, prior={"Title": "CTO"}) == "CTO"
    assert evaluate("PRIORVALUE(Title)", {"Title": "CEO"}, is_new=True) == "CEO"


def test_ispickval_accepts_priorvalue() -> None:
    text = 'ISPICKVAL(PRIORVALUE(Title), "CTO")'
    assert evaluate(text, {"Title": "CEO"}, prior={"Title": "CTO"}) is True


@pytest.mark.parametrize(
    "text", ["ISCHANGED(1)", 'PRIORVALUE("Title")', "ISCHANGED($User.UserType)"]
)
def test_ischanged_and_priorvalue_require_a_field_reference(text: str) -> None:
    error = syntax_error(text)
    assert "requires a field reference" in error.message
    assert error.position == text.index("(") + 1


# --- Fields, globals and names -------------------------------------------------------------


def test_field_names_match_known_fields_case_insensitively_and_use_their_spelling() -> None:
    formula = parse("ISBLANK(department) && profile.name = 'x'", known_fields=USER_FIELDS)
    assert formula.field_references == {"Department", "Profile.Name"}
    context = EvaluationContext(fields={"Department": None, "Profile.Name": "x"})
    assert formula.evaluate_condition(context) is True


def test_without_known_fields_lookup_falls_back_to_any_case() -> None:
    assert evaluate("department", {"Department": "Sales"}) == "Sales"


def test_globals_match_known_globals_case_insensitively() -> None:
    formula = parse('$user.usertype = "Standard"', known_globals=USER_GLOBALS)
    assert formula.global_references == {"$User.UserType"}
    assert formula.evaluate(EvaluationContext(globals={"$User.UserType": "Standard"})) is True


def test_globals_and_fields_are_separate_namespaces() -> None:
    formula = parse("$Profile.Name & '/' & Profile.Name")
    context = EvaluationContext(fields={"Profile.Name": "mine"}, globals={"$Profile.Name": "run"})
    assert formula.evaluate(context) == "run/mine"
    assert formula.field_references == {"Profile.Name"}
    assert formula.global_references == {"$Profile.Name"}


def test_field_values_of_every_supported_type_are_converted() -> None:
    fields = {"i": 2, "f": 0.1, "d": Decimal("0.2"), "b": True, "s": "x", "n": None}
    assert evaluate("i + f + d", fields) == Decimal("2.3")
    assert evaluate("IF(b, s, n)", fields) == "x"


def test_unsupported_field_values_are_runtime_errors() -> None:
    with pytest.raises(FormulaRuntimeError, match="unsupported type"):
        evaluate("x", {"x": object()})
    with pytest.raises(FormulaRuntimeError, match="invalid number"):
        evaluate("x", {"x": float("nan")})


# --- Syntax errors ---------------------------------------------------------------------------


def test_a_missing_closing_parenthesis_is_reported_at_the_end() -> None:
    error = syntax_error("AND(ISBLANK(Department)")
    assert error.message == "Syntax error. Missing ')'"
    assert (error.position, error.line, error.column) == (23, 1, 24)
    assert str(error) == "Syntax error. Missing ')' (at line 1, column 24)"


def test_a_wrong_parameter_count_is_reported_at_the_function_name() -> None:
    error = syntax_error('IF(TRUE, LEN("a", "b"), 0)')
    assert error.message == (
        "Incorrect number of parameters for function 'LEN()'. Expected 1, received 2"
    )
    assert error.position == 9


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("AND()", "Expected at least 1, received 0"),
        ("ISNEW(1)", "Expected 0, received 1"),
        ('FIND("a")', "Expected 2 to 3, received 1"),
        ("CASE(1, 2, 3)", "Expected an even number of at least 4, received 3"),
        ("CASE(1, 2, 3, 4, 5)", "Expected an even number of at least 4, received 5"),
        ("IF(TRUE, 1)", "Expected 3, received 2"),
    ],
)
def test_parameter_counts_are_checked(text: str, expected: str) -> None:
    assert syntax_error(text).message.endswith(expected)


def test_an_unknown_function_is_reported_with_its_name_and_position() -> None:
    error = syntax_error("1 + FOO(1)")
    assert error.message == "Unknown function FOO. Check spelling."
    assert error.position == 4


def test_an_unknown_field_is_reported_when_known_fields_are_given() -> None:
    error = syntax_error("AND(ISBLANK(Departmnt), TRUE)", known_fields=USER_FIELDS)
    assert error.message == "Field Departmnt does not exist. Check spelling."
    assert error.position == 12


def test_an_unknown_global_is_reported_when_known_globals_are_given() -> None:
    error = syntax_error('$User.Usertipe = "x"', known_globals=USER_GLOBALS)
    assert error.message == "Field $User.Usertipe does not exist. Check spelling."
    assert error.position == 0


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ("1 +", "Syntax error. The formula ends unexpectedly", 3),
        ("1 )", "Syntax error. Extra ')'", 2),
        ("LEN(1,,2)", "Syntax error. Extra ','", 6),
        ("Department Title", "Syntax error. Found 'Title'", 11),
        ("LEN(1,)", "Syntax error. Found ')'", 6),
        ('"abc', "Syntax error. Missing closing quote", 0),
        ("1 /* note", "Syntax error. Missing '*/' to close the comment", 2),
        ("1 # 2", "Syntax error. Found '#'", 2),
        ("", "Syntax error. The formula is empty", 0),
        ("Profile.Name(1)", "Unknown function Profile.Name. Check spelling.", 0),
        ("1 2", "Syntax error. Found '2'", 2),
    ],
)
def test_syntax_errors_have_salesforce_like_messages(
    text: str, message: str, position: int
) -> None:
    error = syntax_error(text)
    assert (error.message, error.position) == (message, position)


def test_syntax_error_positions_include_line_and_column() -> None:
    error = syntax_error("AND(\n  TRUE,\n  FOO(1)\n)")
    assert (error.line, error.column, error.position) == (3, 3, 15)
    assert "at line 3, column 3" in str(error)


def test_all_errors_share_a_base_class() -> None:
    assert issubclass(FormulaSyntaxError, FormulaError)
    assert issubclass(FormulaLimitError, FormulaRuntimeError)
    assert issubclass(FormulaRuntimeError, FormulaError)


# --- Limits --------------------------------------------------------------------------------


def test_a_formula_of_the_maximum_length_is_accepted() -> None:
    text = '"' + "x" * (MAX_FORMULA_LENGTH - 2) + '"'
    assert len(evaluate(text)) == MAX_FORMULA_LENGTH - 2


def test_a_formula_over_the_maximum_length_is_rejected_at_the_limit() -> None:
    error = syntax_error('"' + "x" * (MAX_FORMULA_LENGTH - 1) + '"')
    assert error.message == (
        "Formula is too long (3,901 characters). Maximum length is 3,900 characters."
    )
    assert error.position == 3900


def test_deep_parentheses_are_rejected_without_recursion_error() -> None:
    error = syntax_error("(" * 65 + "1" + ")" * 65)
    assert "nested too deeply" in error.message
    assert error.position == 64
    assert "nested too deeply" in syntax_error("(" * 3900).message


def test_parentheses_inside_text_do_not_count_towards_nesting() -> None:
    assert evaluate('"' + "(" * 100 + '"') == "(" * 100


def test_deep_operator_nesting_is_rejected_before_evaluation() -> None:
    level = "a || b && c = d < e + f * g ^ -LEN("
    text = level * 60 + '"x"' + ")" * 60
    assert "too complex" in syntax_error(text).message


def test_sixty_four_nested_functions_evaluate_even_from_a_deep_call_stack() -> None:
    formula = parse("NOT(" * 63 + "TRUE" + ")" * 63)

    def descend(levels: int) -> Any:
        return descend(levels - 1) if levels else formula.evaluate(EvaluationContext())

    assert descend(300) is False


def test_the_step_limit_stops_evaluation() -> None:
    formula = parse("1 + 1 + 1 + 1")
    assert formula.evaluate(EvaluationContext()) == 4
    with pytest.raises(FormulaLimitError, match="maximum number of steps"):
        formula.evaluate(EvaluationContext(), max_steps=3)


def test_concatenation_is_capped() -> None:
    with pytest.raises(FormulaLimitError, match="Text result is too long"):
        evaluate("x & x", {"x": "a" * (MAX_TEXT_LENGTH // 2 + 1)})


def test_substitute_refuses_to_blow_up() -> None:
    with pytest.raises(FormulaLimitError, match="Text result is too long"):
        evaluate('SUBSTITUTE(x, "a", "aaaaaaaaaa")', {"x": "a" * 2000})


def test_huge_powers_are_refused_before_computing() -> None:
    with pytest.raises(FormulaLimitError, match="Exponent is too large"):
        evaluate("2 ^ 1000000000")
    with pytest.raises(FormulaLimitError, match="Number is too large"):
        evaluate("10 ^ 200")
    assert evaluate("0.5 ^ 1000") == 0


def test_a_huge_number_field_is_a_limit_error() -> None:
    with pytest.raises(FormulaLimitError):
        evaluate("x + 1", {"x": 10**200})


class _FakeClock:
    """Stands for the ``time`` module in functions.py: time passes only when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


def test_each_regex_match_runs_with_the_per_call_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    import accounts.formula.functions as functions_module
    from accounts.formula.patterns import REGEX_TIMEOUT_SECONDS

    timeouts: list[float] = []

    def spy(compiled: Any, subject: str, timeout: float) -> bool:
        timeouts.append(timeout)
        return False

    monkeypatch.setattr(functions_module, "time", _FakeClock())
    monkeypatch.setattr(functions_module, "full_match", spy)
    evaluate('REGEX(FirstName, "(a+)+$")', {"FirstName": "a" * 30 + "!"})
    assert timeouts == [REGEX_TIMEOUT_SECONDS]


def test_a_regex_match_that_times_out_is_a_limit_error() -> None:
    from accounts.formula.patterns import full_match

    class Catastrophic:
        def fullmatch(self, subject: str, timeout: float) -> None:
            raise TimeoutError("regex timed out")

    with pytest.raises(FormulaLimitError, match="took too long"):
        full_match(Catastrophic(), "a" * 30 + "!", 0.05)


def test_catastrophic_regex_backtracking_ends_as_false_or_a_limit_error() -> None:
    formula = parse('REGEX(FirstName, "(a+)+$")')
    context = EvaluationContext(fields={"FirstName": "a" * 30 + "!"})
    try:
        result = formula.evaluate(context)
    except FormulaLimitError:
        pass
    else:
        assert result is False


def test_many_slow_regexes_share_one_time_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    import accounts.formula.functions as functions_module

    clock = _FakeClock()
    timeouts: list[float] = []

    def slow_match(compiled: Any, subject: str, timeout: float) -> bool:
        timeouts.append(timeout)
        clock.now += 0.03  # slow, yet under the per-call timeout
        return False

    monkeypatch.setattr(functions_module, "time", clock)
    monkeypatch.setattr(functions_module, "full_match", slow_match)
    formula = parse(" || ".join(['REGEX(FirstName, "a+")'] * 40))
    with pytest.raises(FormulaLimitError, match="took too long"):
        formula.evaluate(EvaluationContext(fields={"FirstName": "b"}))
    # A 0.2 s budget spent 0.03 s at a time: seven matches, the last with what was left.
    assert len(timeouts) == 7
    assert timeouts[0] == pytest.approx(0.05)
    assert timeouts[-1] == pytest.approx(0.02)


def _compiled_patterns(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records the patterns handed to the regex compiler from now on (uncached)."""
    import accounts.formula.patterns as patterns_module

    compiled: list[str] = []
    real_compile = patterns_module.regex.compile

    class Recorder:
        error = patterns_module.regex.error

        @staticmethod
        def compile(pattern: str) -> Any:
            compiled.append(pattern)
            return real_compile(pattern)

    monkeypatch.setattr(patterns_module, "regex", Recorder)
    patterns_module.compile_pattern.cache_clear()
    return compiled


def test_a_regex_that_is_costly_to_compile_is_rejected_before_compiling(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    compiled = _compiled_patterns(monkeypatch)
    assert "too complex" in syntax_error('REGEX(x, "(?:a{1000}){1000}")').message
    assert "nested too deeply" in syntax_error('REGEX(x, "' + "(" * 60 + ")" * 60 + '")').message
    assert compiled == []


def test_the_literal_regexes_of_one_formula_share_a_compile_budget(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Each pattern is acceptable alone (cost 4,900) but together they are too costly.
    compiled = _compiled_patterns(monkeypatch)
    patterns = [f'REGEX(x, "(?:{letter}{{70}}){{70}}")' for letter in "abcdefgh"]
    error = syntax_error(" || ".join(patterns))
    assert error.message == "Regular expressions in this formula are too complex"
    assert error.position == " || ".join(patterns).index('"(?:e')
    # The fifth pattern, over the budget, is never compiled, nor any after it.
    assert compiled == [f"(?:{letter}{{70}}){{70}}" for letter in "abcd"]


def test_long_regex_patterns_and_subjects_are_refused() -> None:
    assert "too long" in syntax_error('REGEX(x, "' + "a" * 1001 + '")').message
    with pytest.raises(FormulaLimitError, match="too long"):
        evaluate("REGEX(x, p)", {"x": "a", "p": "a" * 1001})
    with pytest.raises(FormulaLimitError, match="too long for REGEX"):
        evaluate('REGEX(x, "a*")', {"x": "a" * (MAX_TEXT_LENGTH + 1)})


# --- API properties ------------------------------------------------------------------------


def test_a_parsed_formula_is_evaluated_many_times_without_reparsing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import accounts.formula.parser as parser_module

    formula = parse("LEN(Title) > 2")
    monkeypatch.setattr(parser_module, "_lark", None)  # any attempt to parse would now fail
    results = [formula.evaluate(EvaluationContext(fields={"Title": "x" * n})) for n in range(5)]
    assert results == [False, False, False, True, True]


def test_the_lark_parser_is_built_once() -> None:
    from accounts.formula.parser import _lark

    assert _lark() is _lark()


def test_a_formula_is_immutable_and_shows_its_source() -> None:
    formula = parse("1 + 1")
    assert isinstance(formula, Formula)
    assert repr(formula) == "Formula(source='1 + 1')"
    with pytest.raises(AttributeError):
        formula.source = "2"  # type: ignore[misc]


def test_the_engine_does_not_depend_on_django() -> None:
    import accounts.formula

    package = Path(accounts.formula.__file__).parent
    for module in package.glob("*.py"):
        source = module.read_text(encoding="utf-8")
        assert "import django" not in source and "from django" not in source, module.name
