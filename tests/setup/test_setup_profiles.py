"""Setup › Manage Users › Profiles: permissions as labelled checkboxes."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.actions import profile_permissions_set
from accounts.models import Profile
from accounts.permissions import Perm
from chatterorg.models import AuditEvent
from tests.chatterorg import fixtures
from tests.chatterorg.pages import control, is_checked

pytestmark = pytest.mark.django_db

# Shared Setup fixtures (tests/chatterorg/fixtures.py).
admin_client = fixtures.admin_client
user_client = fixtures.user_client

PROFILES = reverse("setup:profiles")


def profile(name: str) -> Profile:
    return Profile.objects.get(name=name)


def detail(p: Profile) -> str:
    return reverse("setup:profile_detail", args=[p.pk])


def test_profiles_list_shows_each_profile_with_its_licence_and_active_users(admin_client):
    html = admin_client.get(PROFILES).content.decode()

    assert "<h1>Profiles</h1>" in html
    standard = profile(Profile.STANDARD_USER)
    assert f'<a href="{detail(standard)}">Standard User</a>' in html
    assert "Chatter External" in html
    # The admin is the System Administrator profile's one active user.
    admin_row = html[html.index(">System Administrator</a>") :]
    assert admin_row.index("<td>1</td>") < admin_row.index("</tr>")


def _row_of(html: str, name: str) -> str:
    row = html[html.index(f">{name}</a>") :]
    return row[: row.index("</tr>")]


def test_active_users_are_counted_up_to_2000_in_two_queries(
    admin_client, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from chatterorg.pagination import LIST_COUNT_CAP

    admin_client.get(PROFILES)
    with CaptureQueriesContext(connection) as few:
        admin_client.get(PROFILES)
    standard = profile(Profile.STANDARD_USER)
    User.objects.bulk_create(
        User(username=f"bulk{n}@acme.example", email=f"bulk{n}@acme.example", profile=standard)
        for n in range(LIST_COUNT_CAP + 1)
    )
    User.objects.filter(username="bulk0@acme.example").update(is_active=False)

    # The profiles, then every profile's capped count in one query.
    with django_assert_num_queries(len(few)):
        html = admin_client.get(PROFILES).content.decode()

    assert f"<td>{LIST_COUNT_CAP}</td>" in _row_of(html, "Standard User")
    User.objects.filter(username="bulk0@acme.example").update(is_active=True)
    html = admin_client.get(PROFILES).content.decode()
    assert f"<td>{LIST_COUNT_CAP}+</td>" in _row_of(html, "Standard User")
    assert "<td>1</td>" in _row_of(html, "System Administrator")


def test_profile_detail_shows_permissions_as_labelled_checkboxes(admin_client):
    html = admin_client.get(detail(profile(Profile.STANDARD_USER))).content.decode()

    assert "<h1>Profile: Standard User</h1>" in html
    assert is_checked(html, "Create and Own New Chatter Groups")
    assert is_checked(html, "API Enabled")
    for perm in Perm:
        if perm not in (Perm.CREATE_GROUPS, Perm.API_ENABLED):
            assert not is_checked(html, perm.label), perm
    assert '<button type="submit">Save</button>' in html


def test_admin_saves_profile_permissions_and_the_change_is_audited(admin_client, admin_user):
    standard = profile(Profile.STANDARD_USER)
    chosen = [Perm.API_ENABLED.value, Perm.CREATE_GROUPS.value, Perm.INVITE_CUSTOMERS.value]

    response = admin_client.post(detail(standard), {"permissions": chosen}, follow=True)

    assert response.redirect_chain == [(detail(standard), 302)]
    assert is_checked(response.content, "Invite Customers To Chatter")
    standard.refresh_from_db()
    assert sorted(standard.permissions) == sorted(chosen)
    event = AuditEvent.objects.get()
    assert event.actor == admin_user
    assert event.action == "profile.permissions_changed"
    assert event.old_value == "API Enabled, Create and Own New Chatter Groups"
    assert event.new_value == (
        "API Enabled, Create and Own New Chatter Groups, Invite Customers To Chatter"
    )


def test_saving_unchanged_permissions_writes_no_audit_event(admin_client):
    standard = profile(Profile.STANDARD_USER)

    admin_client.post(
        detail(standard), {"permissions": [Perm.API_ENABLED.value, Perm.CREATE_GROUPS.value]}
    )

    assert not AuditEvent.objects.exists()


def test_unknown_permission_is_refused(admin_client):
    standard = profile(Profile.STANDARD_USER)

    response = admin_client.post(detail(standard), {"permissions": ["ViewEverything"]})

    assert response.status_code == 200
    standard.refresh_from_db()
    assert standard.permissions == [Perm.API_ENABLED.value, Perm.CREATE_GROUPS.value]
    assert not AuditEvent.objects.exists()


def test_the_system_administrator_profile_shows_disabled_checkboxes_and_refuses_changes(
    admin_client,
):
    locked = profile(Profile.SYSTEM_ADMINISTRATOR)
    before = list(locked.permissions)

    page = admin_client.get(detail(locked)).content.decode()
    response = admin_client.post(detail(locked), {"permissions": [Perm.MANAGE_USERS.value]})

    assert '<fieldset class="field" disabled>' in page
    assert '<button type="submit">Save</button>' not in page
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    locked.refresh_from_db()
    assert locked.permissions == before
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    "permissions",
    [[Perm.CUSTOMIZE_APPLICATION], [Perm.API_ENABLED, Perm.INVITE_CUSTOMERS]],
    ids=["setup", "api-and-invite"],
)
def test_customers_profile_can_never_gain_other_permissions(admin_user, permissions):
    from django.core.exceptions import ValidationError

    external = profile(Profile.CHATTER_EXTERNAL_USER)

    with pytest.raises(ValidationError):
        profile_permissions_set(actor=admin_user, profile=external, permissions=permissions)

    external.refresh_from_db()
    assert external.permissions == []
    assert not AuditEvent.objects.exists()


def test_the_customers_profile_offers_only_api_enabled(admin_client):
    page = admin_client.get(detail(profile(Profile.CHATTER_EXTERNAL_USER))).content.decode()

    assert '<button type="submit">Save</button>' in page
    assert not is_checked(page, "API Enabled")
    offered = [perm for perm in Perm if f'value="{perm.value}"' in page]
    assert offered == [Perm.API_ENABLED]


def test_admin_gives_customers_api_enabled_and_takes_it_back(admin_client, admin_user):
    external = profile(Profile.CHATTER_EXTERNAL_USER)

    response = admin_client.post(detail(external), {"permissions": [Perm.API_ENABLED.value]})

    assert response.status_code == 302
    external.refresh_from_db()
    assert external.permissions == [Perm.API_ENABLED.value]
    event = AuditEvent.objects.get()
    assert (event.actor, event.old_value, event.new_value) == (admin_user, "", "API Enabled")

    admin_client.post(detail(external), {"permissions": []})

    external.refresh_from_db()
    assert external.permissions == []
    assert AuditEvent.objects.count() == 2


def test_the_customers_profile_page_refuses_any_other_permission(admin_client):
    external = profile(Profile.CHATTER_EXTERNAL_USER)

    response = admin_client.post(
        detail(external), {"permissions": [Perm.API_ENABLED.value, Perm.MANAGE_USERS.value]}
    )

    assert response.status_code == 200
    external.refresh_from_db()
    assert external.permissions == []
    assert not AuditEvent.objects.exists()


def test_a_profile_change_takes_effect_on_the_next_request(admin_client, user):
    client = Client()  # the standard user's own browser
    client.force_login(user)
    assert client.get(reverse("setup:chatter_settings")).status_code == 403

    admin_client.post(
        detail(profile(Profile.STANDARD_USER)),
        {"permissions": [Perm.CREATE_GROUPS.value, Perm.CUSTOMIZE_APPLICATION.value]},
    )

    assert client.get(reverse("setup:chatter_settings")).status_code == 200


def test_unknown_profile_is_not_found(admin_client):
    assert admin_client.get(reverse("setup:profile_detail", args=[999999])).status_code == 404


def test_standard_user_cannot_see_or_change_profiles(user_client):
    standard = profile(Profile.STANDARD_USER)

    assert user_client.get(PROFILES).status_code == 403
    response = user_client.post(detail(standard), {"permissions": [Perm.MANAGE_USERS.value]})

    assert response.status_code == 403
    standard.refresh_from_db()
    assert standard.permissions == [Perm.API_ENABLED.value, Perm.CREATE_GROUPS.value]


def test_profile_permission_checkboxes_are_inside_a_labelled_group(admin_client):
    html = admin_client.get(detail(profile(Profile.STANDARD_USER))).content.decode()

    assert "<legend>Permissions</legend>" in html
    assert control(html, "Manage Users")["name"] == "permissions"
