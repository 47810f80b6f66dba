"""Setup › Manage Users › Permission Sets: list, New, detail with checkboxes, Edit."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import PermissionSet, PermissionSetAssignment
from accounts.permissions import Perm
from chatterorg.models import AuditEvent
from tests.chatterorg import fixtures
from tests.chatterorg.pages import control, is_checked, labels
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# Shared Setup fixtures (tests/chatterorg/fixtures.py).
admin_client = fixtures.admin_client
user_client = fixtures.user_client

LIST = reverse("setup:permission_sets")
NEW = reverse("setup:permission_set_new")


@pytest.fixture
def inviters(db) -> PermissionSet:
    return PermissionSet.objects.create(
        label="Chatter Customer Inviters",
        api_name="Chatter_Customer_Inviters",
        description="May invite customers.",
        permissions=[Perm.INVITE_CUSTOMERS.value],
    )


def detail(permission_set: PermissionSet) -> str:
    return reverse("setup:permission_set_detail", args=[permission_set.pk])


def edit(permission_set: PermissionSet) -> str:
    return reverse("setup:permission_set_edit", args=[permission_set.pk])


def test_list_shows_label_api_name_and_assigned_users(admin_client, inviters):
    PermissionSetAssignment.objects.create(user=UserFactory(), permission_set=inviters)

    html = admin_client.get(LIST).content.decode()

    assert "<h1>Permission Sets</h1>" in html
    assert f'<a href="{detail(inviters)}">Chatter Customer Inviters</a>' in html
    assert "<td>Chatter_Customer_Inviters</td>" in html
    assert "<td>1</td>" in html
    assert f'href="{NEW}">New</a>' in html


def test_new_form_has_label_api_name_description_and_permissions(admin_client):
    html = admin_client.get(NEW).content.decode()

    assert "<h1>New Permission Set</h1>" in html
    for label in ("Label", "API Name", "Description", *(perm.label for perm in Perm)):
        assert label in labels(html), label


def test_admin_creates_a_permission_set_and_it_is_audited(admin_client, admin_user):
    response = admin_client.post(
        NEW,
        {
            "label": "User Managers",
            "api_name": "User_Managers",
            "description": "Manage users.",
            "permissions": [Perm.MANAGE_USERS.value],
        },
    )

    created = PermissionSet.objects.get(api_name="User_Managers")
    assert response.status_code == 302
    assert response.url == detail(created)
    assert (created.label, created.description) == ("User Managers", "Manage users.")
    assert created.permissions == [Perm.MANAGE_USERS.value]
    event = AuditEvent.objects.get()
    assert (event.actor, event.action, event.new_value) == (
        admin_user,
        "permission_set.created",
        "Manage Users",
    )


@pytest.mark.parametrize("api_name", ["User Managers", "1Set", "Bad__Name", "Trailing_", ""])
def test_malformed_api_name_is_refused_and_nothing_is_written(admin_client, api_name):
    response = admin_client.post(NEW, {"label": "User Managers", "api_name": api_name})

    assert response.status_code == 200
    assert control(response.content, "API Name")["aria-invalid"] == "true"
    assert not PermissionSet.objects.exists()
    assert not AuditEvent.objects.exists()


def test_api_name_must_be_unique_ignoring_case(admin_client, inviters):
    response = admin_client.post(NEW, {"label": "Copy", "api_name": "chatter_customer_inviters"})

    assert "already exists" in response.content.decode()
    assert PermissionSet.objects.count() == 1


def test_detail_shows_permissions_as_labelled_checkboxes_and_users(admin_client, inviters):
    nora = UserFactory(first_name="Nora", last_name="Patel")
    PermissionSetAssignment.objects.create(user=nora, permission_set=inviters)

    html = admin_client.get(detail(inviters)).content.decode()

    assert "<h1>Permission Set: Chatter Customer Inviters</h1>" in html
    assert is_checked(html, "Invite Customers To Chatter")
    assert not is_checked(html, "Manage Users")
    assert "Nora Patel" in html
    assert '<button type="submit">Save</button>' in html


def test_saving_permissions_on_the_detail_page_is_audited(admin_client, admin_user, inviters):
    chosen = [Perm.INVITE_CUSTOMERS.value, Perm.CREATE_GROUPS.value]

    response = admin_client.post(detail(inviters), {"permissions": chosen})

    assert response.status_code == 302
    inviters.refresh_from_db()
    assert sorted(inviters.permissions) == sorted(chosen)
    assert inviters.label == "Chatter Customer Inviters"
    event = AuditEvent.objects.get()
    assert (event.actor, event.action) == (admin_user, "permission_set.permissions_changed")
    assert event.old_value == "Invite Customers To Chatter"


def test_edit_changes_label_and_description_and_each_change_is_audited(admin_client, inviters):
    response = admin_client.post(
        edit(inviters),
        {
            "label": "Customer Inviters",
            "description": "Invite customers to private groups.",
            "permissions": [Perm.INVITE_CUSTOMERS.value],
        },
    )

    assert response.status_code == 302
    inviters.refresh_from_db()
    assert inviters.label == "Customer Inviters"
    assert inviters.api_name == "Chatter_Customer_Inviters"
    assert sorted(AuditEvent.objects.values_list("old_value", "new_value")) == [
        ("Chatter Customer Inviters", "Customer Inviters"),
        ("May invite customers.", "Invite customers to private groups."),
    ]


def test_edit_form_shows_the_current_values(admin_client, inviters):
    html = admin_client.get(edit(inviters)).content.decode()

    assert control(html, "Label")["value"] == "Chatter Customer Inviters"
    assert is_checked(html, "Invite Customers To Chatter")
    assert "API Name" not in labels(html)  # fixed once created


def test_edit_without_a_label_is_refused(admin_client, inviters):
    response = admin_client.post(edit(inviters), {"label": "", "description": ""})

    assert response.status_code == 200
    inviters.refresh_from_db()
    assert inviters.label == "Chatter Customer Inviters"
    assert not AuditEvent.objects.exists()


def test_unknown_permission_set_is_not_found(admin_client):
    assert (
        admin_client.get(reverse("setup:permission_set_detail", args=[999999])).status_code == 404
    )
    assert admin_client.get(reverse("setup:permission_set_edit", args=[999999])).status_code == 404


def test_standard_user_cannot_see_create_or_change_permission_sets(user_client, inviters):
    assert user_client.get(LIST).status_code == 403
    assert user_client.post(NEW, {"label": "X", "api_name": "X"}).status_code == 403
    response = user_client.post(detail(inviters), {"permissions": [Perm.MANAGE_USERS.value]})

    assert response.status_code == 403
    inviters.refresh_from_db()
    assert inviters.permissions == [Perm.INVITE_CUSTOMERS.value]
    assert PermissionSet.objects.count() == 1
