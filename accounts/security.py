"""Security question answers: stored only as a hash of their normalised form.

The answer is an extra check after an emailed reset link, never a factor on its
own (REFERENCE §6). People retype answers with different case and spacing
("New  York" vs "new york"), so both sides are normalised before hashing: casefold,
collapse runs of whitespace, strip.

The hash is Argon2id with OWASP's minimum parameters for passwords (19 MiB,
two passes, one lane) rather than the heavier parameters of the login
password: the answer is only ever checked after an emailed single-use link, and
a sign-up then pays for one full password hash plus a fifth of one, not two.
Django's Argon2 hasher verifies it, since the parameters travel in the hash.

A sign-up hashes the password and the answer at the same time
(``password_and_answer_hash``): Argon2 releases the GIL, and the password's
hasher leaves part of the CPU idle, so the answer costs almost nothing on top.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

from django.contrib.auth.hashers import Argon2PasswordHasher, check_password, make_password
from django.utils.crypto import get_random_string

_WHITESPACE = re.compile(r"\s+")


def answer_normalise(answer: str) -> str:
    """Casefold, collapse whitespace, strip: "  New   YORK " → "new york"."""
    return _WHITESPACE.sub(" ", answer.casefold()).strip()


def answer_hash(answer: str) -> str:
    """A salted hash of the normalised answer, for ``User.security_answer_hash``."""
    return _AnswerHasher().encode(answer_normalise(answer), get_random_string(22))


def password_and_answer_hash(*, password: str, answer: str) -> tuple[str, str]:
    """The password's hash (Django's configured hasher) and ``answer_hash(answer)``, together.

    The answer is hashed on a worker thread while the password hashes on this one.
    The worker has finished when this returns or raises; an error in either hash
    is raised here (the password's first, when both fail).
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="answer-hash") as worker:
        answer_hashed = worker.submit(answer_hash, answer)
        password_hashed = make_password(password)
        return password_hashed, answer_hashed.result()


class _AnswerHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19 * 1024
    parallelism = 1


def answer_check(answer: str, encoded: str) -> bool:
    """Whether ``answer`` matches the stored hash (constant time; False when none is stored)."""
    if not encoded:
        return False
    return check_password(answer_normalise(answer), encoded)
