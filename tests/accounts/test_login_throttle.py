"""Login throttling and the per-address limit of Forgot Your Password? (accounts.throttle)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
import time_machine
from django.http import HttpRequest
from django.tasks import task_backends
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import LoginThrottle, PasswordForgotThrottle
from accounts.throttle import (
    ADDRESS_LIMIT,
    FORGOT_LIMIT,
    TOO_MANY_FAILURES,
    USERNAME_LIMIT,
    client_address,
    login_attempt_begin,
    login_attempt_failed,
)
from chatterorg.models import AuditEvent
from tests.factories import PASSWORD, UserFactory

LOGIN_URL = reverse("accounts:login")
FORGOT = reverse("accounts:password_forgot")
SENT = reverse("accounts:password_forgot_sent")
JANE = "jane@acme.example"
HOME = "10.0.0.5"
ELSEWHERE = "10.0.0.6"
LOGIN_ERROR = "Please check your username and password."


@pytest.fixture
def jane(db):
    return UserFactory(username=JANE)


def _login(client: Client, username: str, password: str, address: str = HOME):
    return client.post(LOGIN_URL, {"username": username, "password": password}, REMOTE_ADDR=address)


def _fail(client: Client, times: int, username: str = JANE, address: str = HOME) -> None:
    for _ in range(times):
        response = _login(client, username, "wrong-password", address)
        assert LOGIN_ERROR in response.content.decode()


def _failures_recorded(username: str, address: str, times: int) -> None:
    """Failures counted through the throttle itself, without hashing a password each time."""
    for _ in range(times):
        assert login_attempt_begin(username=username, address=address)
        login_attempt_failed(username=username, address=address)


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


# Per username and client address -----------------------------------------------


@pytest.mark.django_db
def test_the_eleventh_attempt_from_one_address_is_refused_even_with_the_right_password(
    client, jane
):
    _fail(client, ADDRESS_LIMIT)

    response = _login(client, JANE, PASSWORD)

    assert response.status_code == 429
    assert TOO_MANY_FAILURES in response.content.decode()
    assert LOGIN_ERROR not in response.content.decode()
    assert not _signed_in(client)


@pytest.mark.django_db
def test_the_tenth_failure_still_gets_the_ordinary_error(client, jane):
    _fail(client, ADDRESS_LIMIT - 1)

    response = _login(client, JANE, "wrong-password")

    assert response.status_code == 200
    assert LOGIN_ERROR in response.content.decode()


@pytest.mark.django_db
def test_another_address_is_not_locked_out_by_failures_from_one_address(client, jane):
    _fail(client, ADDRESS_LIMIT)
    assert _login(client, JANE, PASSWORD).status_code == 429

    response = _login(client, JANE, PASSWORD, address=ELSEWHERE)

    assert response.status_code == 302
    assert _signed_in(client)


@pytest.mark.django_db
def test_another_username_from_the_same_address_is_not_locked_out(client, jane):
    other = UserFactory(username="raj@acme.example")
    _fail(client, ADDRESS_LIMIT)

    _login(client, other.username, PASSWORD)

    assert client.session["_auth_user_id"] == str(other.pk)


@pytest.mark.django_db
def test_usernames_are_counted_ignoring_case_and_spaces(client, jane):
    _fail(client, ADDRESS_LIMIT, username="  JANE@Acme.Example ")

    assert _login(client, JANE, PASSWORD).status_code == 429


@pytest.mark.django_db
def test_a_successful_login_clears_the_counter_for_that_address(client, jane):
    _fail(client, ADDRESS_LIMIT - 1)
    _login(client, JANE, PASSWORD)
    client.post(reverse("accounts:logout"))

    assert not LoginThrottle.objects.filter(client_address=HOME).exists()
    # The successful attempt is not a failure in the overall count either.
    assert LoginThrottle.objects.get(client_address="").failures == ADDRESS_LIMIT - 1
    _fail(client, ADDRESS_LIMIT - 1)
    assert _login(client, JANE, PASSWORD).status_code == 302


# Overall, per username ----------------------------------------------------------


@pytest.mark.django_db
def test_fifty_failures_from_any_addresses_lock_the_username_for_every_address(client, jane):
    addresses = [f"10.1.0.{n}" for n in range(USERNAME_LIMIT // ADDRESS_LIMIT)]
    for address in addresses[:-1]:
        _failures_recorded(JANE, address, ADDRESS_LIMIT)
    _failures_recorded(JANE, addresses[-1], ADDRESS_LIMIT - 1)

    # The 50th failure, from an address of its own, still gets the ordinary answer…
    assert LOGIN_ERROR in _login(client, JANE, "wrong-password", "10.2.0.1").content.decode()
    # …and locks the username everywhere, right password or not.
    response = _login(client, JANE, PASSWORD, "10.3.0.1")

    assert response.status_code == 429
    assert TOO_MANY_FAILURES in response.content.decode()
    assert not _signed_in(client)


@pytest.mark.django_db
def test_one_address_alone_cannot_reach_the_overall_limit(client, jane):
    _failures_recorded(JANE, HOME, ADDRESS_LIMIT)
    for _ in range(USERNAME_LIMIT):
        assert not login_attempt_begin(username=JANE, address=HOME)

    assert LoginThrottle.objects.get(client_address="").failures == ADDRESS_LIMIT
    assert _login(client, JANE, PASSWORD, ELSEWHERE).status_code == 302


# No user enumeration --------------------------------------------------------------


def _comparable(response, username: str) -> tuple[int, str]:
    """Status and body, without the username echoed in the form and the CSRF token."""
    body = response.content.decode().replace(username, "USERNAME")
    return response.status_code, re.sub(r'value="[A-Za-z0-9]{64}"', 'value="CSRF"', body)


@pytest.mark.django_db
def test_existing_and_unknown_usernames_get_identical_answers_before_and_during_a_lock(
    client, jane
):
    unknown = "nobody@acme.example"
    for attempt in range(ADDRESS_LIMIT + 2):
        existing_answer = _login(client, JANE, "wrong-password")
        unknown_answer = _login(client, unknown, "wrong-password")

        assert _comparable(existing_answer, JANE) == _comparable(unknown_answer, unknown), attempt
    assert existing_answer.status_code == 429
    assert TOO_MANY_FAILURES in existing_answer.content.decode()


@pytest.mark.django_db
def test_unknown_usernames_are_counted_by_their_text_and_create_no_user(client, jane):
    _fail(client, ADDRESS_LIMIT, username="nobody@acme.example")

    assert _login(client, "nobody@acme.example", "whatever").status_code == 429
    assert LoginThrottle.objects.filter(username="nobody@acme.example").count() == 2


# Expiry ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_lock_ends_15_minutes_after_the_failure_that_set_it(client, jane):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _fail(client, ADDRESS_LIMIT)
    with time_machine.travel(start + timedelta(minutes=14, seconds=59), tick=False):
        assert _login(client, JANE, PASSWORD).status_code == 429
    with time_machine.travel(start + timedelta(minutes=15), tick=False):
        response = _login(client, JANE, PASSWORD)

    assert response.status_code == 302
    assert _signed_in(client)


@pytest.mark.django_db
def test_attempts_while_locked_do_not_extend_the_lock(client, jane):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _fail(client, ADDRESS_LIMIT)
    with time_machine.travel(start + timedelta(minutes=10), tick=False):
        for _ in range(5):
            assert _login(client, JANE, "wrong-password").status_code == 429
    with time_machine.travel(start + timedelta(minutes=15), tick=False):
        assert _login(client, JANE, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_failures_older_than_15_minutes_no_longer_count(client, jane):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _fail(client, ADDRESS_LIMIT - 1)
    with time_machine.travel(start + timedelta(minutes=15, seconds=1), tick=False):
        _fail(client, ADDRESS_LIMIT - 1)
        assert _login(client, JANE, PASSWORD).status_code == 302


# Audit ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_lockout_writes_one_setup_audit_trail_event(client, jane):
    _fail(client, ADDRESS_LIMIT)
    _login(client, JANE, PASSWORD)
    _login(client, JANE, "wrong-password")

    [event] = AuditEvent.objects.filter(action="user.login_locked")
    assert event.section == "Manage Users"
    assert event.actor_id is None
    assert (event.target_type, event.target_id) == ("User", str(jane.pk))
    assert event.display == (
        f"Login of username {JANE} locked from {HOME} for 15 minutes after 10 failed attempts"
    )


@pytest.mark.django_db
def test_an_overall_lockout_is_audited_once(client, jane):
    for n in range(USERNAME_LIMIT // ADDRESS_LIMIT):
        _failures_recorded(JANE, f"10.1.0.{n}", ADDRESS_LIMIT)

    events = AuditEvent.objects.filter(action="user.login_locked")
    assert events.count() == USERNAME_LIMIT // ADDRESS_LIMIT + 1
    [overall] = events.filter(display__contains="from every address")
    assert overall.display.endswith("after 50 failed attempts")


@pytest.mark.django_db
def test_nothing_is_written_for_a_login_without_a_password(client, jane):
    client.post(LOGIN_URL, {"username": JANE, "password": ""}, REMOTE_ADDR=HOME)

    assert not LoginThrottle.objects.exists()


# The client address ----------------------------------------------------------------


@pytest.mark.parametrize(
    "remote_addr, counted",
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("", "unknown"),
        ("not an address", "unknown"),
    ],
)
def test_the_client_address_is_remote_addr_with_ipv6_counted_per_64(remote_addr, counted):
    request = HttpRequest()
    request.META["REMOTE_ADDR"] = remote_addr
    # X-Forwarded-For is whatever the client sends: never trusted.
    request.META["HTTP_X_FORWARDED_FOR"] = "198.51.100.1"

    assert client_address(request) == counted


# Forgot Your Password? per client address -----------------------------------------------


@pytest.fixture
def queued_tasks(settings) -> Iterator[list]:
    """Switch to the dummy tasks backend; the list holds every task result enqueued."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    backend = task_backends["default"]
    backend.clear()
    yield backend.results
    backend.clear()


