"""Tokens of emailed links (Join Now, password reset), and the session that carries them.

A token is 32 random bytes (256 bits) from ``secrets``, sent only in the email
and stored only as its SHA-256. A hash without a salt is enough here: the input
is uniformly random and far too long to guess, so there is nothing for a
dictionary or a rainbow table to find.

Opening a link moves the token out of the URL into the session (as its hash,
with the id of what it opens) and redirects to a token-free page; the pages
after it read the ``LinkSession``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib.sessions.backends.base import SessionBase

TOKEN_BYTES = 32
# token_urlsafe(32) is 43 characters; anything much longer is not ours.
MAX_TOKEN_LENGTH = 100


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def token_new() -> tuple[str, str]:
    """A fresh token and its hash: ``(raw, hash)``. Only the hash may be stored."""
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    return raw, token_hash(raw)


def token_lookup_hash(raw: str) -> str | None:
    """The hash to look a link's token up by, or None for a token that cannot be ours."""
    if not raw or len(raw) > MAX_TOKEN_LENGTH:
        return None
    return token_hash(raw)


def token_matches(stored_hash: str | None, digest: str) -> bool:
    """Constant-time equality of a stored hash and a presented one.

    Rows are looked up by hash; this guards against a database collation that
    would match differently from byte equality.
    """
    return bool(stored_hash) and hmac.compare_digest(str(stored_hash), digest)


@dataclass(frozen=True)
class LinkSession:
    """What the session keeps of an opened link: the id of its object and the token's hash.

    ``confirmed`` records that a further check passed in this session (the
    security answer of a password reset).
    """

    key: str
    object_id: int
    token_hash: str
    confirmed: bool = False

    def save(self, session: SessionBase) -> None:
        session[self.key] = {
            "id": self.object_id,
            "token_hash": self.token_hash,
            "confirmed": self.confirmed,
        }

    @classmethod
    def load(cls, session: SessionBase, key: str) -> LinkSession | None:
        value: Any = session.get(key)
        if not isinstance(value, dict):
            return None
        object_id, digest = value.get("id"), value.get("token_hash")
        if not isinstance(object_id, int) or not isinstance(digest, str):
            return None
        return cls(
            key=key,
            object_id=object_id,
            token_hash=digest,
            confirmed=value.get("confirmed") is True,
        )

    @staticmethod
    def clear(session: SessionBase, key: str) -> None:
        session.pop(key, None)
