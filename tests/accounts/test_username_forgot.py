"""The login page's hint for customers, and Forgot Your Username?."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.tasks import task_backends
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import PasswordForgotThrottle, UsernameReminder
from accounts.throttle import FORGOT_LIMIT
from accounts.username_reminder import MAX_PER_DAY, username_reminder_deliver
from tests.factories import CustomerFactory, UserFactory

FORGOT_URL = reverse("accounts:username_forgot")


def test_the_login_page_says_what_a_customer_username_looks_like(client, db):
    page = client.get(reverse("accounts:login")).content.decode()
    assert (
        "Customers: your username looks like name@guest.company.example and is in your "
        "welcome email"
    ) in page
    assert FORGOT_URL in page
    assert "Forgot Your Username?" in page


def test_the_usernames_of_an_address_are_emailed(client, db, mailoutbox):
    CustomerFactory(username="jane@guest.acme.example", email="Jane@Globex.example")
    UserFactory(username="jane.admin@acme.example", email="jane@globex.example")

    response = client.post(FORGOT_URL, {"email": "jane@GLOBEX.example"})

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:username_forgot_sent")
    assert len(mailoutbox) == 1
    body = mailoutbox[0].body
    assert "jane@guest.acme.example" in body and "jane.admin@acme.example" in body
    assert "/password/reset/" not in body and "/join/" not in body


def test_the_answer_is_the_same_whether_or_not_an_account_exists(client, db, mailoutbox):
    CustomerFactory(email="jane@globex.example")
    known = client.post(FORGOT_URL, {"email": "jane@globex.example"}, follow=True)
    unknown = client.post(FORGOT_URL, {"email": "nobody@globex.example"}, follow=True)

    assert known.status_code == unknown.status_code == 200
    assert known.content == unknown.content
    assert len(mailoutbox) == 1


def test_a_deactivated_user_gets_no_email(client, db, mailoutbox):
    CustomerFactory(email="gone@globex.example", is_active=False)
    client.post(FORGOT_URL, {"email": "gone@globex.example"})
    assert mailoutbox == []


def test_an_address_gets_at_most_five_emails_a_day(db, mailoutbox):
    CustomerFactory(email="jane@globex.example")
    for _ in range(MAX_PER_DAY + 2):
        username_reminder_deliver.call(email="jane@globex.example")
    assert len(mailoutbox) == MAX_PER_DAY
    assert UsernameReminder.objects.count() == MAX_PER_DAY


def test_a_client_address_shares_the_forgot_password_hourly_limit(client, db, mailoutbox):
    CustomerFactory(email="jane@globex.example")
    for _ in range(FORGOT_LIMIT):
        client.post(reverse("accounts:password_forgot"), {"username": "nobody"})

    client.post(FORGOT_URL, {"email": "jane@globex.example"})

    assert mailoutbox == []


# The request path: exactly Forgot Your Password?'s -------------------------------------------

SENT = reverse("accounts:username_forgot_sent")
HOME = "10.0.0.5"


@pytest.fixture
def queued_tasks(settings) -> Iterator[list]:
    """Switch to the dummy tasks backend; the list holds every task result enqueued."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    backend = task_backends["default"]
    backend.clear()
    yield backend.results
    backend.clear()


def _ask(client, email: str, address: str = HOME):
    return client.post(FORGOT_URL, {"email": email}, REMOTE_ADDR=address)


def _statements(queries) -> list[str]:
    """The SQL of a request without its values and savepoint names: what it does, not with
    what."""
    return [re.sub(r"'[^']*'", "?", re.sub(r'"s\d+_x\d+"', "?", query["sql"])) for query in queries]


def test_a_known_and_an_unknown_address_do_the_same_on_the_request_path(
    client, db, queued_tasks, mailoutbox
):
    CustomerFactory(email="jane@globex.example")
    _ask(client, "warm@globex.example", address="10.0.0.9")  # the session and caches, once

    with CaptureQueriesContext(connection) as known:
        known_response = _ask(client, "jane@globex.example")
    with CaptureQueriesContext(connection) as unknown:
        unknown_response = _ask(client, "nobody@globex.example")

    assert (known_response.status_code, known_response["Location"]) == (302, SENT)
    assert (unknown_response.status_code, unknown_response["Location"]) == (302, SENT)
    # The same statements (the throttle, the queued task), and no user looked up.
    assert _statements(known.captured_queries) == _statements(unknown.captured_queries)
    assert not any("accounts_user" in q["sql"] for q in known.captured_queries)
    assert not UsernameReminder.objects.exists()
    # The email goes out from the task, never from the request.
    assert mailoutbox == []
    assert [result.kwargs for result in queued_tasks][-2:] == [
        {"email": "jane@globex.example"},
        {"email": "nobody@globex.example"},
    ]


def test_at_most_ten_requests_per_client_address_per_hour_are_queued(client, db, queued_tasks):
    CustomerFactory(email="jane@globex.example")

    responses = [_ask(client, "jane@globex.example") for _ in range(FORGOT_LIMIT + 5)]

    assert {(r.status_code, r["Location"]) for r in responses} == {(302, SENT)}
    assert len(queued_tasks) == FORGOT_LIMIT
    assert PasswordForgotThrottle.objects.get(client_address=HOME).requests == FORGOT_LIMIT


def test_the_limit_of_one_client_address_leaves_others_alone(client, db, queued_tasks):
    for _ in range(FORGOT_LIMIT + 1):
        _ask(client, "nobody@globex.example")

    _ask(client, "someone@globex.example", address="10.0.0.6")

    assert len(queued_tasks) == FORGOT_LIMIT + 1
    assert queued_tasks[-1].kwargs == {"email": "someone@globex.example"}


def test_the_hourly_limit_starts_again_after_an_hour(client, db, queued_tasks):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(FORGOT_LIMIT + 1):
            _ask(client, "nobody@globex.example")
    with time_machine.travel(start + timedelta(minutes=59), tick=False):
        _ask(client, "late@globex.example")
        assert len(queued_tasks) == FORGOT_LIMIT
    with time_machine.travel(start + timedelta(hours=1), tick=False):
        _ask(client, "later@globex.example")

    assert len(queued_tasks) == FORGOT_LIMIT + 1


def test_the_five_a_day_start_again_after_24_hours(db, mailoutbox):
    CustomerFactory(email="jane@globex.example")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(MAX_PER_DAY + 1):
            username_reminder_deliver.call(email="jane@globex.example")
    with time_machine.travel(start + timedelta(hours=24, seconds=1), tick=False):
        username_reminder_deliver.call(email="jane@globex.example")

    assert len(mailoutbox) == MAX_PER_DAY + 1
