"""Login attempts and Forgot Your Password? requests racing each other (PostgreSQL only).

SQLite serialises every writer at BEGIN, so it cannot show a race; here each
thread has its own connection, closed when it finishes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from accounts.models import LoginThrottle, PasswordForgotThrottle
from accounts.throttle import (
    ADDRESS_LIMIT,
    FORGOT_LIMIT,
    login_attempt_begin,
    password_forgot_allowed,
)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises writers, so no attempts can race",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

RACERS = 25


def _race(call: Callable[[], Any]) -> list[Any]:
    """Run ``call`` in RACERS threads at the same moment, one connection each."""
    barrier = threading.Barrier(RACERS)
    results: list[Any] = [None] * RACERS

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = call()
        except Exception as exc:
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_concurrent_attempts_get_no_more_password_checks_than_the_limit():
    results = _race(lambda: login_attempt_begin(username="jane@acme.example", address="10.0.0.5"))

    assert results.count(True) == ADDRESS_LIMIT
    assert results.count(False) == RACERS - ADDRESS_LIMIT
    assert LoginThrottle.objects.get(client_address="10.0.0.5").failures == ADDRESS_LIMIT
    assert LoginThrottle.objects.get(client_address="").failures == ADDRESS_LIMIT


def test_concurrent_forgot_password_requests_cannot_pass_the_limit():
    results = _race(lambda: password_forgot_allowed(address="10.0.0.5"))

    assert results.count(True) == FORGOT_LIMIT
    assert results.count(False) == RACERS - FORGOT_LIMIT
    assert PasswordForgotThrottle.objects.get().requests == FORGOT_LIMIT
