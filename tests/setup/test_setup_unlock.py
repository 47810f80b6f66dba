"""Setup › Users › a user: Unlock lifts a login lockout (accounts.throttle)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.models import LoginThrottle, User
from accounts.throttle import ADDRESS_LIMIT, login_attempt_begin, login_attempt_failed
from chatterorg.models import AuditEvent
from tests.chatterorg import fixtures
from tests.factories import PASSWORD, CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

admin_client = fixtures.admin_client
user_client = fixtures.user_client
user_manager = fixtures.user_manager

ADDRESS = "10.0.0.5"


@pytest.fixture
def locked(db) -> User:
    user = UserFactory(username="jane@acme.example")
    for _ in range(ADDRESS_LIMIT):
        assert login_attempt_begin(username="Jane@acme.example", address=ADDRESS)
        login_attempt_failed(username="Jane@acme.example", address=ADDRESS)
    return user


def detail(user: User) -> str:
    return reverse("setup:user_detail", args=[user.pk])


def unlock(user: User) -> str:
    return reverse("setup:user_unlock", args=[user.pk])


def _can_log_in(user: User) -> bool:
    client = Client(REMOTE_ADDR=ADDRESS)
    client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    return "_auth_user_id" in client.session


def test_the_detail_page_shows_unlock_for_a_locked_user_only(admin_client, locked):
    other = UserFactory()

    assert ">Unlock</button>" in admin_client.get(detail(locked)).content.decode()
    assert ">Unlock</button>" not in admin_client.get(detail(other)).content.decode()


def test_a_lock_that_has_not_happened_yet_shows_no_unlock(admin_client):
    user = UserFactory()
    assert login_attempt_begin(username=user.username, address=ADDRESS)
    login_attempt_failed(username=user.username, address=ADDRESS)

    assert ">Unlock</button>" not in admin_client.get(detail(user)).content.decode()


def test_a_user_manager_unlocks_the_user_who_can_then_log_in(client, user_manager, locked):
    client.force_login(user_manager)
    assert not _can_log_in(locked)

    response = client.post(unlock(locked))

    assert response.status_code == 302
    assert response["Location"] == detail(locked)
    assert not LoginThrottle.objects.filter(username="jane@acme.example").exists()
    assert _can_log_in(locked)
    [event] = AuditEvent.objects.filter(action="user.login_unlocked")
    assert event.section == "Manage Users"
    assert event.actor_id == user_manager.pk
    assert (event.target_type, event.target_id) == ("User", str(locked.pk))
    assert "was unlocked" in client.get(detail(locked)).content.decode()


def test_unlocking_a_user_who_is_not_locked_records_nothing(admin_client):
    user = UserFactory()

    response = admin_client.post(unlock(user))

    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action="user.login_unlocked").exists()


def test_a_user_without_manage_users_is_refused_and_nothing_changes(user_client, locked):
    assert user_client.post(unlock(locked)).status_code == 403
    assert LoginThrottle.objects.filter(username="jane@acme.example").count() == 2
    assert not _can_log_in(locked)


def test_a_customer_is_refused_as_every_setup_page_refuses_them(client, locked):
    client.force_login(CustomerFactory())

    assert client.post(unlock(locked)).status_code == 404
    assert LoginThrottle.objects.filter(username="jane@acme.example").count() == 2


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, locked):
    response = client.post(unlock(locked))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert LoginThrottle.objects.filter(username="jane@acme.example").count() == 2


def test_an_unknown_user_is_404(admin_client):
    assert admin_client.post(reverse("setup:user_unlock", args=[999999])).status_code == 404


def test_unlock_is_a_post(admin_client, locked):
    assert admin_client.get(unlock(locked)).status_code == 405
    assert LoginThrottle.objects.filter(username="jane@acme.example").count() == 2


def test_unlock_needs_the_csrf_token(admin_user, locked):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    assert client.post(unlock(locked)).status_code == 403

    client.get(detail(locked))
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    assert client.post(unlock(locked), {"csrfmiddlewaretoken": token}).status_code == 302
    assert not LoginThrottle.objects.exists()
