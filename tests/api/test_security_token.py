"""Settings › Reset My Security Token: a POST emails a new token; the old one stops working."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.oauth import api_password_login
from chatterorg.models import AuditEvent
from chatterorg.tokens import token_hash
from tests.factories import PASSWORD, CustomerFactory

pytestmark = pytest.mark.django_db

RESET = reverse("accounts:security_token_reset")
OUTSIDE = "203.0.113.9"


def _client(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.post(RESET)

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_the_page_explains_and_a_get_changes_nothing(user, mailoutbox):
    user.security_token_hash = token_hash("B" * 24)
    user.save()

    html = _client(user).get(RESET).content.decode()

    assert "<h1>Reset My Security Token</h1>" in html
    assert "csrfmiddlewaretoken" in html
    user.refresh_from_db()
    assert user.security_token_hash == token_hash("B" * 24)
    assert not mailoutbox


def test_a_post_without_the_csrf_token_is_refused(user, mailoutbox):
    response = _client(user, enforce_csrf_checks=True).post(RESET)

    assert response.status_code == 403
    assert not mailoutbox


def test_a_post_emails_a_new_token_that_replaces_the_old_one(
    user, mailoutbox, django_capture_on_commit_callbacks
):
    user.security_token_hash = token_hash("B" * 24)
    user.save()

    with django_capture_on_commit_callbacks(execute=True):
        response = _client(user).post(RESET)

    assert response.status_code == 302
    (message,) = mailoutbox
    assert message.to == [user.email]
    token = re.search(r"Security token \(case-sensitive\): (\S+)", message.body).group(1)
    user.refresh_from_db()
    assert user.security_token_hash == token_hash(token)
    assert api_password_login(
        username=user.username, password=PASSWORD + token, client_address=OUTSIDE
    )
    event = AuditEvent.objects.get(action="user.security_token_reset")
    assert event.actor == user and token not in event.display


def test_customers_may_reset_their_own_token(mailoutbox, django_capture_on_commit_callbacks):
    customer = CustomerFactory()

    with django_capture_on_commit_callbacks(execute=True):
        _client(customer).post(RESET)

    assert [m.to for m in mailoutbox] == [[customer.email]]


def test_the_users_own_profile_links_the_page_and_others_do_not(user):
    from tests.factories import UserFactory

    other = UserFactory()
    client = _client(user)

    own = client.get(reverse("groups:profile", args=[user.pk])).content.decode()
    theirs = client.get(reverse("groups:profile", args=[other.pk])).content.decode()

    assert f'<a href="{RESET}">Reset My Security Token</a>' in own
    assert RESET not in theirs
