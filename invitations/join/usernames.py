"""Customer usernames: ``<local part>@guest.<inviter's domain>`` (REFERENCE §6)."""

from __future__ import annotations

from django.db.models.functions import Lower

from accounts.models import User

# Room kept for the collision number when a long local part must be shortened.
_NUMBER_ROOM = 6
# Candidates in the first username look-up (jane … jane10); each further one doubles.
_USERNAME_BATCH = 10


def customer_username(*, invitee_email: str, inviter_email: str) -> str:
    """``<local part>@guest.<inviter's domain>``, with the lowest free number on a collision.

    jane, jane2, jane3 … Usernames are unique case-insensitively, so the candidates
    are in lower case and looked up by ``LOWER(username)``, the unique index: each
    query asks which of a run of candidates are taken (jane … jane10, then
    jane11 … jane30, twice as many each time) and the first free one wins.
    """
    local = invitee_email.rsplit("@", 1)[0].strip().lower()
    domain = inviter_email.rsplit("@", 1)[-1].strip().lower()
    suffix = f"@guest.{domain}"
    max_length = User._meta.get_field("username").max_length or 80
    local = local[: max(1, max_length - len(suffix) - _NUMBER_ROOM)]
    first, size = 1, _USERNAME_BATCH
    while True:
        candidates = [f"{local}{n if n > 1 else ''}{suffix}" for n in range(first, first + size)]
        taken = _usernames_taken(candidates)
        for candidate in candidates:
            if candidate not in taken:
                return candidate
        first, size = first + size, size * 2


def _usernames_taken(candidates: list[str]) -> set[str]:
    """Which of the lower-case ``candidates`` a user has, ignoring case (an index look-up)."""
    return set(
        User.objects.annotate(username_lower=Lower("username"))
        .filter(username_lower__in=candidates)
        .order_by()
        .values_list("username_lower", flat=True)
    )
