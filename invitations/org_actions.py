"""Resend or Cancel invitations of the org by id, away from their group's pages: many at
once from Setup › Invitations, or a sender's own coworker invitation from People › Invite
Coworkers. Who may is ``invitations.access.invitation_change_allowed``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from chatterorg.selectors import org_get
from invitations.access import invitation_change_allowed
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


def _selected(
    *, actor: User, invitation_ids: Sequence[int], resend: bool
) -> tuple[list[Invitation], list[str]]:
    """The selected pending invitations, locked, and the addresses of the others; checks first.

    PermissionDenied unless the actor may change every selected invitation (an
    unknown id selects nothing).
    """
    if not actor.is_active or actor.is_customer:
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
    org = org_get()
    if not all(
        invitation_change_allowed(user=actor, invitation=row, org=org, resend=resend)
        for row in rows
    ):
        raise PermissionDenied
    pending = [row for row in rows if row.status == Invitation.Status.SENT]
    skipped = [row.email for row in rows if row.status != Invitation.Status.SENT]
    return pending, skipped


@transaction.atomic
def invitations_resend_selected(
    *, actor: User, invitation_ids: Sequence[int], origin: str = "Setup"
) -> SelectionOutcome:
    """Send each selected pending invitation again (new link, old one dead, expiry restarted).

    PermissionDenied unless ``invitation_change_allowed`` lets the actor resend
    every one. Counts against the actor's daily limit as single resends do; over
    it, nothing is written (ValidationError). Invitations that are no longer
    pending are skipped and named in the outcome. One query for the update
    whatever the selection's size, one audit event, which names ``origin`` (the
    page the request came from).
    """
    pending, skipped = _selected(actor=actor, invitation_ids=invitation_ids, resend=True)
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
            summary=f"Resent {_count(len(pending), 'invitation', 'invitations')} from {origin}",
            emails=[inv.email for inv in pending],
        ).save()
        _emails_enqueue([inv.pk for inv in pending])
    return SelectionOutcome(changed=[inv.email for inv in pending], skipped=skipped)


@transaction.atomic
def invitations_cancel_selected(
    *, actor: User, invitation_ids: Sequence[int], origin: str = "Setup"
) -> SelectionOutcome:
    """Cancel each selected pending invitation; their links stop working when this commits.

    PermissionDenied unless ``invitation_change_allowed`` lets the actor cancel
    every one. Invitations that are no longer pending are skipped and named in
    the outcome. One update, one audit event naming ``origin``.
    """
    pending, skipped = _selected(actor=actor, invitation_ids=invitation_ids, resend=False)
    if pending:
        Invitation.objects.filter(
            pk__in=[inv.pk for inv in pending], status=Invitation.Status.SENT
        ).update(status=Invitation.Status.CANCELED, canceled_at=timezone.now(), token_hash=None)
        _audit_of_org(
            actor=actor,
            action="invitation.canceled",
            summary=f"Canceled {_count(len(pending), 'invitation', 'invitations')} from {origin}",
            emails=[inv.email for inv in pending],
        ).save()
    return SelectionOutcome(changed=[inv.email for inv in pending], skipped=skipped)