def _ask(client: Client, username: str, address: str = HOME):
    return client.post(FORGOT, {"username": username}, REMOTE_ADDR=address)


@pytest.mark.django_db
def test_forgot_password_queues_at_most_ten_requests_per_address_per_hour(client, queued_tasks):
    responses = [_ask(client, f"nobody{n}@acme.example") for n in range(FORGOT_LIMIT + 5)]

    assert {(r.status_code, r["Location"]) for r in responses} == {(302, SENT)}
    assert len(queued_tasks) == FORGOT_LIMIT
    assert PasswordForgotThrottle.objects.get(client_address=HOME).requests == FORGOT_LIMIT


@pytest.mark.django_db
def test_forgot_password_limit_of_one_address_leaves_others_alone(client, queued_tasks):
    for n in range(FORGOT_LIMIT + 1):
        _ask(client, f"nobody{n}@acme.example")

    _ask(client, "someone@acme.example", address=ELSEWHERE)

    assert len(queued_tasks) == FORGOT_LIMIT + 1
    assert queued_tasks[-1].kwargs == {"username": "someone@acme.example"}


@pytest.mark.django_db
def test_forgot_password_limit_starts_again_after_an_hour(client, queued_tasks):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for n in range(FORGOT_LIMIT + 1):
            _ask(client, f"nobody{n}@acme.example")
    with time_machine.travel(start + timedelta(minutes=59), tick=False):
        _ask(client, "late@acme.example")
        assert len(queued_tasks) == FORGOT_LIMIT
    with time_machine.travel(start + timedelta(hours=1), tick=False):
        _ask(client, "later@acme.example")

    assert len(queued_tasks) == FORGOT_LIMIT + 1
