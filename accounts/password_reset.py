"""Forgot password: an emailed single-use link, the security question, a new password.

- Asking for a link answers the same whether or not the username exists: the
  view only enqueues ``password_reset_deliver``, which does the lookup off the
  request path. At most ``MAX_REQUESTS_PER_DAY`` links per user per 24 hours;
  extra requests silently do nothing.
- The raw token exists only in the email: it is made inside the task (never a
  task argument) and only its SHA-256 is stored. A link is valid for 24 hours
  and once; setting a new password invalidates every open link of the user.
- The security answer is an extra check after the link, never a factor on its
  own (REFERENCE §6); users who have no question skip it.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from accounts.models import PasswordResetRequest, User
from chatterorg.actions import audit_record
from chatterorg.mail import email_send
from chatterorg.selectors import org_get

logger = logging.getLogger(__name__)

RESET_VALID_FOR = timedelta(hours=24)
MAX_REQUESTS_PER_DAY = 5
# Wrong answers to the security question before the link is invalidated.
MAX_ANSWER_ATTEMPTS = 5
TOKEN_BYTES = 32
_MAX_TOKEN_LENGTH = 100


def reset_token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True)
class ResetSession:
    """What the session keeps between opening the link and setting the password."""

    request_id: int
    token_hash: str
    answered: bool = False
    wrong_answers: int = 0

    SESSION_KEY = "password_reset"

    def as_session(self) -> dict[str, Any]:
        return {
            "id": self.request_id,
            "token_hash": self.token_hash,
            "answered": self.answered,
            "wrong_answers": self.wrong_answers,
        }

    @classmethod
    def from_session(cls, value: Any) -> ResetSession | None:
        if not isinstance(value, dict):
            return None
        request_id, token_hash = value.get("id"), value.get("token_hash")
        if not isinstance(request_id, int) or not isinstance(token_hash, str):
            return None
        return cls(
            request_id=request_id,
            token_hash=token_hash,
            answered=value.get("answered") is True,
            wrong_answers=int(value.get("wrong_answers") or 0),
        )


def password_reset_request(*, username: str) -> None:
    """Ask for a reset link for ``username``; does the same whether or not it exists."""
    username = username.strip()
    if username:
        password_reset_deliver.enqueue(username=username)


@task
def password_reset_deliver(*, username: str) -> None:
    """Create a link for an active user under the daily limit, and email it.

    The user row is locked while the day's requests are counted, so concurrent
    requests cannot exceed the limit.
    """
    raw = secrets.token_urlsafe(TOKEN_BYTES)
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
            token_hash=reset_token_hash(raw),
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
        and hmac.compare_digest(reset.token_hash, token_hash)
    )


def password_reset_for_token(raw: str) -> PasswordResetRequest | None:
    """The open, unexpired request of an active user this link belongs to, or None."""
    if not raw or len(raw) > _MAX_TOKEN_LENGTH:
        return None
    digest = reset_token_hash(raw)
    reset = PasswordResetRequest.objects.select_related("user").filter(token_hash=digest).first()
    return reset if _usable(reset, token_hash=digest) else None


def password_reset_for_session(session: ResetSession | None) -> PasswordResetRequest | None:
    if session is None:
        return None
    reset = (
        PasswordResetRequest.objects.select_related("user").filter(pk=session.request_id).first()
    )
    return reset if _usable(reset, token_hash=session.token_hash) else None


@transaction.atomic
def password_reset_cancel(*, request_id: int) -> None:
    """Close one link (too many wrong answers): it can no longer be used."""
    PasswordResetRequest.objects.filter(pk=request_id, used_at__isnull=True).update(
        used_at=timezone.now()
    )


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
