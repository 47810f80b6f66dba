"""Ticking "Allow Customers" (New Group, Edit Group) asks first; locked settings show why.

Allow Customers can never be undone, so its POST without ``confirm=1`` answers with
a confirm page that posts the same form again; nothing is written before that.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from chatterorg.models import AuditEvent
from groups.models import Group

pytestmark = pytest.mark.django_db

NEW = reverse("groups:create")


def edit(group: Group) -> str:
    return reverse("groups:edit", args=[group.pk])


def _form(group: Group, **changes) -> dict[str, str]:
    data = {
        "name": group.name,
        "description": group.description,
        "access_type": group.access_type,
        "allow_customers": "on" if group.allow_customers else "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def _hidden_fields(html: str) -> dict[str, str]:
    fields = {}
    for tag in re.findall(r'<input type="hidden"[^>]*>', html):
        attrs = dict(re.findall(r'(\w+)="([^"]*)"', tag))
        if attrs["name"] != "csrfmiddlewaretoken":
            fields[attrs["name"]] = attrs["value"]
    return fields


@pytest.fixture
def private_group(public_group) -> Group:
    Group.objects.filter(pk=public_group.pk).update(access_type=Group.AccessType.PRIVATE)
    public_group.refresh_from_db()
    return public_group


class TestEditGroupTicksAllowCustomers:
    def test_the_owner_is_asked_first_and_nothing_changes(self, login, private_group):
        response = login(private_group.owner).post(
            edit(private_group), _form(private_group, allow_customers="on", description="New")
        )
        html = response.content.decode()

        assert response.status_code == 200
        assert f'<h1 id="confirm-title">Allow customers in {private_group.name}?</h1>' in html
        assert f'action="{edit(private_group)}"' in html
        assert "can&#x27;t be turned off once it&#x27;s on" in html
        assert _hidden_fields(html) == {
            **_form(private_group, allow_customers="on", description="New"),
            "confirm": "1",
        }
        saved = Group.objects.get(pk=private_group.pk)
        assert not saved.allow_customers and saved.description != "New"
        assert not AuditEvent.objects.exists()

    def test_the_confirm_page_saves_the_change(self, login, private_group):
        client = login(private_group.owner)
        page = client.post(edit(private_group), _form(private_group, allow_customers="on"))

        response = client.post(edit(private_group), _hidden_fields(page.content.decode()))

        assert response.status_code == 302
        assert Group.objects.get(pk=private_group.pk).allow_customers

    def test_a_refused_change_shows_the_error_not_the_confirm_page(self, login, public_group):
        response = login(public_group.owner).post(
            edit(public_group), _form(public_group, allow_customers="on")
        )
        html = response.content.decode()
        assert "A group that allows customers can&#x27;t be Public." in html
        assert "confirm-title" not in html
        assert not Group.objects.get(pk=public_group.pk).allow_customers

    def test_a_member_is_refused_before_any_confirm_page(self, login, private_group):
        response = login(private_group.member).post(
            edit(private_group), _form(private_group, allow_customers="on")
        )
        assert response.status_code == 403

    def test_the_form_asks_in_a_modal_too(self, login, private_group):
        html = login(private_group.owner).get(edit(private_group)).content.decode()
        assert 'data-confirm-on="id_allow_customers"' in html
        assert '<template id="allow-customers-confirm">' in html


class TestNewGroupWithAllowCustomers:
    def test_the_creator_is_asked_first_and_no_group_is_created(self, login, user):
        response = login(user).post(
            NEW, {"name": "Renewals", "access_type": "Private", "allow_customers": "on"}
        )
        html = response.content.decode()
        assert '<h1 id="confirm-title">Allow customers in Renewals?</h1>' in html
        assert f'action="{NEW}"' in html
        assert not Group.objects.filter(name="Renewals").exists()

    def test_without_allow_customers_no_confirmation_is_needed(self, login, user):
        response = login(user).post(NEW, {"name": "Renewals", "access_type": "Private"})
        assert response.status_code == 302
        assert Group.objects.filter(name="Renewals").exists()


class TestLockedSettings:
    def test_a_group_with_customers_shows_access_type_and_allow_customers_locked(
        self, login, customer_group
    ):
        html = login(customer_group.owner).get(edit(customer_group)).content.decode()

        assert re.search(r'<input type="checkbox" name="allow_customers"[^>]* disabled', html)
        public = r'<input type="radio" name="access_type" value="Public"[^>]* disabled'
        assert re.search(public, html)
        assert "A group that allows customers can&#x27;t be Public." in html
        assert "Allow Customers can&#x27;t be turned off." in html
        assert 'class="co-locked"' in html
        # The saved values are posted in place of the disabled controls.
        assert '<input type="hidden" name="allow_customers" value="on">' in html
        assert '<input type="hidden" name="access_type" value="Private">' in html
        assert "data-confirm-on" not in html

    def test_saving_the_form_as_shown_keeps_the_locked_settings(self, login, customer_group):
        client = login(customer_group.owner)
        data = {"name": customer_group.name, "description": "Updated"}
        data.update(_hidden_fields(client.get(edit(customer_group)).content.decode()))

        response = client.post(edit(customer_group), data)

        assert response.status_code == 302
        saved = Group.objects.get(pk=customer_group.pk)
        assert saved.description == "Updated" and saved.allow_customers
        assert saved.access_type == Group.AccessType.PRIVATE

    def test_a_group_without_customers_has_nothing_locked(self, login, public_group):
        html = login(public_group.owner).get(edit(public_group)).content.decode()
        assert "co-locked" not in html
        assert " disabled" not in html

    def test_the_labels_have_no_colons(self, login, public_group):
        html = login(public_group.owner).get(edit(public_group)).content.decode()
        assert ">Name</label>" in html
        assert ":</label>" not in html and ":</legend>" not in html
