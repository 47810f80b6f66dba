"""Writes of org-wide things: Chatter settings, licences, the audit trail."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import F, Field

from chatterorg.fragments import ORG
from chatterorg.models import AuditEvent, Licence, Organization, ShownVersion


class NoLicenceLeft(Exception):
    """Every licence of this type is in use."""

    def __init__(self, licence_name: str) -> None:
        super().__init__(f"No {licence_name} licenses are left.")
        self.licence_name = licence_name


class ConfirmationRequired(Exception):
    """The change is valid but can't be undone, and the caller didn't confirm it.

    Raised after every check and before the first write (nothing is written); a
    view answers it with a confirm page whose form posts the same change again,
    confirmed.
    """


def audit_record(
    *,
    actor: AbstractBaseUser | None,
    section: str,
    action: str,
    display: str,
    old: Any = "",
    new: Any = "",
    target: Any = None,
) -> AuditEvent:
    """Append one Setup Audit Trail entry (call inside the action's transaction)."""
    event = audit_event(
        actor=actor,
        section=section,
        action=action,
        display=display,
        old=old,
        new=new,
        target=target,
    )
    event.save()
    return event


def audit_event(
    *,
    actor: AbstractBaseUser | None,
    section: str,
    action: str,
    display: str,
    old: Any = "",
    new: Any = "",
    target: Any = None,
) -> AuditEvent:
    """One Setup Audit Trail entry, not yet saved (for ``bulk_create`` of several)."""
    return AuditEvent(
        actor_id=actor.pk if actor is not None and actor.pk else None,
        section=section,
        action=action,
        display=display[:500],
        old_value=_as_text(old),
        new_value=_as_text(new),
        target_type=type(target).__name__ if target is not None else "",
        target_id=str(getattr(target, "pk", "") or "") if target is not None else "",
    )


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "Checked" if value else "Unchecked"
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(sorted(str(v) for v in value))
    return "" if value is None else str(value)


def shown_versions_bump(*keys: str) -> None:
    """Bump what cached fragments show under each key (``chatterorg.fragments``).

    Call it inside the action's transaction, so the change and the new version
    commit together. Rows are created on first use; the increment is a single
    ``UPDATE … SET value = value + 1``, so concurrent bumps never lose one.
    """
    if not keys:
        return
    ShownVersion.objects.bulk_create([ShownVersion(key=key) for key in keys], ignore_conflicts=True)
    ShownVersion.objects.filter(key__in=keys).update(value=F("value") + 1)


def licence_claim(*, licence_id: int) -> None:
    """Take one licence, atomically: the UPDATE succeeds only while one is left.

    The conditional ``UPDATE … WHERE used < total`` is safe under concurrency on
    every database (the row is locked by the update itself), and the check
    constraint ``used <= total`` backs it up.
    """
    claimed = Licence.objects.filter(pk=licence_id, used__lt=F("total")).update(used=F("used") + 1)
    if not claimed:
        name = Licence.objects.filter(pk=licence_id).values_list("name", flat=True).first()
        raise NoLicenceLeft(name or "user")


def licence_release(*, licence_id: int) -> None:
    """Give one licence back (a user was deactivated or moved to another licence)."""
    Licence.objects.filter(pk=licence_id, used__gt=0).update(used=F("used") - 1)


ORG_SETTING_FIELDS = (
    "allow_customer_invitations",
    "allow_coworker_invitations",
    "enable_unlisted_groups",
    "invitation_expiry_days",
    "invitations_per_day",
    "show_validation_errors_to_customers",
    "invitation_reminders",
    "invitation_reminder_days",
    "customer_access_days",
    "company_email_domains",
    "customer_domain_rule",
    "customer_domains",
)


def setting_label(field: str) -> str:
    """The label Setup shows for a Chatter setting, e.g. "Allow Customer Invitations"."""
    model_field = Organization._meta.get_field(field)
    assert isinstance(model_field, Field)
    return str(model_field.verbose_name)


@transaction.atomic
def org_settings_update(*, actor: AbstractBaseUser, **changes: Any) -> list[str]:
    """Change Chatter settings; every changed field writes an audit event.

    Returns the labels of the settings that changed.
    """
    unknown = set(changes) - set(ORG_SETTING_FIELDS)
    if unknown:
        raise TypeError(f"Not Chatter settings: {sorted(unknown)}")
    org = Organization.objects.select_for_update().get_or_create(pk=1)[0]
    olds = {field: getattr(org, field) for field in changes}
    changed_fields = [field for field, new in changes.items() if olds[field] != new]
    if not changed_fields:
        return []
    for field in changed_fields:
        setattr(org, field, changes[field])
    # Validate every new value before the first write.
    org.full_clean()
    org.save()
    # Settings decide what group pages show (who may be invited, Unlisted groups).
    shown_versions_bump(ORG)
    changed: list[str] = []
    for field in changed_fields:
        old, new = olds[field], changes[field]
        label = setting_label(field)
        changed.append(label)
        audit_record(
            actor=actor,
            section="Chatter Settings",
            action="chatter_settings.changed",
            display=f'Changed Chatter setting "{label}" from {_as_text(old)} to {_as_text(new)}',
            old=old,
            new=new,
            target=org,
        )
    return changed
