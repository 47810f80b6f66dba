"""Every write to users, profiles, permission sets and User validation rules."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.formula import FormulaSyntaxError, parse
from accounts.models import (
    PermissionSet,
    PermissionSetAssignment,
    Profile,
    User,
    UserField,
    ValidationRule,
    email_key,
)
from accounts.permissions import ALL_PERMS, PERM_LABELS, Perm
from accounts.validation import (
    ERROR_LOCATION_FIELDS,
    USER_FIELDS,
    custom_fields_clean,
    custom_value_from_json,
    custom_value_problem,
    custom_value_to_json,
    formula_problem,
    user_field_definitions,
    user_fields,
    user_schema,
    validation_rules_check,
)
from chatterorg.actions import (
    ConfirmationRequired,
    audit_record,
    licence_claim,
    licence_release,
    shown_versions_bump,
)
from chatterorg.fragments import ORG
from chatterorg.models import Licence

# The user type follows the licence, as in Salesforce.
USER_TYPE_BY_LICENCE: dict[str, str] = {
    Licence.Name.SALESFORCE: User.UserType.STANDARD,
    Licence.Name.CHATTER_FREE: User.UserType.CHATTER_FREE,
    Licence.Name.CHATTER_EXTERNAL: User.UserType.CHATTER_GUEST,
}
EDITABLE_USER_FIELDS = (
    "username",
    "email",
    "first_name",
    "last_name",
    "company_name",
    "department",
    "title",
)

EXTERNAL_PROFILE_REFUSED = "Customers join through an invitation, not in Setup."
# Salesforce's rule for API names.
API_NAME_RE = re.compile(r"[A-Za-z](?:_?[A-Za-z0-9])*")
API_NAME_RULES = (
    "The API Name can only contain underscores and alphanumeric characters. It must begin "
    "with a letter, not include spaces, not end with an underscore, and not contain two "
    "consecutive underscores."
)
DUPLICATE_USERNAME = (
    "Duplicate Username. Another user of this organization already has this username; "
    "usernames must be unique."
)
DUPLICATE_CUSTOMER_EMAIL = (
    "Another customer already has this email address; a customer's address is theirs alone."
)
INVALID_EMAIL = "Enter a valid email address."


def _user_errors_collect(user: User, errors: dict[str, list[str]]) -> None:
    """Add the model's field errors to ``errors``; usernames are unique ignoring case."""
    try:
        # The case-insensitive unique constraint is checked below with a readable message.
        user.full_clean(exclude=["password"], validate_constraints=False)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    duplicate = User.objects.with_username(user.username).exclude(pk=user.pk)
    if user.username and duplicate.exists():
        errors["username"] = [DUPLICATE_USERNAME]
    if user.email and "email" not in errors:
        # ``save`` sets the key; the constraint on customers' keys is checked here
        # with a readable message.
        try:
            key = email_key(user.email)
        except ValueError:
            errors["email"] = [INVALID_EMAIL]
        else:
            others = User.objects.filter(
                email_key=key, user_type=User.UserType.CHATTER_GUEST
            ).exclude(pk=user.pk)
            if user.is_customer and others.exists():
                errors["email"] = [DUPLICATE_CUSTOMER_EMAIL]


