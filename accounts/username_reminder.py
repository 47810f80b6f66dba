"""Forgot Your Username?: email the usernames that belong to an address.

The page answers the same whether or not any user has the address, and a client
address shares the hourly limit of Forgot Your Password? (``accounts.throttle``).
The email holds usernames only, never a link that signs anybody in. An address
gets at most ``MAX_PER_DAY`` of these emails in 24 hours: the ``UsernameReminder``
rows are counted with the address's users locked, so concurrent runs count in turn.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from accounts.models import User, UsernameReminder, _email_key_or_lower
from accounts.throttle import PURGE_BATCH, password_forgot_allowed, stale_rows_delete
from chatterorg.mail import email_send
from chatterorg.selectors import org_get

logger = logging.getLogger(__name__)

MAX_PER_DAY = 5
# The emails of an address counted against ``MAX_PER_DAY``: those of the last 24 hours.
REMINDER_WINDOW = timedelta(hours=24)


def username_reminder_request(*, email: str, client_address: str) -> None:
    """Ask for the usernames of ``email``; does the same whether or not any exist.

    As ``password_reset_request``: the request path only counts the client address
    and queues the task (the same statements for any address); the lookup, the
    daily count and the email happen in the task. Queues nothing once
    ``client_address`` is past the hourly limit it shares with Forgot Your Password?.
    """
    email = email.strip()
    if email and password_forgot_allowed(address=client_address):
        username_reminder_deliver.enqueue(email=email)


@task
def username_reminder_deliver(*, email: str) -> None:
    """Email the active users' usernames of this address, at most ``MAX_PER_DAY`` a day."""
    key = _email_key_or_lower(email)
    now = timezone.now()
    with transaction.atomic():
        users = list(
            User.objects.select_for_update()
            .filter(email_key=key, is_active=True)
            .order_by("username")
        )
        if not users:
            return
        recent = UsernameReminder.objects.filter(
            email_key=key, sent_at__gt=now - REMINDER_WINDOW
        ).count()
        if recent >= MAX_PER_DAY:
            logger.info("Username reminder limit reached for an address")
            return
        UsernameReminder.objects.create(email_key=key, sent_at=now)
    try:
        email_send(
            to=users[0].email,
            subject="Your Chatter username",
            template="username_reminder",
            context={
                "usernames": [user.username for user in users],
                "org_name": org_get().name,
                "login_url": settings.SITE_URL + reverse("accounts:login"),
            },
        )
    except Exception:
        logger.exception("Could not send the username reminder")


def username_reminders_purge(*, now: datetime | None = None, batch: int = PURGE_BATCH) -> int:
    """Delete the reminders older than the 24 hours they count in; returns how many."""
    now = now or timezone.now()
    spent = UsernameReminder.objects.filter(sent_at__lte=now - REMINDER_WINDOW)
    return stale_rows_delete(spent, batch=batch)
