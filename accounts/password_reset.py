"""Forgot password: an emailed single-use link, the security question, a new password.

- Asking for a link answers the same whether or not the username exists: the
  view only enqueues ``password_reset_deliver``, which does the lookup off the
  request path. At most ``MAX_REQUESTS_PER_DAY`` links per user per 24 hours;
  extra requests silently do nothing. At most ``FORGOT_LIMIT`` requests per
  client address per hour (``accounts.throttle``) are queued at all, for
  existing and unknown usernames alike; beyond it the same "sent" page shows
  and nothing is queued.
- The raw token exists only in the email: it is made inside the task (never a
  task argument) and only its SHA-256 is stored. A link is valid for 24 hours
  and once; setting a new password invalidates every open link of the user.
- The security answer is an extra check after the link, never a factor on its
  own (REFERENCE §6); users who have no question skip it.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from accounts.models import PasswordResetRequest, User
from accounts.throttle import PURGE_BATCH, password_forgot_allowed, stale_rows_delete
from chatterorg.actions import audit_record
from chatterorg.mail import email_send
from chatterorg.selectors import org_get
from chatterorg.tokens import token_lookup_hash, token_matches, token_new

logger = logging.getLogger(__name__)

RESET_VALID_FOR = timedelta(hours=24)
MAX_REQUESTS_PER_DAY = 5
# Wrong answers to the security question, per link and per user over 24 hours,
# before the link is closed.
MAX_WRONG_ANSWERS = 5
SESSION_KEY = "password_reset"


def password_reset_request(*, username: str, client_address: str) -> None:
    """Ask for a reset link for ``username``; does the same whether or not it exists.

    Queues nothing once ``client_address`` is past its hourly limit.
    """
    username = username.strip()
    if username and password_forgot_allowed(address=client_address):
        password_reset_deliver.enqueue(username=username)


@task
def password_reset_deliver(*, username: str) -> None:
    """Create a link for an active user under the daily limit, and email it.

    The user row is locked while the day's requests are counted, so concurrent
    requests cannot exceed the limit.
    """
    raw, digest = token_new()
    now = timezone.now()
    with transaction.atomic():
        user = (
            User.objects.with_username(username).select_for_update().filter(is_active=True).first()
        )
        if user is None:
            return
        recent = PasswordResetRequest.objects.filter(
            user=user, created_at__gt=now - RESET_VALID_FOR
        ).count()
        if recent >= MAX_REQUESTS_PER_DAY:
            logger.info("Password reset limit reached for user %s", user.pk)
            return
        reset = PasswordResetRequest.objects.create(
            user=user,
            token_hash=digest,
            created_at=now,
            expires_at=now + RESET_VALID_FOR,
        )
    reset_url = settings.SITE_URL + reverse("accounts:password_reset_open", kwargs={"token": raw})
    try:
        email_send(
            to=user.email,
            subject="Reset your Chatter password",
            template="password_reset",
            context={"username": user.username, "org_name": org_get().name, "reset_url": reset_url},
        )
    except Exception:
        # Nobody holds this token now: close the link so it is not left open.
        PasswordResetRequest.objects.filter(pk=reset.pk).update(used_at=timezone.now())
        logger.exception("Could not send the password reset email for user %s", user.pk)


def _usable(reset: PasswordResetRequest | None, *, token_hash: str) -> bool:
    return (
        reset is not None
        and reset.used_at is None
        and timezone.now() < reset.expires_at
        and reset.user.is_active
        and token_matches(reset.token_hash, token_hash)
    )


def password_reset_for_token(raw: str) -> PasswordResetRequest | None:
    """The open, unexpired request of an active user this link belongs to, or None."""
    digest = token_lookup_hash(raw)
    if digest is None:
        return None
    reset = PasswordResetRequest.objects.select_related("user").filter(token_hash=digest).first()
    return reset if _usable(reset, token_hash=digest) else None


def password_reset_get(*, request_id: int, token_hash: str) -> PasswordResetRequest | None:
    """The request a session holds, if its link is still usable."""
    reset = PasswordResetRequest.objects.select_related("user").filter(pk=request_id).first()
    return reset if _usable(reset, token_hash=token_hash) else None


@transaction.atomic
def password_reset_wrong_answer(*, request_id: int) -> bool:
    """Count a wrong security answer on the link; the last one allowed closes it.

    The count lives on the link in the database, not in the browser session, so
    re-opening the link or using another browser does not reset it. It is also
    summed over the user's links of the last 24 hours, so asking for new links
    gives no fresh guesses. The user row is locked first: concurrent wrong
    answers are counted one after the other and cannot slip past the limit.
    Returns True when this answer closed the link (and every open link of the user).
    """
    user_id = (
        PasswordResetRequest.objects.filter(pk=request_id).values_list("user_id", flat=True).first()
    )
    if user_id is None:
        return True
    list(User.objects.select_for_update().filter(pk=user_id).values_list("pk"))
    now = timezone.now()
    PasswordResetRequest.objects.filter(pk=request_id).update(wrong_answers=F("wrong_answers") + 1)
    recent = PasswordResetRequest.objects.filter(
        user_id=user_id, created_at__gt=now - RESET_VALID_FOR
    )
    link_wrong = (
        PasswordResetRequest.objects.filter(pk=request_id)
        .values_list("wrong_answers", flat=True)
        .first()
    ) or 0
    user_wrong = recent.aggregate(total=Sum("wrong_answers"))["total"] or 0
    if link_wrong >= MAX_WRONG_ANSWERS or user_wrong >= MAX_WRONG_ANSWERS:
        PasswordResetRequest.objects.filter(user_id=user_id, used_at__isnull=True).update(
            used_at=now
        )
        audit_record(
            actor=None,
            section="Manage Users",
            action="user.password_reset_locked",
            display=f"Password reset link closed after {MAX_WRONG_ANSWERS} wrong security answers",
            target=User(pk=user_id),
        )
        return True
    return False


@transaction.atomic
def password_reset_complete(
    *, request_id: int, token_hash: str, new_password: str, identity_confirmed: bool
) -> User:
    """Set the new password and close every open link of the user, or change nothing.

    ``identity_confirmed`` says the security question was answered in this
    session; a user who has a question cannot reset without it.
    """
    reset = (
        PasswordResetRequest.objects.select_for_update()
        .select_related("user")
        .filter(pk=request_id)
        .first()
    )
    if reset is None or not _usable(reset, token_hash=token_hash):
        raise PermissionDenied("This link is no longer valid.")
    user = reset.user
    if user.security_answer_hash and not identity_confirmed:
        raise PermissionDenied("Answer the security question first.")
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise ValidationError({"new_password": exc.messages}) from None
    user.set_password(new_password)
    user.save(update_fields=["password"])
    PasswordResetRequest.objects.filter(user=user, used_at__isnull=True).update(
        used_at=timezone.now()
    )
    audit_record(
        actor=user,
        section="Manage Users",
        action="user.password_reset",
        display=f"Password of user {user.username} reset through Forgot Your Password",
        target=user,
    )
    return user


def password_resets_purge(*, now: datetime | None = None, batch: int = PURGE_BATCH) -> int:
    """Delete the reset links older than the 24 hours they count in: each has expired,
    and neither the daily limit nor the wrong answers read it any more. A browser that
    still holds one in its session finds it gone, as it would find it expired. Returns
    how many went."""
    now = now or timezone.now()
    spent = PasswordResetRequest.objects.filter(created_at__lte=now - RESET_VALID_FOR)
    return stale_rows_delete(spent, batch=batch)