@transaction.atomic
def user_create_internal(
    *,
    actor: User | None,
    username: str,
    email: str,
    last_name: str,
    profile: Profile,
    first_name: str = "",
    company_name: str = "",
    department: str = "",
    title: str = "",
    password: str | None = None,
    is_active: bool = True,
    custom_fields: Mapping[str, Any] | None = None,
) -> User:
    """Create an internal user with a profile, claiming a licence of that profile.

    Runs the active User validation rules (``ValidationRuleFailed``) and refuses
    the Chatter External profile, which only Join Now may give. Custom fields
    left out take their default.
    """
    errors: dict[str, list[str]] = {}
    definitions = user_field_definitions()
    if profile.licence.name == Licence.Name.CHATTER_EXTERNAL:
        errors["profile"] = [EXTERNAL_PROFILE_REFUSED]
    user = User(
        username=username.strip(),
        email=email.strip(),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        company_name=company_name.strip(),
        department=department.strip(),
        title=title.strip(),
        profile=profile,
        user_type=USER_TYPE_BY_LICENCE[profile.licence.name],
        is_active=is_active,
    )
    _user_errors_collect(user, errors)
    user.custom_fields, custom_errors = custom_fields_clean(
        definitions=definitions, values=custom_fields or {}, stored=None
    )
    errors.update(custom_errors)
    if password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            errors.setdefault("password", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    validation_rules_check(user=user, prior=None, running_user=actor, definitions=definitions)
    if is_active:
        licence_claim(licence_id=profile.licence_id)
    user.save()
    audit_record(
        actor=actor,
        section="Manage Users",
        action="user.created",
        display=f"Created new user {user.username} with profile {profile.name}",
        new=profile.name,
        target=user,
    )
    return user


@transaction.atomic
def user_update_internal(
    *, actor: User, user: User, confirmed: bool = True, **changes: Any
) -> User:
    """Edit a user in Setup: fields, profile, active flag; licences follow.

    Deactivating a user unless ``confirmed`` raises ``ConfirmationRequired`` after
    every check, writing nothing.

    Validation rules see the prior values (``ISCHANGED``/``PRIORVALUE``).
    ``custom_fields`` (API name → value) changes only the custom fields it names.
    """
    user = (
        User.objects.select_for_update(of=("self",))
        .select_related("profile__licence")
        .get(pk=user.pk)
    )
    definitions = user_field_definitions()
    prior = user_fields(user, definitions)
    old_profile, old_active = user.profile, user.is_active
    shown_before = (user.first_name, user.last_name, user.is_active, user.user_type)
    old_custom = dict(user.custom_fields or {})
    new_profile: Profile = changes.pop("profile", old_profile)
    new_active: bool = changes.pop("is_active", old_active)
    custom_changes: Mapping[str, Any] = changes.pop("custom_fields", None) or {}
    unknown = set(changes) - set(EDITABLE_USER_FIELDS)
    if unknown:
        raise TypeError(f"Not editable: {sorted(unknown)}")
    errors: dict[str, list[str]] = {}
    if new_profile.licence.name == Licence.Name.CHATTER_EXTERNAL and not user.is_customer:
        errors["profile"] = [EXTERNAL_PROFILE_REFUSED]
    if user.is_customer and new_profile.licence.name != Licence.Name.CHATTER_EXTERNAL:
        errors["profile"] = ["A customer keeps the Chatter External User profile."]
    # An admin who could lock themselves out of Setup is refused, as in Salesforce.
    if actor is not None and actor.pk == user.pk:
        if not new_active:
            errors["is_active"] = ["You can't deactivate your own user."]
        if new_profile.pk != old_profile.pk:
            errors["profile"] = ["You can't change your own profile."]
    for field, value in changes.items():
        setattr(user, field, value.strip() if isinstance(value, str) else value)
    user.profile, user.is_active = new_profile, new_active
    user.user_type = USER_TYPE_BY_LICENCE[new_profile.licence.name]
    _user_errors_collect(user, errors)
    user.custom_fields, custom_errors = custom_fields_clean(
        definitions=definitions, values=custom_changes, stored=old_custom
    )
    errors.update(custom_errors)
    if errors:
        raise ValidationError(errors)
    validation_rules_check(user=user, prior=prior, running_user=actor, definitions=definitions)
    if old_active and not new_active and not confirmed:
        raise ConfirmationRequired(f"{user.name} will no longer be able to log in.")
    if old_active and (not new_active or old_profile.licence_id != new_profile.licence_id):
        licence_release(licence_id=old_profile.licence_id)
    if new_active and (not old_active or old_profile.licence_id != new_profile.licence_id):
        licence_claim(licence_id=new_profile.licence_id)
    user.save()
    shown = (user.first_name, user.last_name, user.is_active, user.user_type)
    if shown != shown_before:
        # Names, the "Inactive" badge and the customer badge are on every group page.
        shown_versions_bump(ORG)
    changes_made: list[tuple[str, Any, Any]] = [
        (field, prior.get(_api_name(field)) or "", getattr(user, field))
        for field in EDITABLE_USER_FIELDS
    ]
    changes_made += [("profile", old_profile.name, new_profile.name)]
    changes_made += [("active", old_active, new_active)]
    changes_made += [
        (
            definition.label,
            _shown(custom_value_from_json(definition, old_custom.get(definition.api_name))),
            _shown(custom_value_from_json(definition, user.custom_fields.get(definition.api_name))),
        )
        for definition in definitions
    ]
    for label, old, new in changes_made:
        if old != new:
            audit_record(
                actor=actor,
                section="Manage Users",
                action="user.changed",
                display=f"Changed {label.replace('_', ' ')} of user {user.username}",
                old=old,
                new=new,
                target=user,
            )
    return user


def _shown(value: Any) -> Any:
    """A custom field value as the audit trail shows it (blank, text, True/False)."""
    return "" if value is None else value if isinstance(value, bool) else str(value)


def _api_name(field: str) -> str:
    return next(api for api, (path, _) in USER_FIELDS.items() if path == field)


def _clean_perms(perms: Any) -> list[str]:
    cleaned = sorted({str(p) for p in perms})
    if any(p not in ALL_PERMS for p in cleaned):
        raise ValidationError({"permissions": ["Unknown permission."]})
    return cleaned


# The one permission an admin may give the Chatter External profile: customers can use
# the API ("Chatter External User does not [have API Enabled] unless an admin adds it").
EXTERNAL_PROFILE_PERMS: frozenset[str] = frozenset({Perm.API_ENABLED.value})


def profile_permissions_allowed(profile: Profile) -> frozenset[str]:
    """The permissions ``profile`` may hold: all of them, or for customers only API Enabled."""
    if profile.licence.name == Licence.Name.CHATTER_EXTERNAL:
        return EXTERNAL_PROFILE_PERMS
    return ALL_PERMS


def profile_permissions_locked_reason(
    profile: Profile, permissions: Iterable[str] | None = None
) -> str | None:
    """Why a profile's permissions cannot be edited (or set to ``permissions``), or None.

    System Administrator keeps every permission so that the org never loses its
    last way into Setup. Profiles with the Chatter External licence (customers)
    hold nothing but, if an admin adds it, API Enabled: no customer can ever
    reach Setup or invite. Without ``permissions`` the answer is whether the
    profile can be edited at all.
    """
    if profile.name == Profile.SYSTEM_ADMINISTRATOR:
        return "The System Administrator profile always has every permission."
    if permissions is not None and not set(permissions) <= profile_permissions_allowed(profile):
        return "Profiles with the Chatter External license can have only API Enabled."
    return None


@transaction.atomic
def profile_permissions_set(*, actor: User, profile: Profile, permissions: Any) -> Profile:
    """Replace a profile's permissions; the change is audited.

    Refused (``ValidationError``) for profiles whose permissions are fixed, see
    ``profile_permissions_locked_reason``.
    """
    profile = Profile.objects.select_for_update().get(pk=profile.pk)
    new = _clean_perms(permissions)
    old = sorted(profile.permissions)
    locked = profile_permissions_locked_reason(profile, new)
    if locked and new != old:
        raise ValidationError({"permissions": [locked]})
    if new != old:
        profile.permissions = new
        profile.save(update_fields=["permissions"])
        audit_record(
            actor=actor,
            section="Manage Users",
            action="profile.permissions_changed",
            display=f"Changed permissions of profile {profile.name}",
            old=_labels(old),
            new=_labels(new),
            target=profile,
        )
    return profile


@transaction.atomic
def permission_set_create(
    *,
    actor: User | None,
    label: str,
    api_name: str,
    description: str = "",
    permissions: Any = (),
) -> PermissionSet:
    """Create a permission set; its API name is unique (ignoring case) and well-formed."""
    permission_set = PermissionSet(
        label=label.strip(),
        api_name=api_name.strip(),
        description=description.strip(),
        permissions=_clean_perms(permissions),
    )
    errors: dict[str, list[str]] = {}
    try:
        permission_set.full_clean()
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if permission_set.api_name and not API_NAME_RE.fullmatch(permission_set.api_name):
        errors["api_name"] = [API_NAME_RULES]
    elif PermissionSet.objects.filter(api_name__iexact=permission_set.api_name).exists():
        errors["api_name"] = ["A permission set with this API Name already exists."]
    if errors:
        raise ValidationError(errors)
    permission_set.save()
    audit_record(
        actor=actor,
        section="Manage Users",
        action="permission_set.created",
        display=f"Created permission set {permission_set.label}",
        new=_labels(permission_set.permissions),
        target=permission_set,
    )
    return permission_set


@transaction.atomic
def permission_set_update(
    *, actor: User, permission_set: PermissionSet, label: str, description: str, permissions: Any
) -> PermissionSet:
    """Change a set's label, description and permissions; every change is audited."""
    permission_set = PermissionSet.objects.select_for_update().get(pk=permission_set.pk)
    new = _clean_perms(permissions)
    old = sorted(permission_set.permissions)
    old_label, old_description = permission_set.label, permission_set.description
    permission_set.label, permission_set.description = label.strip(), description.strip()
    permission_set.permissions = new
    permission_set.full_clean()
    permission_set.save()
    for what, old_text, new_text in (
        ("label", old_label, permission_set.label),
        ("description", old_description, permission_set.description),
    ):
        if old_text != new_text:
            audit_record(
                actor=actor,
                section="Manage Users",
                action="permission_set.changed",
                display=f"Changed {what} of permission set {permission_set.api_name}",
                old=old_text,
                new=new_text,
                target=permission_set,
            )
    if new != old:
        audit_record(
            actor=actor,
            section="Manage Users",
            action="permission_set.permissions_changed",
            display=f"Changed permissions of permission set {permission_set.label}",
            old=_labels(old),
            new=_labels(new),
            target=permission_set,
        )
    return permission_set


@transaction.atomic
def permission_set_assign(*, actor: User | None, user: User, permission_set: PermissionSet) -> bool:
    """Assign a set to a user; returns False if it was already assigned."""
    if user.is_customer:
        raise ValidationError("Permission sets cannot be assigned to customers.")
    _, created = PermissionSetAssignment.objects.get_or_create(
        user=user, permission_set=permission_set
    )
    if created:
        audit_record(
            actor=actor,
            section="Manage Users",
            action="permission_set.assigned",
            display=f"Assigned permission set {permission_set.label} to user {user.username}",
            new=permission_set.label,
            target=user,
        )
    return created


@transaction.atomic
def permission_set_unassign(*, actor: User, user: User, permission_set: PermissionSet) -> bool:
    """Remove a set from a user; returns False if it was not assigned."""
    deleted, _ = PermissionSetAssignment.objects.filter(
        user=user, permission_set=permission_set
    ).delete()
    if deleted:
        audit_record(
            actor=actor,
            section="Manage Users",
            action="permission_set.unassigned",
            display=f"Removed permission set {permission_set.label} from user {user.username}",
            old=permission_set.label,
            target=user,
        )
    return bool(deleted)


def _labels(perms: Any) -> list[str]:
    return [PERM_LABELS[Perm(p)] for p in perms]


# Validation rules -------------------------------------------------------------

RULES_SECTION = "Validation Rules"
RULE_LABELS = {
    "name": "Rule Name",
    "active": "Active",
    "description": "Description",
    "formula": "Error Condition Formula",
    "error_message": "Error Message",
    "error_location": "Error Location",
    "blank_as_zero": "Treat blank fields as zeroes",
}
RULE_FIELDS = tuple(RULE_LABELS)
RULE_HAS_ERRORS = "This rule has errors: {error}"


def _rule_validate(rule: ValidationRule, definitions: Sequence[UserField]) -> None:
    """Field limits, a formula that passes the type check against the User schema, and a
    known Error Location (ValidationError)."""
    errors: dict[str, Any] = {}
    try:
        rule.full_clean()
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if "formula" not in errors:
        problem = formula_problem(rule.formula, schema=user_schema(definitions))
        if problem is not None:
            errors["formula"] = [str(problem)]
    custom = {definition.api_name for definition in definitions}
    if (
        rule.error_location != ValidationRule.TOP_OF_PAGE
        and rule.error_location not in ERROR_LOCATION_FIELDS
        and rule.error_location not in custom
    ):
        errors["error_location"] = ["Select Top of Page or a User field."]
    if errors:
        raise ValidationError(errors)


def validation_rule_problem(rule: ValidationRule, *, schema: Mapping[str, str]) -> str | None:
    """ "This rule has errors: …" for a stored rule whose formula no longer passes the
    check (saved before it, or a field changed since); None when it is fine."""
    problem = formula_problem(rule.formula, schema=schema)
    return None if problem is None else RULE_HAS_ERRORS.format(error=problem)


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
    blank_as_zero: bool = False,
) -> ValidationRule:
    """Create a rule; a formula with a syntax or type error is refused (nothing written)."""
    rule = ValidationRule(
        name=name.strip(),
        active=active,
        description=description.strip(),
        formula=formula,
        error_message=error_message.strip(),
        error_location=error_location,
        blank_as_zero=blank_as_zero,
    )
    _rule_validate(rule, user_field_definitions())
    rule.save()
    audit_record(
        actor=actor,
        section=RULES_SECTION,
        action="validation_rule.created",
        display=f'Created User validation rule "{rule.name}"'
        + (" (active)" if rule.active else " (inactive)"),
        new=rule.formula,
        target=rule,
    )
    return rule


