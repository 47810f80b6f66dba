"""Setup › Apps: App Manager (New Connected App, Delete) and Connected Apps OAuth Usage."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import ApiSession, ConnectedApp
from accounts.oauth import api_session_for_token, api_session_start, connected_app_for_key
from chatterorg.models import AuditEvent
from tests.chatterorg import fixtures
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

admin_client = fixtures.admin_client
user_client = fixtures.user_client
user_manager = fixtures.user_manager
customizer = fixtures.customizer

APPS = reverse("setup:connected_apps")
NEW = reverse("setup:connected_app_new")
USAGE = reverse("setup:oauth_usage")


def _app(**kwargs) -> ConnectedApp:
    from accounts.oauth import connected_app_create

    app, _key, _secret = connected_app_create(
        actor=None, name=kwargs.pop("name", "Nightly Sync"), contact_email="ops@acme.example"
    )
    return app


def _logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _code(html: str, label: str) -> str:
    match = re.search(rf"<th scope=\"row\">{label}</th><td><code>([^<]+)</code>", html)
    assert match, label
    return match.group(1)


# --- Who may open the pages ------------------------------------------------------------------


@pytest.mark.parametrize("url", [APPS, NEW, USAGE, reverse("setup:network_access")])
def test_customers_get_404_in_the_api_setup_pages(url):
    assert _logged_in(CustomerFactory()).get(url).status_code == 404


@pytest.mark.parametrize("url", [APPS, NEW, USAGE])
def test_users_without_setup_permissions_get_403(user_client, url):
    assert user_client.get(url).status_code == 403


def test_user_managers_see_oauth_usage_but_not_the_app_manager(user_manager):
    client = _logged_in(user_manager)

    assert client.get(APPS).status_code == 403
    html = client.get(USAGE).content.decode()
    assert "<h1>Connected Apps OAuth Usage</h1>" in html
    assert "App Manager" not in html  # the Setup tree shows only what opens


def test_the_setup_tree_links_the_app_manager_for_customizers(customizer):
    html = _logged_in(customizer).get(APPS).content.decode()

    assert f'<a href="{APPS}" aria-current="page">App Manager</a>' in html


# --- New Connected App -----------------------------------------------------------------------


def test_new_connected_app_shows_key_and_secret_once_and_stores_only_hashes(
    admin_client, admin_user
):
    response = admin_client.post(
        NEW,
        {
            "name": "Partner Portal Sync",
            "contact_email": "it@acme.example",
            "oauth_enabled": "on",
            "callback_url": "https://sync.acme.example/callback",
        },
    )

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    key, secret = _code(html, "Consumer Key"), _code(html, "Consumer Secret")
    app = ConnectedApp.objects.get(name="Partner Portal Sync")
    assert connected_app_for_key(key) == app
    assert key not in app.consumer_key_hash and secret not in app.consumer_secret_hash
    event = AuditEvent.objects.get(action="connected_app.created")
    assert event.actor == admin_user
    assert key not in event.display and secret not in event.display
    # The list never shows them again.
    listed = admin_client.get(APPS).content.decode()
    assert "Partner Portal Sync" in listed
    assert key not in listed and secret not in listed


def test_client_credentials_flow_needs_a_run_as_user_with_api_enabled(admin_client):
    no_api = UserFactory(perms=[])
    no_api.profile.permissions = []
    no_api.profile.save()

    missing = admin_client.post(
        NEW,
        {
            "name": "Robot",
            "contact_email": "it@acme.example",
            "oauth_enabled": "on",
            "client_credentials_enabled": "on",
        },
    )
    without_api = admin_client.post(
        NEW,
        {
            "name": "Robot",
            "contact_email": "it@acme.example",
            "oauth_enabled": "on",
            "client_credentials_enabled": "on",
            "run_as": no_api.pk,
        },
    )

    assert missing.status_code == without_api.status_code == 200
    assert "Choose an active user with API Enabled" in without_api.content.decode()
    assert not ConnectedApp.objects.exists()
    assert not AuditEvent.objects.exists()


def test_client_credentials_app_runs_as_the_chosen_user(admin_client, admin_user):
    admin_client.post(
        NEW,
        {
            "name": "Robot",
            "contact_email": "it@acme.example",
            "oauth_enabled": "on",
            "client_credentials_enabled": "on",
            "run_as": admin_user.pk,
        },
    )

    app = ConnectedApp.objects.get(name="Robot")
    assert app.client_credentials_enabled and app.run_as == admin_user


def test_a_second_app_with_the_same_name_is_refused(admin_client):
    _app(name="Nightly Sync")

    response = admin_client.post(NEW, {"name": "Nightly Sync", "contact_email": "a@acme.example"})

    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert ConnectedApp.objects.count() == 1


def test_users_without_customize_application_cannot_create_apps(user_manager):
    response = _logged_in(user_manager).post(
        NEW, {"name": "Sneaky", "contact_email": "x@acme.example"}
    )

    assert response.status_code == 403
    assert not ConnectedApp.objects.exists()


# --- Delete ----------------------------------------------------------------------------------


def test_deleting_an_app_ends_its_sessions_and_is_audited(admin_client, admin_user, user):
    app = _app()
    access, _refresh, _session = api_session_start(user=user, kind=ApiSession.Kind.OAUTH, app=app)
    url = reverse("setup:connected_app_delete", args=[app.pk])

    page = admin_client.get(url).content.decode()
    response = admin_client.post(url)

    assert "ends its 1 open API session;" in page
    assert response.status_code == 302
    assert not ConnectedApp.objects.exists()
    assert api_session_for_token(access) is None
    event = AuditEvent.objects.get(action="connected_app.deleted")
    assert (event.actor, event.old_value) == (admin_user, "Nightly Sync")


def test_deleting_an_app_that_does_not_exist_is_404(admin_client):
    assert admin_client.post(reverse("setup:connected_app_delete", args=[999])).status_code == 404


def test_users_without_customize_application_cannot_delete_apps(user_manager):
    app = _app()

    response = _logged_in(user_manager).post(reverse("setup:connected_app_delete", args=[app.pk]))

    assert response.status_code == 403
    assert ConnectedApp.objects.filter(pk=app.pk).exists()


# --- OAuth Usage and Revoke ------------------------------------------------------------------


def test_oauth_usage_lists_open_sessions_with_their_app_and_user(admin_client, user):
    app = _app()
    api_session_start(user=user, kind=ApiSession.Kind.OAUTH, app=app, client_address="10.1.2.3")
    _access, _refresh, ended = api_session_start(user=UserFactory(), kind=ApiSession.Kind.SOAP)
    ApiSession.objects.filter(pk=ended.pk).update(revoked_at=ended.created_at)

    html = admin_client.get(USAGE).content.decode()

    assert user.username in html and "Nightly Sync" in html and "10.1.2.3" in html
    assert ended.user.username not in html
    assert ">Revoke</button>" in html


def test_revoke_ends_the_session_and_is_audited(admin_client, admin_user, user):
    access, _refresh, session = api_session_start(user=user, kind=ApiSession.Kind.SOAP)

    response = admin_client.post(reverse("setup:oauth_session_revoke", args=[session.pk]))

    assert response.status_code == 302
    assert api_session_for_token(access) is None
    event = AuditEvent.objects.get(action="api_session.revoked")
    assert event.actor == admin_user


def test_customizers_without_manage_users_see_no_revoke_and_may_not_revoke(customizer, user):
    access, _refresh, session = api_session_start(user=user, kind=ApiSession.Kind.SOAP)
    client = _logged_in(customizer)

    assert ">Revoke</button>" not in client.get(USAGE).content.decode()
    response = client.post(reverse("setup:oauth_session_revoke", args=[session.pk]))

    assert response.status_code == 403
    assert api_session_for_token(access) is not None
    assert not AuditEvent.objects.exists()


def test_revoking_a_session_that_does_not_exist_is_404(admin_client):
    assert admin_client.post(reverse("setup:oauth_session_revoke", args=[999])).status_code == 404


def test_customers_cannot_revoke(user):
    _access, _refresh, session = api_session_start(user=user, kind=ApiSession.Kind.SOAP)

    response = _logged_in(CustomerFactory()).post(
        reverse("setup:oauth_session_revoke", args=[session.pk])
    )

    assert response.status_code == 404
