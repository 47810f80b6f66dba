"""Every write to users, profiles and permission sets."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import PermissionSet, PermissionSetAssignment, Profile, User
from accounts.permissions import ALL_PERMS
from accounts.validation import user_fields, validation_rules_check
from chatterorg.actions import audit_record, licence_claim, licence_release

# The user type follows the licence, as in Salesforce.
USER_TYPE_BY_LICENCE = {
    "Salesforce": User.UserType.STANDARD,
    "Chatter Free": User.UserType.CHATTER_FREE,
    "Chatter External": User.UserType.CHATTER_GUEST,
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
) -> User:
    """Create an internal user with a profile, claiming a licence of that profile.

    Runs the active User validation rules (``ValidationRuleFailed``) and refuses
    the Chatter External profile, which only Join Now may give.
    """
    if profile.licence.name == "Chatter External":
        raise ValidationError({"profile": "Customers join through an invitation, not in Setup."})
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
    if password:
        validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    validation_rules_check(user=user, prior=None, running_user=actor)
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
def user_update_internal(*, actor: User, user: User, **changes: Any) -> User:
    """Edit a user in Setup: fields, profile, active flag; licences follow.

    Validation rules see the prior values (``ISCHANGED``/``PRIORVALUE``).
    """
    user = User.objects.select_for_update().select_related("profile__licence").get(pk=user.pk)
    prior = user_fields(user)
    old_profile, old_active = user.profile, user.is_active
    new_profile: Profile = changes.pop("profile", old_profile)
    new_active: bool = changes.pop("is_active", old_active)
    unknown = set(changes) - set(EDITABLE_USER_FIELDS)
    if unknown:
        raise TypeError(f"Not editable: {sorted(unknown)}")
    if new_profile.licence.name == "Chatter External" and not user.is_customer:
        raise ValidationError({"profile": "Customers join through an invitation, not in Setup."})
    if user.is_customer and new_profile.licence.name != "Chatter External":
        raise ValidationError({"profile": "A customer keeps the Chatter External User profile."})
    for field, value in changes.items():
        setattr(user, field, value.strip() if isinstance(value, str) else value)
    user.profile, user.is_active = new_profile, new_active
    user.user_type = USER_TYPE_BY_LICENCE[new_profile.licence.name]
    user.full_clean(exclude=["password"])
    validation_rules_check(user=user, prior=prior, running_user=actor)
    if old_active and (not new_active or old_profile.licence_id != new_profile.licence_id):
        licence_release(licence_id=old_profile.licence_id)
    if new_active and (not old_active or old_profile.licence_id != new_profile.licence_id):
        licence_claim(licence_id=new_profile.licence_id)
    user.save()
    changes_made: list[tuple[str, Any, Any]] = [
        (field, prior.get(_api_name(field)) or "", getattr(user, field))
        for field in EDITABLE_USER_FIELDS
    ]
    changes_made += [("profile", old_profile.name, new_profile.name)]
    changes_made += [("active", old_active, new_active)]
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


def _api_name(field: str) -> str:
    from accounts.validation import USER_FIELDS

    return next(api for api, (path, _) in USER_FIELDS.items() if path == field)


def _clean_perms(perms: Any) -> list[str]:
    cleaned = sorted(set(perms))
    if any(p not in ALL_PERMS for p in cleaned):
        raise ValidationError("Unknown permission.")
    return cleaned


@transaction.atomic
def profile_permissions_set(*, actor: User, profile: Profile, permissions: Any) -> Profile:
    """Replace a profile's permissions; the change is audited."""
    profile = Profile.objects.select_for_update().get(pk=profile.pk)
    new = _clean_perms(permissions)
    old = sorted(profile.permissions)
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
    permission_set = PermissionSet(
        label=label.strip(),
        api_name=api_name.strip(),
        description=description.strip(),
        permissions=_clean_perms(permissions),
    )
    permission_set.full_clean()
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
    permission_set = PermissionSet.objects.select_for_update().get(pk=permission_set.pk)
    new = _clean_perms(permissions)
    old = sorted(permission_set.permissions)
    permission_set.label, permission_set.description = label.strip(), description.strip()
    permission_set.permissions = new
    permission_set.full_clean()
    permission_set.save()
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
    from accounts.permissions import PERM_LABELS, Perm

    return [PERM_LABELS[Perm(p)] for p in perms]