@transaction.atomic
def validation_rule_update(*, actor: User, rule: ValidationRule, **changes: Any) -> ValidationRule:
    """Change a rule's fields; each changed field writes one audit event.

    The whole rule must pass the check, so a stored rule with errors is saved only fixed.
    """
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
    _rule_validate(rule, user_field_definitions())
    changed = [field for field in RULE_FIELDS if getattr(rule, field) != old[field]]
    if not changed:
        return rule
    rule.save()
    for field in changed:
        label = RULE_LABELS[field]
        audit_record(
            actor=actor,
            section=RULES_SECTION,
            action="validation_rule.changed",
            display=f'Changed "{label}" of User validation rule "{rule.name}"',
            old=old[field],
            new=getattr(rule, field),
            target=rule,
        )
    return rule


@transaction.atomic
def validation_rule_set_active(*, actor: User, rule: ValidationRule, active: bool) -> bool:
    """Activate or deactivate a rule; returns False when it already was so (nothing written).

    A rule whose formula does not pass the check cannot be activated (ValidationError,
    nothing written); deactivating is always allowed.
    """
    if active:
        rule = ValidationRule.objects.select_for_update().get(pk=rule.pk)
        problem = validation_rule_problem(rule, schema=user_schema())
        if problem is not None:
            raise ValidationError({"formula": [problem]})
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
        section=RULES_SECTION,
        action="validation_rule.activated" if active else "validation_rule.deactivated",
        display=f'{"Activated" if active else "Deactivated"} User validation rule "{rule.name}"',
        old=not active,
        new=active,
        target=rule,
    )
    return True


