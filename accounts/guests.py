"""Customers' sponsors and access end dates: the writes.

Every customer has a sponsor (the inviter, set at sign-up; admins reassign it)
and an optional "Access ends on" date. On that date the scheduled job
(``invitations.lifecycle``) calls ``customer_access_end``: the customer is
deactivated, which frees the licence and ends every session (Django's login
refuses inactive users on their next request; API sessions are revoked here).
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import ApiSession, User
from accounts.permissions import Perm, user_has_perm
from chatterorg.actions import audit_record, licence_release

AUDIT_SECTION = "Manage Users"


@transaction.atomic
def customer_access_set(
    *, actor: User, user: User, sponsor: User | None, access_ends_on: date | None
) -> User:
    """Reassign a customer's sponsor and set or clear their "Access ends on" date.

    Requires "Manage Users" (PermissionDenied). ``user`` must be a customer and
    ``sponsor`` an active internal user (ValidationError). A new date re-arms
    the sponsor's week-before email. One audit event per changed value.
    """
    if not user_has_perm(actor, Perm.MANAGE_USERS) or actor.is_customer:
        raise PermissionDenied
    user = User.objects.select_for_update(of=("self",)).select_related("sponsor").get(pk=user.pk)
    errors: dict[str, list[str]] = {}
    if not user.is_customer:
        errors["sponsor"] = ["Only customers have a sponsor and an access end date."]
    if sponsor is not None and (not sponsor.is_active or sponsor.is_customer):
        errors["sponsor"] = ["The sponsor must be an active user of the company, not a customer."]
    if access_ends_on is not None and access_ends_on < timezone.localdate() and user.is_active:
        errors["access_ends_on"] = ["Choose today or a later date."]
    if errors:
        raise ValidationError(errors)
    old_sponsor = user.sponsor.username if user.sponsor else ""
    old_end = user.access_ends_on
    user.sponsor = sponsor
    user.access_ends_on = access_ends_on
    user.save(update_fields=["sponsor", "access_ends_on"])
    new_sponsor = sponsor.username if sponsor else ""
    if old_sponsor != new_sponsor:
        audit_record(
            actor=actor,
            section=AUDIT_SECTION,
            action="user.sponsor_changed",
            display=f"Changed the sponsor of customer {user.username}",
            old=old_sponsor,
            new=new_sponsor,
            target=user,
        )
    if old_end != access_ends_on:
        audit_record(
            actor=actor,
            section=AUDIT_SECTION,
            action="user.access_end_changed",
            display=f'Changed "Access ends on" of customer {user.username}',
            old=old_end.isoformat() if old_end else "",
            new=access_ends_on.isoformat() if access_ends_on else "",
            target=user,
        )
    return user


@transaction.atomic
def customer_access_end(*, user_id: int, today: date) -> User | None:
    """Deactivate a customer whose "Access ends on" has come; the user, or None if
    there is nothing to do (already inactive, date moved, another run was first).

    The claim is ``UPDATE … SET is_active = false WHERE is_active AND
    access_ends_on <= today``: of two concurrent runs, one deactivates and frees
    the licence, the other does nothing.
    """
    claimed = User.objects.filter(
        pk=user_id,
        is_active=True,
        user_type=User.UserType.CHATTER_GUEST,
        access_ends_on__lte=today,
    ).update(is_active=False)
    if not claimed:
        return None
    user = User.objects.select_related("profile", "sponsor").get(pk=user_id)
    licence_release(licence_id=user.profile.licence_id)
    ApiSession.objects.filter(user_id=user_id, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    audit_record(
        actor=None,
        section=AUDIT_SECTION,
        action="user.access_ended",
        display=f"Deactivated customer {user.username}: access ended on "
        f"{user.access_ends_on:%Y-%m-%d}",
        old="Active",
        new="Inactive",
        target=user,
    )
    return user


def customer_access_warning_claim(*, user_id: int, ends_on: date) -> bool:
    """Claim the sponsor's week-before email for this end date: True once per date."""
    return bool(
        User.objects.filter(pk=user_id, is_active=True, access_ends_on=ends_on)
        .exclude(access_end_warned_for=ends_on)
        .update(access_end_warned_for=ends_on)
    )
