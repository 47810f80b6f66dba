"""User validation rules: adapt a user to the formula engine's plain mappings.

The engine (``accounts.formula``) knows nothing of Django. Here a ``User`` is
turned into the mappings it evaluates against: the record's fields, its prior
values, and the running user's ``$User.*`` and ``$Profile.*`` globals. The
schema (``user_schema``) gives each field its Salesforce type, the standard
ones and the custom fields defined in Setup (``UserField``), so a rule is
type-checked as Salesforce checks it on save.

Running user: in Setup it is the admin making the change; during Join Now
sign-up it is the customer being created (Salesforce runs self-registration as
a site guest; the closest honest equivalent here is the new user itself, so
``ISPICKVAL($User.UserType, "ChatterGuest")`` exempts sign-ups just like
``ISPICKVAL(UserType, "ChatterGuest")``).

A rule whose formula fails at run time (division by zero, a limit, a stored
formula that no longer parses) did not "fire": the save is still blocked, with
a message naming the rule, and the violation says it was an evaluation error.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from accounts.formula import (
    EvaluationContext,
    Formula,
    FormulaLimitError,
    FormulaRuntimeError,
    FormulaSyntaxError,
    FormulaTypeError,
    TraceResult,
    evaluate_traced,
    parse,
)
from accounts.models import User, UserField, ValidationRule

logger = logging.getLogger(__name__)

# Field API name → (attribute path on User, label). Dotted names are related fields.
USER_FIELDS: dict[str, tuple[str, str]] = {
    "Id": ("pk", "Id"),
    "Username": ("username", "Username"),
    "Email": ("email", "Email"),
    "FirstName": ("first_name", "First Name"),
    "LastName": ("last_name", "Last Name"),
    "Name": ("name", "Full Name"),
    "CompanyName": ("company_name", "Company Name"),
    "Department": ("department", "Department"),
    "Title": ("title", "Title"),
    "UserType": ("user_type", "User Type"),
    "IsActive": ("is_active", "Active"),
    "ProfileId": ("profile_id", "Profile"),
    "Profile.Name": ("profile.name", "Profile Name"),
    "Profile.UserLicense.Name": ("profile.licence.name", "User License"),
}
# The Salesforce type of each standard field (a formula schema type name).
USER_FIELD_TYPES: dict[str, str] = {
    "Id": "id",
    "Username": "email",
    "Email": "email",
    "FirstName": "text",
    "LastName": "text",
    "Name": "text",
    "CompanyName": "text",
    "Department": "text",
    "Title": "text",
    "UserType": "picklist",
    "IsActive": "checkbox",
    "ProfileId": "id",
    "Profile.Name": "text",
    "Profile.UserLicense.Name": "text",
}
# The record's fields and the running user's globals, as the formula engine types them.
USER_SCHEMA: dict[str, str] = {
    **USER_FIELD_TYPES,
    **{f"$User.{name}": kind for name, kind in USER_FIELD_TYPES.items() if "." not in name},
    "$Profile.Name": "text",
}
# Error Location may name one of these form fields, a custom field, or "Top of Page".
ERROR_LOCATION_FIELDS: dict[str, str] = {
    "FirstName": "first_name",
    "LastName": "last_name",
    "CompanyName": "company_name",
    "Department": "department",
    "Title": "title",
    "Email": "email",
    "Username": "username",
}
KNOWN_GLOBALS: tuple[str, ...] = tuple(name for name in USER_SCHEMA if name.startswith("$"))
# Salesforce's words for a value a custom field refuses.
REQUIRED_MESSAGE = "You must enter a value"


@dataclass(frozen=True)
class RuleViolation:
    rule: ValidationRule
    message: str
    # A form field name (e.g. "department") or None for the top of the page.
    field: str | None
    # Set when the formula could not be evaluated: then the rule did not fire, and
    # ``message`` names the rule and the error instead of the rule's Error Message.
    evaluation_error: str | None = None


class ValidationRuleFailed(ValidationError):
    """One or more active rules evaluated to TRUE (or failed) for the user being saved.

    A ``ValidationError`` keyed by each rule's Error Location (a form field, or
    the top of the page), so a form shows it like any other refusal.
    """

    def __init__(self, violations: list[RuleViolation]) -> None:
        by_field: dict[str, list[str]] = {}
        for violation in violations:
            by_field.setdefault(violation.field or NON_FIELD_ERRORS, []).append(violation.message)
        super().__init__(by_field)
        self.violations = violations

    @property
    def first(self) -> RuleViolation:
        return self.violations[0]


# --- the schema ----------------------------------------------------------------------


def user_field_definitions() -> list[UserField]:
    """The custom fields of User, by API name (one query)."""
    return list(UserField.objects.order_by("api_name"))


def user_schema(definitions: Iterable[UserField] | None = None) -> dict[str, str]:
    """Every field and global a User rule may read, with its type (custom fields too)."""
    schema = dict(USER_SCHEMA)
    for definition in user_field_definitions() if definitions is None else definitions:
        schema[definition.api_name] = definition.type
        schema[f"$User.{definition.api_name}"] = definition.type
    return schema


def error_location_field(location: str, definitions: Iterable[UserField]) -> str | None:
    """The form field an Error Location names: a standard field, a custom one, or None."""
    if location in ERROR_LOCATION_FIELDS:
        return ERROR_LOCATION_FIELDS[location]
    if any(definition.api_name == location for definition in definitions):
        return location
    return None


def formula_parse(text: str, *, schema: Mapping[str, str] | None = None) -> Formula:
    """Parse and type-check a rule formula as Salesforce does on save.

    Raises FormulaSyntaxError, or its subclass FormulaTypeError for a type error; the
    result must be a checkbox (true or false). ``schema`` defaults to ``user_schema()``.
    """
    schema = user_schema() if schema is None else schema
    return _parse_typed(text, tuple(sorted(schema.items())))


def formula_problem(text: str, *, schema: Mapping[str, str]) -> FormulaSyntaxError | None:
    """Why ``text`` cannot be saved as a rule formula, or None when it passes the check."""
    try:
        formula_parse(text, schema=schema)
    except FormulaSyntaxError as exc:
        return exc
    return None


@lru_cache(maxsize=256)
def _parse_typed(text: str, schema: tuple[tuple[str, str], ...]) -> Formula:
    return parse(text, schema=dict(schema), result="checkbox")


@lru_cache(maxsize=256)
def _parse_untyped(text: str, names: tuple[str, ...]) -> Formula:
    fields = [name for name in names if not name.startswith("$")]
    globals_ = [name for name in names if name.startswith("$")]
    return parse(text, known_fields=fields, known_globals=globals_)


def rule_formula(text: str, *, schema: Mapping[str, str]) -> Formula:
    """The formula a stored rule runs: type-checked, or, for a rule saved before the type
    check (it now has errors), checked for names only so that it keeps running.

    Raises FormulaSyntaxError when the text no longer parses at all.
    """
    try:
        return formula_parse(text, schema=schema)
    except FormulaTypeError:
        return _parse_untyped(text, tuple(sorted(schema)))


# --- the user as the engine sees it --------------------------------------------------


def _resolve(user: User, path: str) -> Any:
    value: Any = user
    for part in path.split("."):
        if value is None:
            return None
        value = getattr(value, part, None)
    return value


def custom_value_from_json(definition: UserField, stored: Any) -> Any:
    """A stored custom field value (JSON) as Python: str, Decimal, bool, date or None."""
    if stored is None or stored == "":
        return False if definition.type == UserField.Type.CHECKBOX else None
    try:
        if definition.type == UserField.Type.NUMBER:
            return Decimal(str(stored))
        if definition.type == UserField.Type.CHECKBOX:
            return bool(stored)
        if definition.type == UserField.Type.DATE:
            return dt.date.fromisoformat(str(stored))
    except (InvalidOperation, ValueError):
        return None  # a value stored by hand that the type cannot read is blank
    return str(stored)


def custom_value_to_json(definition: UserField, value: Any) -> Any:
    """A Python custom field value as stored in ``User.custom_fields``."""
    if value is None or value == "":
        return False if definition.type == UserField.Type.CHECKBOX else None
    if definition.type == UserField.Type.NUMBER:
        return format(Decimal(value), "f")
    if definition.type == UserField.Type.DATE:
        return value.isoformat()
    if definition.type == UserField.Type.CHECKBOX:
        return bool(value)
    return str(value)


def custom_value_problem(definition: UserField, value: Any) -> str | None:
    """Why ``value`` (Python, as a form cleans it) does not fit the field, or None."""
    blank = value is None or value == "" or (definition.type == "checkbox" and not value)
    if blank:
        if definition.required and definition.type != UserField.Type.CHECKBOX:
            return REQUIRED_MESSAGE
        return None
    kind = definition.type
    if kind in (UserField.Type.TEXT, UserField.Type.PICKLIST) and not isinstance(value, str):
        return "Enter text."
    if kind == UserField.Type.TEXT:
        length = definition.length or UserField.MAX_TEXT_LENGTH
        if len(value) > length:
            return f"Data value too large: max length = {length}"
    if kind == UserField.Type.PICKLIST and value not in definition.picklist_values:
        return f"Bad value for restricted picklist field: {value}"
    if kind == UserField.Type.CHECKBOX and not isinstance(value, bool):
        return "Enter true or false."
    if kind == UserField.Type.DATE and (
        not isinstance(value, dt.date) or isinstance(value, dt.datetime)
    ):
        return "Enter a valid date."
    if kind == UserField.Type.NUMBER:
        return _number_problem(definition, value)
    return None


def _number_problem(definition: UserField, value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
        return "Enter a number."
    try:
        number = Decimal(value)
    except InvalidOperation:
        return "Enter a number."
    if not number.is_finite():
        return "Enter a number."
    precision = definition.precision or UserField.MAX_PRECISION
    scale = definition.scale or 0
    _sign, digits, exponent = number.normalize().as_tuple()
    assert isinstance(exponent, int)
    places = max(0, -exponent)
    whole = 0 if number.is_zero() else max(0, len(digits) + exponent)
    if whole > precision or places > scale:
        return f"Enter at most {precision} digits before the decimal point and {scale} after it."
    return None


def custom_fields_clean(
    *,
    definitions: Iterable[UserField],
    values: Mapping[str, Any],
    stored: Mapping[str, Any] | None,
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The new ``custom_fields`` JSON and the errors by API name.

    ``values`` holds the edited fields (Python values, keyed by API name); fields it
    leaves out keep their ``stored`` value, or take their default on a new user
    (``stored`` None). Unknown names are an error.
    """
    by_name = {definition.api_name: definition for definition in definitions}
    errors: dict[str, list[str]] = {}
    for name in values:
        if name not in by_name:
            errors.setdefault(NON_FIELD_ERRORS, []).append(f"No such custom field: {name}")
    cleaned: dict[str, Any] = {}
    for name, definition in by_name.items():
        if name in values:
            value = values[name]
        elif stored is None:
            value = custom_value_from_json(definition, definition.default)
        else:
            value = custom_value_from_json(definition, stored.get(name))
        problem = custom_value_problem(definition, value)
        if problem:
            errors[name] = [problem]
            continue
        cleaned[name] = custom_value_to_json(definition, value)
    return cleaned, errors


