"""Login and logout: Salesforce's labels, one error for any failure, CSRF.

Lockouts after repeated failures: test_login_throttle.py.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.chatterorg.pages import control
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("accounts:login")
LOGIN_ERROR = (
    "Please check your username and password. If you still can&#x27;t log in, "
    "contact your Salesforce administrator."
)


def test_login_page_has_labelled_username_and_password(client):
    response = client.get(LOGIN_URL)

    assert response.status_code == 200
    assert control(response.content, "Username")["name"] == "username"
    assert control(response.content, "Password")["type"] == "password"
    assert b"<title>" in response.content


def test_login_with_the_right_password_signs_in(client):
    user = UserFactory(username="jane@acme.example")

    response = client.post(LOGIN_URL, {"username": "jane@acme.example", "password": PASSWORD})

    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.session["_auth_user_id"] == str(user.pk)


def test_username_is_case_insensitive(client):
    user = UserFactory(username="jane@acme.example")

    client.post(LOGIN_URL, {"username": "Jane@ACME.example", "password": PASSWORD})

    assert client.session["_auth_user_id"] == str(user.pk)


def test_wrong_password_and_unknown_username_give_the_same_answer(client):
    UserFactory(username="jane@acme.example")

    wrong_password = client.post(
        LOGIN_URL, {"username": "jane@acme.example", "password": "not-the-password"}
    )
    unknown_user = client.post(
        LOGIN_URL, {"username": "nobody@acme.example", "password": "not-the-password"}
    )

    assert wrong_password.status_code == unknown_user.status_code == 200
    assert LOGIN_ERROR in wrong_password.content.decode()
    assert LOGIN_ERROR in unknown_user.content.decode()
    assert "_auth_user_id" not in client.session


def test_inactive_user_gets_the_same_answer_as_a_wrong_password(client):
    UserFactory(username="gone@acme.example", is_active=False)

    response = client.post(LOGIN_URL, {"username": "gone@acme.example", "password": PASSWORD})

    assert LOGIN_ERROR in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_error_is_announced_to_screen_readers(client):
    response = client.post(LOGIN_URL, {"username": "x@acme.example", "password": "nope"})

    html = response.content.decode()
    assert 'role="alert"' in html
    assert html.index('role="alert"') < html.index(LOGIN_ERROR)


def test_failures_below_the_limit_do_not_lock_the_account(client):
    user = UserFactory(username="jane@acme.example")
    for _ in range(9):
        client.post(LOGIN_URL, {"username": "jane@acme.example", "password": "wrong-password"})

    response = client.post(LOGIN_URL, {"username": "jane@acme.example", "password": PASSWORD})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_login_rotates_the_session_key(client):
    UserFactory(username="jane@acme.example")
    session = client.session
    session["before_login"] = True
    session.save()
    key_before = session.session_key

    client.post(LOGIN_URL, {"username": "jane@acme.example", "password": PASSWORD})

    assert client.cookies[settings.SESSION_COOKIE_NAME].value != key_before
    assert client.session.session_key != key_before


def test_login_without_csrf_token_is_refused():
    UserFactory(username="jane@acme.example")
    client = Client(enforce_csrf_checks=True)

    response = client.post(LOGIN_URL, {"username": "jane@acme.example", "password": PASSWORD})

    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_login_with_csrf_token_succeeds():
    UserFactory(username="jane@acme.example")
    client = Client(enforce_csrf_checks=True)
    client.get(LOGIN_URL)
    token = client.cookies[settings.CSRF_COOKIE_NAME].value

    response = client.post(
        LOGIN_URL,
        {"username": "jane@acme.example", "password": PASSWORD, "csrfmiddlewaretoken": token},
    )

    assert response.status_code == 302


def test_login_does_not_redirect_to_another_site(client):
    UserFactory(username="jane@acme.example")

    response = client.post(
        f"{LOGIN_URL}?next=https://evil.example/",
        {"username": "jane@acme.example", "password": PASSWORD, "next": "https://evil.example/"},
    )

    assert response.url == reverse("home")


def test_pages_need_a_login(client):
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response.url.startswith(LOGIN_URL)


def test_log_out_is_a_post_and_ends_the_session(client):
    client.force_login(UserFactory())

    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
