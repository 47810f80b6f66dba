"""Who may open Setup: the header link and every Setup page agree."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import PermissionSet
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

CUSTOMIZE_PAGES = ["setup:chatter_settings", "setup:audit_trail"]
MANAGE_USERS_PAGES = ["setup:users", "setup:user_new", "setup:profiles", "setup:permission_sets"]
EITHER_PAGES = ["setup:home", "setup:company_information"]
ALL_PAGES = CUSTOMIZE_PAGES + MANAGE_USERS_PAGES + EITHER_PAGES


def setup_link(response) -> bool:
    return f'href="{reverse("setup:home")}"' in response.content.decode()


@pytest.mark.parametrize("name", ALL_PAGES)
def test_admin_opens_every_setup_page(admin_client, name):
    response = admin_client.get(reverse(name))

    assert response.status_code == 200
    assert b'<nav class="setup-tree" aria-label="Setup">' in response.content


@pytest.mark.parametrize("name", ALL_PAGES)
def test_standard_user_is_refused_every_setup_page(user_client, name):
    assert user_client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", ALL_PAGES)
def test_customer_finds_no_setup_page(client, name):
    client.force_login(CustomerFactory())

    response = client.get(reverse(name))

    # "Data Not Available", as every org page a customer may not see answers.
    assert response.status_code == 404
    assert b"Data Not Available" in response.content


@pytest.mark.parametrize("name", ALL_PAGES)
def test_anonymous_visitor_is_sent_to_the_login_page(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_admin_sees_the_setup_link(admin_client):
    assert setup_link(admin_client.get(reverse("home")))


def test_standard_user_sees_no_setup_link(user_client):
    assert not setup_link(user_client.get(reverse("home")))


def _setup_menu(client) -> str:
    html = client.get(reverse("home")).content.decode()
    start = html.find('<details class="co-setup-menu')
    return html[start : html.find("</details>", start)] if start != -1 else ""


def test_the_gear_menu_offers_the_setup_pages_the_user_may_open(
    admin_client, client, user_manager, customizer
):
    users = f'href="{reverse("setup:users")}"'
    settings = f'href="{reverse("setup:chatter_settings")}"'
    admin_menu = _setup_menu(admin_client)
    assert "Setup Home" in admin_menu and users in admin_menu and settings in admin_menu

    client.force_login(user_manager)
    menu = _setup_menu(client)
    assert users in menu and settings not in menu

    client.force_login(customizer)
    menu = _setup_menu(client)
    assert settings in menu and users not in menu


def test_standard_user_has_no_gear_menu(user_client):
    assert _setup_menu(user_client) == ""


def test_user_manager_opens_user_pages_but_not_chatter_settings(client, user_manager):
    client.force_login(user_manager)

    assert client.get(reverse("setup:users")).status_code == 200
    assert client.get(reverse("setup:chatter_settings")).status_code == 403
    assert client.get(reverse("setup:audit_trail")).status_code == 403


def test_customizer_opens_chatter_settings_but_not_user_pages(client, customizer):
    client.force_login(customizer)

    assert client.get(reverse("setup:chatter_settings")).status_code == 200
    assert client.get(reverse("setup:users")).status_code == 403
    assert client.get(reverse("setup:permission_sets")).status_code == 403


def test_setup_tree_shows_only_the_pages_the_user_may_open(client, user_manager):
    client.force_login(user_manager)

    response = client.get(reverse("setup:home"))

    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="{reverse("setup:users")}"' in html
    assert f'href="{reverse("setup:company_information")}"' in html
    assert f'href="{reverse("setup:chatter_settings")}"' not in html
    assert f'href="{reverse("setup:audit_trail")}"' not in html


def test_admin_setup_tree_has_every_section(admin_client):
    html = admin_client.get(reverse("setup:home")).content.decode()

    tree_pages = [name for name in ALL_PAGES if name != "setup:user_new"]
    for name in [*tree_pages, "setup:validation_rules", "setup:support_lookup"]:
        assert f'href="{reverse(name)}"' in html, name
    for label in ("Customize", "Chatter", "Manage Users", "Validation Rules"):
        assert f">{label}<" in html


def test_setup_tree_marks_the_current_page(admin_client):
    html = admin_client.get(reverse("setup:chatter_settings")).content.decode()

    assert f'href="{reverse("setup:chatter_settings")}" aria-current="page"' in html


def test_losing_the_permission_closes_setup_on_the_next_request(client, user_manager):
    client.force_login(user_manager)
    assert client.get(reverse("setup:users")).status_code == 200

    PermissionSet.objects.filter(assignments__user=user_manager).update(permissions=[])

    assert client.get(reverse("setup:users")).status_code == 403
    assert not setup_link(client.get(reverse("home")))


def test_setup_pages_are_not_cached(admin_client):
    response = admin_client.get(reverse("setup:chatter_settings"))

    assert "no-store" in response["Cache-Control"]
