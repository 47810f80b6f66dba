"""The scheduled work: reminders before invitations expire, customers' access end dates, and
the purge of throttle rows that hold nothing back any more.

``lifecycle_run`` (a management command) calls ``lifecycle_tick`` once, for cron,
or every N seconds, as ``make run`` does. Every row is claimed by a conditional
UPDATE before anything is sent, so two runs at once (two workers, a slow run
overlapping the next) never send one reminder twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from accounts.guests import customer_access_end, customer_access_warning_claim
from accounts.models import User
from accounts.password_reset import password_resets_purge
from accounts.throttle import throttle_rows_purge
from accounts.username_reminder import username_reminders_purge
from chatterorg.mail import email_send
from chatterorg.selectors import org_get
from chatterorg.tokens import token_new
from invitations.models import Invitation, RetiredLink
from invitations.tasks import join_url, quote

logger = logging.getLogger(__name__)

BATCH = 200


@dataclass(frozen=True)
class TickReport:
    reminders: int
    access_warnings: int = 0
    access_ended: int = 0
    throttle_rows_purged: int = 0


def invitation_reminders_send(*, now: datetime | None = None) -> int:
    """Email the one reminder of each redeemable invitation now within the org's "Days
    before expiry" of its expiry; returns how many went out.

    A reminder carries a new Join Now link that replaces the one of the earlier
    email: the claim is ``UPDATE … SET reminded_at, token_hash = new WHERE
    reminded_at IS NULL AND token_hash = old``, so a concurrent run, Resend or
    Cancel wins and nothing is revived. Only redeemable invitations are read
    (``Invitation.objects.redeemable``), whose email went out. If the email
    fails, the old link is put back and the reminder is left for the next run.
    """
    org = org_get()
    if not org.invitation_reminders:
        return 0
    now = now or timezone.now()
    due = (
        Invitation.objects.redeemable(org=org)
        .filter(
            reminded_at__isnull=True,
            token_hash__isnull=False,
            delivery_status=Invitation.Delivery.SENT,
            expires_at__lte=now + timedelta(days=org.invitation_reminder_days),
        )
        .order_by("pk")
    )
    sent = 0
    last_pk = 0
    while batch := list(due.filter(pk__gt=last_pk).values_list("pk", "token_hash")[:BATCH]):
        last_pk = batch[-1][0]
        for pk, old_hash in batch:
            raw, digest = token_new()
            claimed = Invitation.objects.filter(
                pk=pk,
                status=Invitation.Status.SENT,
                reminded_at__isnull=True,
                token_hash=old_hash,
            ).update(reminded_at=now, token_hash=digest)
            if claimed and _reminder_deliver(pk=pk, raw=raw, digest=digest, old_hash=old_hash):
                if old_hash:
                    RetiredLink.objects.get_or_create(
                        token_hash=old_hash,
                        defaults={"invitation_id": pk, "reason": RetiredLink.Reason.SUPERSEDED},
                    )
                sent += 1
    return sent


def _reminder_deliver(*, pk: int, raw: str, digest: str, old_hash: str | None) -> bool:
    invitation = Invitation.objects.select_related("group", "inviter").get(pk=pk)
    org = org_get()
    coworker = invitation.kind == Invitation.Kind.COWORKER
    joins = org.name if coworker else invitation.invited_group.name
    try:
        email_send(
            to=invitation.email,
            subject=f"Reminder: {invitation.inviter.name} invited you to join {joins} in Chatter",
            template="invitation_reminder",
            context={
                "invitation": invitation,
                "inviter": invitation.inviter,
                "joins": joins,
                "org": org,
                "message": invitation.message,
                "quoted_message": quote(invitation.message),
                "join_url": join_url(raw),
                "expires_at": invitation.expires_at,
            },
        )
    except Exception as error:
        detail = f"{type(error).__name__}: {error}".replace(raw, "[token]")[:500]
        # Only while the new link is still ours: a Resend or Cancel meanwhile wins.
        Invitation.objects.filter(pk=pk, token_hash=digest).update(
            token_hash=old_hash, reminded_at=None
        )
        logger.warning("Invitation %s: reminder not sent: %s", pk, detail)
        return False
    return True


# Guest access end dates ------------------------------------------------------------------------

ACCESS_WARNING_DAYS = 7


def _sponsor_email(*, user: User, template: str, subject: str) -> None:
    sponsor = user.sponsor
    if sponsor is None or not sponsor.is_active:
        return
    try:
        email_send(
            to=sponsor.email,
            subject=subject,
            template=template,
            context={
                "sponsor": sponsor,
                "customer": user,
                "org": org_get(),
                "ends_on": user.access_ends_on,
                "user_url": settings.SITE_URL
                + reverse("setup:user_customer_access", kwargs={"user_id": user.pk}),
            },
        )
    except Exception as error:
        logger.warning("Access-end email about user %s not sent: %s", user.pk, error)


def customer_access_run(*, now: datetime | None = None) -> tuple[int, int]:
    """Warn sponsors a week before a customer's access ends, and end it on the day.

    Returns (warnings sent, customers deactivated). Each warning and each
    deactivation is claimed by a conditional UPDATE (``accounts.guests``), so
    concurrent runs do each once.
    """
    today = timezone.localdate(now or timezone.now())
    customers = User.objects.filter(
        is_active=True, user_type=User.UserType.CHATTER_GUEST, access_ends_on__isnull=False
    ).order_by("pk")
    warned = ended = 0
    soon = customers.filter(
        access_ends_on__gt=today, access_ends_on__lte=today + timedelta(days=ACCESS_WARNING_DAYS)
    ).exclude(access_end_warned_for=F("access_ends_on"))
    last_pk = 0
    while batch := list(soon.filter(pk__gt=last_pk).values_list("pk", "access_ends_on")[:BATCH]):
        last_pk = batch[-1][0]
        for pk, ends_on in batch:
            if ends_on is not None and customer_access_warning_claim(user_id=pk, ends_on=ends_on):
                user = User.objects.select_related("sponsor").get(pk=pk)
                _sponsor_email(
                    user=user,
                    template="access_ending",
                    subject=f"{user.name}'s access to Chatter ends on {ends_on:%B %-d, %Y}",
                )
                warned += 1
    last_pk = 0
    due = customers.filter(access_ends_on__lte=today)
    while batch_ids := list(due.filter(pk__gt=last_pk).values_list("pk", flat=True)[:BATCH]):
        last_pk = batch_ids[-1]
        for pk in batch_ids:
            ended_user = customer_access_end(user_id=pk, today=today)
            if ended_user is not None:
                _sponsor_email(
                    user=ended_user,
                    template="access_ended",
                    subject=f"{ended_user.name}'s access to Chatter has ended",
                )
                ended += 1
    return warned, ended


def lifecycle_tick(*, now: datetime | None = None) -> TickReport:
    """One run of the scheduled work."""
    reminders = invitation_reminders_send(now=now)
    warned, ended = customer_access_run(now=now)
    # Login, Forgot Your Password? and Forgot Your Username? counters past their window,
    # and the password reset links past theirs.
    purged = (
        throttle_rows_purge(now=now)
        + username_reminders_purge(now=now)
        + password_resets_purge(now=now)
    )
    return TickReport(
        reminders=reminders,
        access_warnings=warned,
        access_ended=ended,
        throttle_rows_purged=purged,
    )