def user_fields(user: User, definitions: Iterable[UserField] = ()) -> dict[str, Any]:
    """The user as the formula engine sees it: API name → value; blanks are null."""
    values = {}
    for api_name, (path, _label) in USER_FIELDS.items():
        value = _resolve(user, path)
        values[api_name] = None if value == "" else value
    stored = user.custom_fields if isinstance(user.custom_fields, dict) else {}
    for definition in definitions:
        values[definition.api_name] = custom_value_from_json(
            definition, stored.get(definition.api_name)
        )
    return values


def user_globals(running_user: User, definitions: Iterable[UserField] = ()) -> dict[str, Any]:
    values = {
        f"$User.{k}": v for k, v in user_fields(running_user, definitions).items() if "." not in k
    }
    values["$Profile.Name"] = _resolve(running_user, "profile.name")
    return values


# --- running the rules ---------------------------------------------------------------


def evaluation_error_message(rule: ValidationRule, error: str) -> str:
    return f"Validation rule {rule.name} could not be evaluated: {error}"


def validation_rules_check(
    *,
    user: User,
    prior: dict[str, Any] | None,
    running_user: User | None,
    definitions: list[UserField] | None = None,
) -> None:
    """Run every active User validation rule; raise ValidationRuleFailed if any fires.

    ``prior`` holds the field values before the change (``user_fields`` of the
    stored row, custom fields included), or None when the user is new. A rule
    whose formula cannot be evaluated blocks the save too, with a message that
    names it and says so (``RuleViolation.evaluation_error``). ``definitions``
    are the custom fields when the caller has read them already.
    """
    rules = list(ValidationRule.objects.filter(active=True))
    if not rules:
        return
    if definitions is None:
        definitions = user_field_definitions()
    schema = user_schema(definitions)
    context = EvaluationContext(
        fields=user_fields(user, definitions),
        prior=prior or {},
        globals=user_globals(running_user or user, definitions),
        is_new=prior is None,
    )
    violations = []
    for rule in rules:
        location = error_location_field(rule.error_location, definitions)
        try:
            formula = rule_formula(rule.formula, schema=schema)
            fired = formula.evaluate_condition(
                dataclasses.replace(context, blank_as_zero=rule.blank_as_zero)
            )
        except (FormulaSyntaxError, FormulaRuntimeError) as exc:
            if isinstance(exc, FormulaLimitError):
                logger.warning("Validation rule %s hit a formula limit: %s", rule.pk, exc)
            error = exc.message
            violations.append(
                RuleViolation(
                    rule=rule,
                    message=evaluation_error_message(rule, error),
                    field=None,
                    evaluation_error=error,
                )
            )
            continue
        if fired:
            violations.append(RuleViolation(rule=rule, message=rule.error_message, field=location))
    if violations:
        raise ValidationRuleFailed(violations)


