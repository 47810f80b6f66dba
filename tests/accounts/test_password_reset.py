"""Forgot Your Password?: a single-use emailed link, the security question, a new password."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import PasswordResetRequest, User
from accounts.password_reset import MAX_REQUESTS_PER_DAY, password_reset_complete
from accounts.password_reset import SESSION_KEY as RESET_SESSION_KEY
from accounts.security import answer_hash
from chatterorg.models import AuditEvent
from tests.chatterorg.pages import control, labels
from tests.factories import PASSWORD, CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

FORGOT = reverse("accounts:password_forgot")
SENT = reverse("accounts:password_forgot_sent")
RESET = reverse("accounts:password_reset")
NEW_PASSWORD = "Marble-Lantern-Orchard-77"
INVALID_TEXT = "This link is no longer valid"


@pytest.fixture
def jane(db) -> User:
    return CustomerFactory(
        username="jane@guest.acme.example",
        email="jane@globex.example",
        first_name="Jane",
        last_name="Doe",
        security_question=User.SecurityQuestion.FIRST_PET,
        security_answer_hash=answer_hash("Biscuit the Dog"),
    )


def _ask(client: Client, username: str):
    return client.post(FORGOT, {"username": username})


def _link_of(message) -> str:
    match = re.search(r"https?://\S+/accounts/password/reset/([A-Za-z0-9_\-]+)/", message.body)
    assert match, message.body
    return match.group(1)


def _open(client: Client, raw: str):
    return client.get(reverse("accounts:password_reset_open", kwargs={"token": raw}))


def _link_for(client: Client, user: User, mailoutbox) -> str:
    _ask(client, user.username)
    return _link_of(mailoutbox[-1])


def test_the_login_page_links_to_forgot_your_password(client):
    html = client.get(reverse("accounts:login")).content.decode()

    assert f'<a href="{FORGOT}">Forgot Your Password?</a>' in html


def test_the_forgot_page_asks_for_the_username(client):
    html = client.get(FORGOT).content.decode()

    assert labels(html) == ["Username"]
    assert "<h1>Forgot Your Password</h1>" in html


def test_a_known_username_gets_an_email_with_a_single_use_link(client, jane, mailoutbox):
    response = _ask(client, "JANE@guest.acme.example")

    assert response.status_code == 302
    assert response["Location"] == SENT
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["jane@globex.example"]
    assert "jane@guest.acme.example" in message.body
    raw = _link_of(message)
    reset = PasswordResetRequest.objects.get(user=jane)
    assert reset.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert reset.expires_at - reset.created_at == timedelta(hours=24)
    assert reset.used_at is None


def test_an_unknown_username_gets_the_same_response_and_no_email(client, jane, mailoutbox):
    known = _ask(client, jane.username)
    unknown = _ask(client, "nobody@guest.acme.example")

    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert len(mailoutbox) == 1
    assert PasswordResetRequest.objects.count() == 1
    sent = client.get(SENT).content.decode()
    assert "If that username belongs to an active user" in sent


def test_an_inactive_user_gets_no_email(client, jane, mailoutbox):
    User.objects.filter(pk=jane.pk).update(is_active=False)

    response = _ask(client, jane.username)

    assert response["Location"] == SENT
    assert mailoutbox == []
    assert not PasswordResetRequest.objects.exists()


def test_at_most_five_links_per_username_per_day(client, jane, mailoutbox):
    responses = [_ask(client, jane.username) for _ in range(MAX_REQUESTS_PER_DAY + 2)]

    assert {response["Location"] for response in responses} == {SENT}
    assert len(mailoutbox) == MAX_REQUESTS_PER_DAY
    assert PasswordResetRequest.objects.filter(user=jane).count() == MAX_REQUESTS_PER_DAY

    with time_machine.travel(timezone.now() + timedelta(hours=24, seconds=1)):
        _ask(client, jane.username)
    assert len(mailoutbox) == MAX_REQUESTS_PER_DAY + 1


def test_opening_the_link_moves_it_into_the_session_and_redirects(client, jane, mailoutbox):
    raw = _link_for(client, jane, mailoutbox)

    response = _open(client, raw)

    assert response.status_code == 302
    assert response["Location"] == RESET
    assert response["Referrer-Policy"] == "same-origin"
    stored = client.session[RESET_SESSION_KEY]
    assert stored["token_hash"] == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in str(dict(client.session.items()))


def test_bad_links_all_get_the_same_invalid_page(client, jane, mailoutbox):
    expired = _link_for(client, jane, mailoutbox)
    PasswordResetRequest.objects.update(created_at=timezone.now() - timedelta(hours=25))
    PasswordResetRequest.objects.update(expires_at=timezone.now() - timedelta(hours=1))
    used = _link_for(client, jane, mailoutbox)
    PasswordResetRequest.objects.filter(
        token_hash=hashlib.sha256(used.encode()).hexdigest()
    ).update(used_at=timezone.now())

    responses = [_open(client, raw) for raw in ("y" * 43, expired, used)]

    assert {response.status_code for response in responses} == {404}
    assert len({response.content for response in responses}) == 1
    assert INVALID_TEXT in responses[0].content.decode()
    assert RESET_SESSION_KEY not in client.session


def test_the_reset_page_without_an_opened_link_is_the_invalid_page(client, db):
    response = client.get(RESET)

    assert response.status_code == 404
    assert INVALID_TEXT in response.content.decode()


def test_the_security_question_comes_first_and_case_and_spacing_do_not_matter(
    client, jane, mailoutbox
):
    _open(client, _link_for(client, jane, mailoutbox))

    question = client.get(RESET).content.decode()
    assert "What was the name of your first pet?" in question
    assert labels(question) == ["Answer"]
    wrong = client.post(RESET, {"answer": "Rex"})
    assert "That answer doesn&#x27;t match." in wrong.content.decode()
    right = client.post(RESET, {"answer": "  biscuit THE   dog"})

    assert right.status_code == 302
    page = client.get(RESET).content.decode()
    assert labels(page) == ["New Password", "Confirm New Password"]


def test_a_new_password_cannot_be_set_before_answering(client, jane, mailoutbox):
    _open(client, _link_for(client, jane, mailoutbox))

    response = client.post(
        RESET, {"new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD}
    )

    assert response.status_code == 200
    jane.refresh_from_db()
    assert jane.check_password(PASSWORD)


def test_the_action_refuses_a_user_with_a_question_that_was_not_answered(jane):
    raw = "z" * 43
    reset = PasswordResetRequest.objects.create(
        user=jane,
        token_hash=hashlib.sha256(raw.encode()).hexdigest(),
        expires_at=timezone.now() + timedelta(hours=24),
    )
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        password_reset_complete(
            request_id=reset.pk,
            token_hash=reset.token_hash,
            new_password=NEW_PASSWORD,
            identity_confirmed=False,
        )
    jane.refresh_from_db()
    assert jane.check_password(PASSWORD)


def test_setting_the_new_password_closes_every_link_and_allows_login(client, jane, mailoutbox):
    other = _link_for(client, jane, mailoutbox)
    raw = _link_for(client, jane, mailoutbox)
    _open(client, raw)
    client.post(RESET, {"answer": "Biscuit the Dog"})

    response = client.post(
        RESET, {"new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    jane.refresh_from_db()
    assert jane.check_password(NEW_PASSWORD)
    assert not PasswordResetRequest.objects.filter(user=jane, used_at__isnull=True).exists()
    assert AuditEvent.objects.filter(action="user.password_reset", actor=jane).exists()
    assert RESET_SESSION_KEY not in client.session
    assert _open(Client(), raw).status_code == 404
    assert _open(Client(), other).status_code == 404
    assert Client().login(username="jane@guest.acme.example", password=NEW_PASSWORD)


def test_a_user_without_a_question_goes_straight_to_the_new_password(client, mailoutbox):
    user = UserFactory(username="nora@acme.example", email="nora@acme.example")
    _open(client, _link_for(client, user, mailoutbox))

    page = client.get(RESET).content.decode()
    assert labels(page) == ["New Password", "Confirm New Password"]
    client.post(RESET, {"new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD})

    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


@pytest.mark.parametrize(
    ("password", "confirm", "label", "message"),
    [
        ("Short-1", "Short-1", "New Password", "This password is too short."),
        ("password1234", "password1234", "New Password", "This password is too common."),
        (
            NEW_PASSWORD,
            NEW_PASSWORD + "x",
            "Confirm New Password",
            "The passwords don&#x27;t match.",
        ),
        ("jane@globex.example", "jane@globex.example", "New Password", "too similar to the"),
    ],
)
def test_the_new_password_must_pass_the_validators(
    client, jane, mailoutbox, password, confirm, label, message
):
    _open(client, _link_for(client, jane, mailoutbox))
    client.post(RESET, {"answer": "Biscuit the Dog"})

    response = client.post(RESET, {"new_password": password, "new_password_confirm": confirm})

    html = response.content.decode()
    assert message in html
    assert control(html, label).get("aria-invalid") == "true"
    jane.refresh_from_db()
    assert jane.check_password(PASSWORD)


def test_five_wrong_answers_close_the_link(client, jane, mailoutbox):
    _open(client, _link_for(client, jane, mailoutbox))

    responses = [client.post(RESET, {"answer": f"Rex {n}"}) for n in range(5)]

    assert [response.status_code for response in responses] == [200, 200, 200, 200, 404]
    assert PasswordResetRequest.objects.get(user=jane).used_at is not None
    assert client.post(RESET, {"answer": "Biscuit the Dog"}).status_code == 404


def test_a_link_that_expires_while_open_can_no_longer_be_used(client, jane, mailoutbox):
    _open(client, _link_for(client, jane, mailoutbox))

    with time_machine.travel(timezone.now() + timedelta(hours=24, seconds=1)):
        response = client.post(RESET, {"answer": "Biscuit the Dog"})

    assert response.status_code == 404