# Custom fields on User ----------------------------------------------------------

FIELDS_SECTION = "Customize Users"
CUSTOM_SUFFIX = "__c"
MAX_FIELD_NAME = 40  # characters before "__c"
MAX_PICKLIST_VALUES = 1000
FIELD_NAME_TAKEN = "A field with this Field Name already exists on User."


def field_name_from_label(label: str) -> str:
    """Salesforce's Field Name for a label: "Begin Date" → "Begin_Date" (no suffix)."""
    name = re.sub(r"[^A-Za-z0-9]+", "_", label.strip()).strip("_")
    name = re.sub(r"^[^A-Za-z]+", "", name)
    return name[:MAX_FIELD_NAME].rstrip("_")


def _field_default(kind: str, default: Any, errors: dict[str, list[str]]) -> Any:
    """The Python value of a typed default ("12.5", "2026-01-31", True...), or None."""
    if kind == UserField.Type.CHECKBOX:
        return bool(default)
    if default is None or (isinstance(default, str) and not default.strip()):
        return None
    text = default.strip() if isinstance(default, str) else default
    try:
        if kind == UserField.Type.NUMBER:
            return Decimal(text)
        if kind == UserField.Type.DATE:
            return text if isinstance(text, dt.date) else dt.date.fromisoformat(str(text))
    except (InvalidOperation, ValueError):
        errors["default"] = [f"Enter a valid {UserField.Type(kind).label.lower()}."]
        return None
    return str(text)


