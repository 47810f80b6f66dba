"""User validation rules: adapt a user to the formula engine's plain mappings.

The engine (``accounts.formula``) knows nothing of Django. Here a ``User`` is
turned into the mappings it evaluates against: the record's fields, its prior
values, and the running user's ``$User.*`` and ``$Profile.*`` globals.

Running user: in Setup it is the admin making the change; during Join Now
sign-up it is the customer being created (Salesforce runs self-registration as
a site guest; the closest honest equivalent here is the new user itself, so
``$User.UserType = "ChatterGuest"`` exempts sign-ups just like
``UserType = "ChatterGuest"``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from accounts.formula import (
    EvaluationContext,
    Formula,
    FormulaRuntimeError,
    FormulaSyntaxError,
    parse,
)
from accounts.models import User, ValidationRule

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
# Error Location may name one of these form fields, or "Top of Page".
ERROR_LOCATION_FIELDS: dict[str, str] = {
    "FirstName": "first_name",
    "LastName": "last_name",
    "CompanyName": "company_name",
    "Department": "department",
    "Title": "title",
    "Email": "email",
    "Username": "username",
}
KNOWN_GLOBALS: tuple[str, ...] = tuple(
    [f"$User.{name}" for name in USER_FIELDS if "." not in name] + ["$Profile.Name"]
)


@dataclass(frozen=True)
class RuleViolation:
    rule: ValidationRule
    message: str
    # A form field name (e.g. "department") or None for the top of the page.
    field: str | None


class ValidationRuleFailed(ValidationError):
    """One or more active rules evaluated to TRUE for the user being saved.

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


def formula_parse(text: str) -> Formula:
    """Parse a rule formula against the User fields (raises FormulaSyntaxError)."""
    return _parse_cached(text)


@lru_cache(maxsize=256)
def _parse_cached(text: str) -> Formula:
    return parse(text, known_fields=USER_FIELDS.keys(), known_globals=KNOWN_GLOBALS)


def _resolve(user: User, path: str) -> Any:
    value: Any = user
    for part in path.split("."):
        if value is None:
            return None
        value = getattr(value, part, None)
    return value


def user_fields(user: User) -> dict[str, Any]:
    """The user as the formula engine sees it: API name → value; blanks are null."""
    values = {}
    for api_name, (path, _label) in USER_FIELDS.items():
        value = _resolve(user, path)
        values[api_name] = None if value == "" else value
    return values


def user_globals(running_user: User) -> dict[str, Any]:
    values = {f"$User.{k}": v for k, v in user_fields(running_user).items() if "." not in k}
    values["$Profile.Name"] = _resolve(running_user, "profile.name")
    return values


def validation_rules_check(
    *, user: User, prior: dict[str, Any] | None, running_user: User | None
) -> None:
    """Run every active User validation rule; raise ValidationRuleFailed if any fires.

    ``prior`` holds the field values before the change (``user_fields`` of the
    stored row), or None when the user is new. A rule whose formula cannot be
    evaluated blocks the save too, as in Salesforce, with its own message.
    """
    rules = list(ValidationRule.objects.filter(active=True))
    if not rules:
        return
    ctx = EvaluationContext(
        fields=user_fields(user),
        prior=prior or {},
        globals=user_globals(running_user or user),
        is_new=prior is None,
    )
    violations = []
    for rule in rules:
        try:
            fired = formula_parse(rule.formula).evaluate_condition(ctx)
        except (FormulaSyntaxError, FormulaRuntimeError):
            fired = True
        if fired:
            violations.append(
                RuleViolation(
                    rule=rule,
                    message=rule.error_message,
                    field=ERROR_LOCATION_FIELDS.get(rule.error_location),
                )
            )
    if violations:
        raise ValidationRuleFailed(violations)
