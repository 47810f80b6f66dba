"""Setup › Invitations: admins resend or cancel many invitations of the org at once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.permissions import Perm, user_has_perm
from chatterorg.selectors import org_get
from invitations.actions import (
    _audit_of_org,
    _count,
    _daily_limit_check,
    _emails_enqueue,
    _resend_fields,
    invitation_duration,
)
from invitations.models import Invitation, RetiredLink, links_retire

# A selection is one page of the list, at most; a little room for a larger page.
MAX_SELECTED = 200


@dataclass(frozen=True)
class SelectionOutcome:
    """What a bulk action did: the invitations changed, and those left alone (not pending)."""

    changed: list[str]
    skipped: list[str]


def _selected(*, actor: User, invitation_ids: Sequence[int]) -> tuple[list[Invitation], list[str]]:
    """The selected pending invitations, locked, and the addresses of the others; checks first."""
    if not user_has_perm(actor, Perm.MANAGE_USERS) or actor.is_customer:
        raise PermissionDenied
    ids = sorted(set(invitation_ids))
    if not ids:
        raise ValidationError("Select at least one invitation.", code="none_selected")
    if len(ids) > MAX_SELECTED:
        raise ValidationError(
            "Select at most %(limit)d invitations at a time.",
            code="too_many",
            params={"limit": MAX_SELECTED},
        )
    rows = list(Invitation.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    pending = [row for row in rows if row.status == Invitation.Status.SENT]
    skipped = [row.email for row in rows if row.status != Invitation.Status.SENT]
    return pending, skipped


@transaction.atomic
def invitations_resend_selected(*, actor: User, invitation_ids: Sequence[int]) -> SelectionOutcome:
    """Send each selected pending invitation again (new link, old one dead, expiry restarted).

    Requires "Manage Users" (PermissionDenied). Counts against the actor's daily
    limit as single resends do; over it, nothing is written (ValidationError).
    Invitations that are no longer pending are skipped and named in the outcome.
    One query for the update whatever the selection's size, one audit event.
    """
    pending, skipped = _selected(actor=actor, invitation_ids=invitation_ids)
    now = timezone.now()
    org = org_get()
    if pending:
        _daily_limit_check(actor=actor, org=org, now=now, new=0, resent=pending)
        links_retire(pending, reason=RetiredLink.Reason.SUPERSEDED)
        fields: dict[str, object] = {}
        for invitation in pending:
            duration = invitation_duration(invitation, org=org)
            fields = _resend_fields(actor=actor, now=now, expires_at=now + duration)
            for field, value in fields.items():
                setattr(invitation, field, value)
        Invitation.objects.bulk_update(pending, list(fields), batch_size=500)
        _audit_of_org(
            actor=actor,
            action="invitation.resent",
            summary=f"Resent {_count(len(pending), 'invitation', 'invitations')} from Setup",
            emails=[inv.email for inv in pending],
        ).save()
        _emails_enqueue([inv.pk for inv in pending])
    return SelectionOutcome(changed=[inv.email for inv in pending], skipped=skipped)


@transaction.atomic
def invitations_cancel_selected(*, actor: User, invitation_ids: Sequence[int]) -> SelectionOutcome:
    """Cancel each selected pending invitation; their links stop working when this commits.

    Requires "Manage Users" (PermissionDenied). Invitations that are no longer
    pending are skipped and named in the outcome. One update, one audit event.
    """
    pending, skipped = _selected(actor=actor, invitation_ids=invitation_ids)
    if pending:
        Invitation.objects.filter(
            pk__in=[inv.pk for inv in pending], status=Invitation.Status.SENT
        ).update(status=Invitation.Status.CANCELED, canceled_at=timezone.now(), token_hash=None)
        _audit_of_org(
            actor=actor,
            action="invitation.canceled",
            summary=f"Canceled {_count(len(pending), 'invitation', 'invitations')} from Setup",
            emails=[inv.email for inv in pending],
        ).save()
    return SelectionOutcome(changed=[inv.email for inv in pending], skipped=skipped)