def _rules_reading(api_name: str) -> list[ValidationRule]:
    """The rules whose formula or Error Location names the field ``api_name``."""
    names = {api_name.casefold(), f"$user.{api_name}".casefold()}
    reading = []
    for rule in ValidationRule.objects.order_by("name"):
        try:
            formula = parse(rule.formula)
            read = formula.field_references | formula.global_references
            referenced = {name.casefold() for name in read}
            found = bool(names & referenced)
        except FormulaSyntaxError:
            pattern = rf"(?<![\w.]){re.escape(api_name)}(?!\w)"
            found = re.search(pattern, rule.formula, re.IGNORECASE) is not None
        if found or rule.error_location.casefold() == api_name.casefold():
            reading.append(rule)
    return reading


@transaction.atomic
def user_field_create(
    *,
    actor: User,
    label: str,
    type: str,
    api_name: str = "",
    description: str = "",
    help_text: str = "",
    length: int | None = None,
    precision: int | None = None,
    scale: int | None = None,
    picklist_values: Sequence[str] = (),
    required: bool = False,
    default: Any = None,
) -> UserField:
    """Define a custom field on User; its values go in ``User.custom_fields``.

    The Field Name (API name) is derived from the label when left blank, ends in
    ``__c`` and is unique ignoring case. Refusals write nothing.
    """
    errors: dict[str, list[str]] = {}
    label = label.strip()
    base = (api_name.strip() or field_name_from_label(label)).removesuffix(CUSTOM_SUFFIX)
    if not base or not API_NAME_RE.fullmatch(base) or len(base) > MAX_FIELD_NAME:
        errors["api_name"] = [API_NAME_RULES]
    api_name = base + CUSTOM_SUFFIX
    if type not in UserField.Type.values:
        errors["type"] = ["Select a data type."]
    values = [value.strip() for value in picklist_values if value.strip()]
    field = UserField(
        label=label,
        api_name=api_name,
        type=type,
        description=description.strip(),
        help_text=help_text.strip(),
        required=required and type != UserField.Type.CHECKBOX,
    )
    if type == UserField.Type.TEXT:
        if length is None or not 1 <= length <= UserField.MAX_TEXT_LENGTH:
            errors["length"] = [f"Enter a length from 1 to {UserField.MAX_TEXT_LENGTH}."]
        field.length = length
    elif type == UserField.Type.NUMBER:
        # Salesforce's Length (digits before the point) and Decimal Places: 18 in all.
        scale = scale or 0
        if precision is None or not 1 <= precision <= UserField.MAX_PRECISION:
            errors["precision"] = [f"Enter a length from 1 to {UserField.MAX_PRECISION}."]
        elif not 0 <= scale <= UserField.MAX_PRECISION - precision:
            errors["scale"] = [
                f"The sum of the length and decimal places must be at most "
                f"{UserField.MAX_PRECISION}."
            ]
        field.precision, field.scale = precision, scale
    elif type == UserField.Type.PICKLIST:
        if not values:
            errors["picklist_values"] = ["Enter at least one value, one per line."]
        elif len(values) > MAX_PICKLIST_VALUES or any(len(v) > 255 for v in values):
            errors["picklist_values"] = ["At most 1,000 values of up to 255 characters each."]
        elif len({v.casefold() for v in values}) != len(values):
            errors["picklist_values"] = ["Each value must be unique."]
        field.picklist_values = values
    if "type" not in errors:
        value = _field_default(type, default, errors)
        if "default" not in errors:
            problem = custom_value_problem(_optional_copy(field), value)
            if problem:
                errors["default"] = [problem]
            field.default = custom_value_to_json(field, value)
    try:
        field.full_clean(exclude=["api_name", "default"], validate_constraints=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if "api_name" not in errors and UserField.objects.filter(api_name__iexact=api_name).exists():
        errors["api_name"] = [FIELD_NAME_TAKEN]
    if errors:
        raise ValidationError(errors)
    field.save()
    audit_record(
        actor=actor,
        section=FIELDS_SECTION,
        action="user_field.created",
        display=f"Created custom field {field.label} ({field.api_name}) of type "
        f"{field.get_type_display()} on User",
        new=field.api_name,
        target=field,
    )
    return field


def _optional_copy(field: UserField) -> UserField:
    """The field as a default is checked against it: a default may leave it blank."""
    return UserField(
        label=field.label,
        api_name=field.api_name,
        type=field.type,
        length=field.length,
        precision=field.precision,
        scale=field.scale,
        picklist_values=field.picklist_values,
        required=False,
    )


@transaction.atomic
def user_field_delete(*, actor: User, field: UserField) -> None:
    """Delete a custom field and its values; refused while a validation rule reads it."""
    field = UserField.objects.select_for_update().get(pk=field.pk)
    reading = _rules_reading(field.api_name)
    if reading:
        names = ", ".join(f'"{rule.name}"' for rule in reading)
        raise ValidationError(
            f"Cannot delete custom field {field.label}: it is referenced by "
            f"validation rule {names}. Change the rule first."
        )
    holders = User.objects.filter(custom_fields__has_key=field.api_name).only("custom_fields")
    batch = []
    for user in holders.iterator(chunk_size=1000):
        user.custom_fields.pop(field.api_name, None)
        batch.append(user)
    User.objects.bulk_update(batch, ["custom_fields"], batch_size=1000)
    audit_record(
        actor=actor,
        section=FIELDS_SECTION,
        action="user_field.deleted",
        display=f"Deleted custom field {field.label} ({field.api_name}) on User",
        old=field.api_name,
        target=field,
    )
    field.delete()
