"""``lifecycle_run`` deletes the throttle rows that hold nothing back any more: login
counters past their window and lock, Forgot Your Password? counters past their hour, and
Forgot Your Username? emails past their day, password reset links past theirs. In batches;
never under a running attempt."""

from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import throttle
from accounts.models import (
    LoginThrottle,
    PasswordForgotThrottle,
    PasswordResetRequest,
    UsernameReminder,
)
from accounts.password_reset import password_reset_deliver, password_reset_for_token
from accounts.throttle import (
    ADDRESS_LIMIT,
    ANY_ADDRESS,
    login_attempt_begin,
    login_attempt_failed,
    login_locked,
    password_forgot_allowed,
    throttle_rows_purge,
)
from accounts.username_reminder import username_reminder_deliver
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

START = "2026-03-01 09:00Z"
HOME = "10.0.0.5"
JANE = "jane@acme.example"


def _fail(times: int = 1, username: str = JANE) -> None:
    for _ in range(times):
        assert login_attempt_begin(username=username, address=HOME)
        login_attempt_failed(username=username, address=HOME)


def _run() -> str:
    out = StringIO()
    call_command("lifecycle_run", stdout=out)
    return out.getvalue()


def _left() -> tuple[int, int, int]:
    return (
        LoginThrottle.objects.count(),
        PasswordForgotThrottle.objects.count(),
        UsernameReminder.objects.count(),
    )


def test_lifecycle_run_deletes_each_kind_of_row_once_its_window_is_over(time_machine, mailoutbox):
    time_machine.move_to(START, tick=False)
    CustomerFactory(email="jane@globex.example")
    _fail()  # a counter for this address and one for every address
    assert password_forgot_allowed(address=HOME)
    username_reminder_deliver.call(email="jane@globex.example")
    assert _left() == (2, 1, 1)

    time_machine.shift(timedelta(minutes=14, seconds=59))
    assert "spent throttle rows deleted: 0" in _run()
    assert _left() == (2, 1, 1)

    time_machine.shift(timedelta(seconds=1))  # the login window (15 minutes) is over
    assert "spent throttle rows deleted: 2" in _run()
    assert _left() == (0, 1, 1)

    time_machine.shift(timedelta(minutes=45))  # the Forgot Your Password? hour
    _run()
    assert _left() == (0, 0, 1)

    time_machine.shift(timedelta(hours=23))  # the day a username email counts in
    _run()
    assert _left() == (0, 0, 0)


def test_a_locked_username_keeps_its_counter_until_the_lock_ends(time_machine):
    time_machine.move_to(START, tick=False)
    user = UserFactory(username=JANE)
    _fail(ADDRESS_LIMIT - 1)
    time_machine.shift(timedelta(minutes=10))
    _fail()  # the tenth failure locks the username for this address until 09:25
    assert login_locked(user)

    time_machine.shift(timedelta(minutes=6))  # 09:16: the window is over, the lock is not
    _run()
    assert LoginThrottle.objects.filter(client_address=HOME).exists()
    assert login_locked(user)
    assert not LoginThrottle.objects.filter(client_address=ANY_ADDRESS).exists()

    time_machine.shift(timedelta(minutes=9))  # 09:25: the lock is over
    _run()
    assert not LoginThrottle.objects.exists()
    assert not login_locked(user)


def test_rows_go_in_batches_each_read_and_deleted_in_bounded_statements(time_machine):
    time_machine.move_to(START, tick=False)
    for n in range(25):
        assert password_forgot_allowed(address=f"10.0.1.{n}")
    time_machine.shift(timedelta(hours=1))

    with CaptureQueriesContext(connection) as queries:
        assert throttle_rows_purge(batch=10) == 25

    statements = [
        q["sql"] for q in queries.captured_queries if "passwordforgotthrottle" in q["sql"]
    ]
    deletes = [sql for sql in statements if sql.startswith("DELETE")]
    reads = [sql for sql in statements if sql.startswith("SELECT")]
    assert len(deletes) == 3  # 10, 10 and 5 rows
    assert len(reads) == 4 and all("LIMIT 10" in sql for sql in reads)
    assert not PasswordForgotThrottle.objects.exists()


def test_a_login_counter_deleted_under_an_attempt_is_started_again(monkeypatch, time_machine):
    """The purge deletes a spent counter right after an attempt's insert found it: the
    attempt is counted in a new counter, not refused."""
    time_machine.move_to(START, tick=False)
    _fail()
    time_machine.shift(timedelta(minutes=20))
    take_place = throttle._take_place
    purged: list[int] = []

    def purge_first(**kwargs):
        if not purged:
            purged.append(throttle_rows_purge())
        return take_place(**kwargs)

    monkeypatch.setattr(throttle, "_take_place", purge_first)

    assert login_attempt_begin(username=JANE, address=HOME)
    assert purged == [2]
    assert sorted(LoginThrottle.objects.values_list("client_address", "failures")) == [
        (ANY_ADDRESS, 1),
        (HOME, 1),
    ]


def test_a_forgot_password_counter_deleted_under_a_request_is_started_again(
    monkeypatch, time_machine
):
    time_machine.move_to(START, tick=False)
    assert password_forgot_allowed(address=HOME)
    time_machine.shift(timedelta(hours=2))
    forgot_take = throttle._forgot_take
    purged: list[int] = []

    def purge_first(**kwargs):
        if not purged:
            purged.append(throttle_rows_purge())
        return forgot_take(**kwargs)

    monkeypatch.setattr(throttle, "_forgot_take", purge_first)

    assert password_forgot_allowed(address=HOME)
    assert purged == [1]
    assert PasswordForgotThrottle.objects.get(client_address=HOME).requests == 1


def test_a_full_counter_still_refuses(time_machine):
    time_machine.move_to(START, tick=False)
    _fail(ADDRESS_LIMIT)
    assert not login_attempt_begin(username=JANE, address=HOME)
    assert LoginThrottle.objects.get(client_address=HOME).failures == ADDRESS_LIMIT


def test_password_reset_links_go_once_their_day_is_over(time_machine, mailoutbox):
    time_machine.move_to(START, tick=False)
    UserFactory(username=JANE, email=JANE)
    password_reset_deliver.call(username=JANE)
    time_machine.shift(timedelta(hours=12))
    password_reset_deliver.call(username=JANE)
    assert PasswordResetRequest.objects.count() == 2

    time_machine.shift(timedelta(hours=11, minutes=59))
    _run()
    assert PasswordResetRequest.objects.count() == 2

    time_machine.shift(timedelta(minutes=1))  # the first link's 24 hours are over
    assert "spent throttle rows deleted: 1" in _run()
    (left,) = PasswordResetRequest.objects.all()
    assert password_reset_for_token(_link_token(mailoutbox[1])) == left

    time_machine.shift(timedelta(hours=12))
    _run()
    assert not PasswordResetRequest.objects.exists()
    assert password_reset_for_token(_link_token(mailoutbox[1])) is None


def _link_token(message) -> str:
    return re.search(r"/password/reset/([^/\s]+)/", message.body).group(1)
