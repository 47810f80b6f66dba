"""Reads of invitations."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from invitations.models import Invitation

if TYPE_CHECKING:
    from groups.models import Group


def invitations_pending(*, group: Group) -> QuerySet[Invitation]:
    """Invitations of ``group`` still in status Sent (expired ones included), newest first."""
    return (
        Invitation.objects.filter(group=group, status=Invitation.Status.SENT)
        .select_related("inviter")
        .order_by("-sent_at", "-id")
    )