@dataclass(frozen=True)
class RuleTestResult:
    """What the rule tester shows: whether the rule would fire, and why.

    A formula that cannot be evaluated does not fire, but still blocks the save.
    """

    fired: bool
    #: The message the save would show (the rule's, or the evaluation error's).
    message: str | None
    evaluation_error: str | None
    trace: TraceResult | None


def validation_rule_try(
    *, rule: ValidationRule, schema: Mapping[str, str], context: EvaluationContext
) -> RuleTestResult:
    """Evaluate one rule as a save would, recording every sub-expression; writes nothing."""
    context = dataclasses.replace(context, blank_as_zero=rule.blank_as_zero)
    try:
        formula = rule_formula(rule.formula, schema=schema)
    except FormulaSyntaxError as exc:
        message = evaluation_error_message(rule, exc.message)
        return RuleTestResult(False, message, exc.message, None)
    trace = evaluate_traced(formula, context)
    error = trace.error
    if error is None and trace.value is not None and not isinstance(trace.value, bool):
        error = FormulaRuntimeError("Error condition formula must return a Boolean (TRUE or FALSE)")
    if error is not None:
        message = evaluation_error_message(rule, error.message)
        return RuleTestResult(False, message, error.message, trace)
    fired = bool(trace.value)
    return RuleTestResult(fired, rule.error_message if fired else None, None, trace)
