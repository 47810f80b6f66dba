"""Security question answers: stored only as a hash of their normalised form.

The answer is an extra check after an emailed reset link, never a factor on its
own (REFERENCE §6). People retype answers with different case and spacing
("New  York" vs "new york"), so both sides are normalised before hashing: casefold,
collapse runs of whitespace, strip. The hash is Django's configured password
hasher (Argon2 first), so answers are as slow to guess offline as passwords.
"""

from __future__ import annotations

import re

from django.contrib.auth.hashers import check_password, make_password

_WHITESPACE = re.compile(r"\s+")


def answer_normalise(answer: str) -> str:
    """Casefold, collapse whitespace, strip: "  New   YORK " → "new york"."""
    return _WHITESPACE.sub(" ", answer.casefold()).strip()


def answer_hash(answer: str) -> str:
    """A salted hash of the normalised answer, for ``User.security_answer_hash``."""
    return make_password(answer_normalise(answer))


def answer_check(answer: str, encoded: str) -> bool:
    """Whether ``answer`` matches the stored hash (constant time; False when none is stored)."""
    if not encoded:
        return False
    return check_password(answer_normalise(answer), encoded)
