"""Every write to User validation rules; each one is audited under "Validation Rules"."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.formula import FormulaSyntaxError
from accounts.models import User, ValidationRule
from accounts.validation import ERROR_LOCATION_FIELDS, formula_parse
from chatterorg.actions import audit_record

SECTION = "Validation Rules"
RULE_LABELS = {
    "name": "Rule Name",
    "active": "Active",
    "description": "Description",
    "formula": "Error Condition Formula",
    "error_message": "Error Message",
    "error_location": "Error Location",
}
RULE_FIELDS = tuple(RULE_LABELS)


def _formula_errors(formula: str) -> str | None:
    try:
        formula_parse(formula)
    except FormulaSyntaxError as exc:
        return str(exc)
    return None


def _rule_validate(rule: ValidationRule) -> None:
    """Field limits, a formula that parses, and a known Error Location (ValidationError)."""
    errors: dict[str, Any] = {}
    try:
        rule.full_clean()
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if "formula" not in errors:
        problem = _formula_errors(rule.formula)
        if problem:
            errors["formula"] = [problem]
    if (
        rule.error_location != ValidationRule.TOP_OF_PAGE
        and rule.error_location not in ERROR_LOCATION_FIELDS
    ):
        errors["error_location"] = ["Select Top of Page or a User field."]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def validation_rule_create(
    *,
    actor: User,
    name: str,
    formula: str,
    error_message: str,
    active: bool = False,
    description: str = "",
    error_location: str = ValidationRule.TOP_OF_PAGE,
) -> ValidationRule:
    """Create a rule; a formula with a syntax error is refused (nothing written)."""
    rule = ValidationRule(
        name=name.strip(),
        active=active,
        description=description.strip(),
        formula=formula,
        error_message=error_message.strip(),
        error_location=error_location,
    )
    _rule_validate(rule)
    rule.save()
    audit_record(
        actor=actor,
        section=SECTION,
        action="validation_rule.created",
        display=f'Created User validation rule "{rule.name}"'
        + (" (active)" if rule.active else " (inactive)"),
        new=rule.formula,
        target=rule,
    )
    return rule


@transaction.atomic
def validation_rule_update(*, actor: User, rule: ValidationRule, **changes: Any) -> ValidationRule:
    """Change a rule's fields; each changed field writes one audit event."""
    unknown = set(changes) - set(RULE_FIELDS)
    if unknown:
        raise TypeError(f"Not validation rule fields: {sorted(unknown)}")
    rule = ValidationRule.objects.select_for_update().get(pk=rule.pk)
    old = {field: getattr(rule, field) for field in RULE_FIELDS}
    for field, value in changes.items():
        # The formula is kept as typed: its line breaks are how admins lay it out.
        if isinstance(value, str) and field != "formula":
            value = value.strip()
        setattr(rule, field, value)
    _rule_validate(rule)
    changed = [field for field in RULE_FIELDS if getattr(rule, field) != old[field]]
    if not changed:
        return rule
    rule.save()
    for field in changed:
        label = RULE_LABELS[field]
        audit_record(
            actor=actor,
            section=SECTION,
            action="validation_rule.changed",
            display=f'Changed "{label}" of User validation rule "{rule.name}"',
            old=old[field],
            new=getattr(rule, field),
            target=rule,
        )
    return rule


@transaction.atomic
def validation_rule_set_active(*, actor: User, rule: ValidationRule, active: bool) -> bool:
    """Activate or deactivate a rule; returns False when it already was so (nothing written)."""
    updated = (
        ValidationRule.objects.filter(pk=rule.pk)
        .exclude(active=active)
        .update(active=active, updated_at=timezone.now())
    )
    if not updated:
        return False
    rule.active = active
    audit_record(
        actor=actor,
        section=SECTION,
        action="validation_rule.activated" if active else "validation_rule.deactivated",
        display=f'{"Activated" if active else "Deactivated"} User validation rule "{rule.name}"',
        old=not active,
        new=active,
        target=rule,
    )
    return True
