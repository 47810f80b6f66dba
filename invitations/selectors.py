"""Reads of invitations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import user_search_q
from chatterorg.pagination import counts_capped
from invitations.models import Invitation

if TYPE_CHECKING:
    from accounts.models import User
    from groups.models import Group


def invitations_pending(*, group: Group) -> QuerySet[Invitation]:
    """Invitations of ``group`` still in status Sent (expired ones included), newest first."""
    return (
        Invitation.objects.filter(group=group, status=Invitation.Status.SENT)
        .select_related("inviter")
        .order_by("-sent_at", "-id")
    )


def invitations_of_group(*, group: Group) -> QuerySet[Invitation]:
    """Every invitation of ``group`` in every status (its history), newest first."""
    return (
        Invitation.objects.filter(group=group)
        .select_related("inviter", "accepted_user")
        .order_by("-sent_at", "-id")
    )


def coworker_invitations_pending(*, inviter: User) -> QuerySet[Invitation]:
    """The coworker invitations ``inviter`` sent that are still in status Sent (expired ones
    included), newest first: People › Invite Coworkers lists them to their sender."""
    return Invitation.objects.filter(
        kind=Invitation.Kind.COWORKER, status=Invitation.Status.SENT, inviter=inviter
    ).order_by("-sent_at", "-id")


# Setup › Invitations: every invitation of the org ---------------------------------------------

# The statuses the list shows: the stored three, with Sent split by the expiry time.
LIST_STATUSES = ("Sent", "Expired", "Accepted", "Canceled")


@dataclass(frozen=True)
class InvitationFilters:
    """The filters of Setup › Invitations; empty values filter nothing."""

    status: str = ""
    group: str = ""
    inviter: str = ""
    domain: str = ""
    sent_from: date | None = None
    sent_to: date | None = None
    query: str = ""


def _status_q(status: str, now: datetime) -> Q:
    if status == "Sent":
        return Q(status=Invitation.Status.SENT, expires_at__gte=now)
    if status == "Expired":
        return Q(status=Invitation.Status.SENT, expires_at__lt=now)
    return Q(status=status)


def _domain_key(domain: str) -> str:
    """A domain as ``email_key`` writes it (IDNA, lower case); unchanged if it is no IDN."""
    domain = domain.strip().lstrip("@").lower()
    try:
        return domain.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return domain


def invitations_org_filtered(
    *, filters: InvitationFilters, with_status: bool = True
) -> QuerySet[Invitation]:
    """The org's invitations that pass ``filters``, newest first (status filter optional).

    Expired ones come by their expiry, the most recent first: the order they were sent
    in while the org's "Invitation expiry (days)" stays the same, and one the status
    index serves, instead of walking past every newer invitation that has not expired.
    """
    found = Invitation.objects.all()
    if filters.group:
        found = found.filter(group__name__icontains=filters.group)
    if filters.inviter:
        found = found.filter(user_search_q(filters.inviter, via="inviter__"))
    if filters.domain:
        found = found.filter(email_domain=_domain_key(filters.domain))
    tz = timezone.get_current_timezone()
    if filters.sent_from:
        start = datetime.combine(filters.sent_from, time.min, tzinfo=tz)
        found = found.filter(sent_at__gte=start)
    if filters.sent_to:
        end = datetime.combine(filters.sent_to + timedelta(days=1), time.min, tzinfo=tz)
        found = found.filter(sent_at__lt=end)
    if filters.query:
        found = found.filter(email__icontains=filters.query)
    if with_status and filters.status in LIST_STATUSES:
        found = found.filter(_status_q(filters.status, timezone.now()))
        if filters.status == "Expired":
            return found.order_by("-expires_at", "-id")
    return found.order_by("-sent_at", "-id")


@dataclass(frozen=True)
class StatusCounts:
    """How many invitations of each listed status pass the other filters, each counted up
    to ``LIST_COUNT_CAP``; ``capped`` names the statuses that have more."""

    counts: dict[str, int]
    capped: frozenset[str]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def invitation_status_counts(*, filters: InvitationFilters) -> StatusCounts:
    """The counts per status: a capped count per status (``LIST_STATUSES``), each read off
    the status (or domain) index and bounded however many invitations the org has, all
    four in one query."""
    now = timezone.now()
    found = invitations_org_filtered(filters=filters, with_status=False)
    # Only the indexed columns are selected, so the counts need no table rows.
    counted = counts_capped(
        [found.filter(_status_q(status, now)).values("status") for status in LIST_STATUSES]
    )
    return StatusCounts(
        counts={status: count for status, (count, _) in zip(LIST_STATUSES, counted, strict=True)},
        capped=frozenset(
            status for status, (_, more) in zip(LIST_STATUSES, counted, strict=True) if more
        ),
    )
