"""Join Now tokens: random, sent only in the email, stored only as a SHA-256 hash.

A token is 32 random bytes (256 bits) from ``secrets``. A hash without a salt
is enough here: the input is uniformly random and far too long to guess, so
there is nothing for a dictionary or a rainbow table to find.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.utils import timezone

from groups.models import Group
from invitations.models import Invitation

TOKEN_BYTES = 32
# token_urlsafe(32) is 43 characters; anything much longer is not ours.
_MAX_TOKEN_LENGTH = 100


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def token_new() -> tuple[str, str]:
    """A fresh token and its hash: ``(raw, hash)``. Only the hash may be stored."""
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    return raw, token_hash(raw)


def invitation_for_token(raw: str) -> Invitation | None:
    """The invitation this token redeems right now, or None.

    Redeemable means: status Sent, not past ``expires_at`` (valid up to and
    including that instant), the org allows customer invitations, and the
    group is still Private or Unlisted with "Allow Customers". Every other case
    answers None alike, so the join page shows one "no longer valid" message.
    """
    from chatterorg.selectors import org_get

    if not raw or len(raw) > _MAX_TOKEN_LENGTH:
        return None
    digest = token_hash(raw)
    invitation = (
        Invitation.objects.select_related("group", "inviter")
        .filter(
            token_hash=digest,
            status=Invitation.Status.SENT,
            expires_at__gte=timezone.now(),
            group__allow_customers=True,
            group__access_type__in=[Group.AccessType.PRIVATE, Group.AccessType.UNLISTED],
        )
        .first()
    )
    # The lookup is by hash; the constant-time compare guards against a
    # database collation that would match differently from byte equality.
    if invitation is None or not hmac.compare_digest(invitation.token_hash or "", digest):
        return None
    if not org_get().allow_customer_invitations:
        return None
    return invitation
