"""Edit Group, Delete Group, Add/Remove Members, Change Roles: the role matrix over HTTP."""

from __future__ import annotations

import pytest
from django.urls import reverse

from chatterorg.models import AuditEvent
from groups.models import Group, Membership
from tests.factories import CustomerFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

# Expected GET status per page and role on a Private group with customers.
PAGES = {
    "edit":    {"owner": 200, "manager": 200, "admin": 200, "member": 403, "non_member": 403, "customer": 403},  # noqa: E501
    "delete":  {"owner": 200, "manager": 403, "admin": 200, "member": 403, "non_member": 403, "customer": 403},  # noqa: E501
    "members": {"owner": 200, "manager": 200, "admin": 200, "member": 403, "non_member": 403, "customer": 403},  # noqa: E501
    "roles":   {"owner": 200, "manager": 200, "admin": 200, "member": 403, "non_member": 403, "customer": 403},  # noqa: E501
}  # fmt: skip
CASES = [(page, who, status) for page, row in PAGES.items() for who, status in row.items()]


def _owner_select(html: str) -> str:
    start = html.index('id="id_new_owner"')
    return html[start : html.index("</select>", start)]


def _url(name: str, group: Group) -> str:
    return reverse(f"groups:{name}", args=[group.pk])


def _memberships(group: Group) -> set[tuple[int, str]]:
    return set(group.memberships.values_list("user_id", "role"))


@pytest.mark.parametrize("page,who,status", CASES)
def test_each_role_gets_the_management_pages_it_is_allowed(
    login, roles, customer_group, page, who, status
):
    assert login(roles[who]).get(_url(page, customer_group)).status_code == status


@pytest.mark.parametrize("page", PAGES)
def test_a_customer_outside_the_group_gets_404_for_every_management_page(
    login, customer_group, page
):
    outsider = CustomerFactory()
    assert login(outsider).get(_url(page, customer_group)).status_code == 404


class TestEditGroup:
    def _form(self, group: Group, **changes) -> dict:
        data = {
            "name": group.name,
            "description": group.description,
            "information_title": group.information_title,
            "information_text": group.information_text,
            "access_type": group.access_type,
            "allow_customers": "on" if group.allow_customers else "",
            "broadcast_only": "",
        }
        data.update(changes)
        return {k: v for k, v in data.items() if v != ""}

    def test_the_form_has_the_salesforce_labels(self, login, customer_group):
        html = login(customer_group.owner).get(_url("edit", customer_group)).content.decode()
        for label in (
            "Name",
            "Description",
            "Information Title",
            "Information",
            "Access Type",
            "Allow Customers",
            "Broadcast Only",
            "Archived",
        ):
            assert f">{label}" in html
        assert 'value="Unlisted"' not in html

    def test_a_manager_saves_a_change(self, login, customer_group):
        response = login(customer_group.manager).post(
            _url("edit", customer_group), self._form(customer_group, description="Updated")
        )
        assert response.status_code == 302
        assert Group.objects.get(pk=customer_group.pk).description == "Updated"

    def test_clearing_allow_customers_is_refused_with_a_message(self, login, customer_group):
        data = self._form(customer_group, description="Changed too")
        del data["allow_customers"]
        response = login(customer_group.owner).post(_url("edit", customer_group), data)
        assert response.status_code == 200
        assert "Allow Customers can&#x27;t be turned off once it&#x27;s on." in (
            response.content.decode()
        )
        saved = Group.objects.get(pk=customer_group.pk)
        assert saved.allow_customers and saved.description == customer_group.description

    def test_setting_public_is_refused_with_a_message(self, login, customer_group):
        response = login(customer_group.owner).post(
            _url("edit", customer_group), self._form(customer_group, access_type="Public")
        )
        assert response.status_code == 200
        assert 'role="alert"' in response.content.decode()
        assert "A group that allows customers can&#x27;t be Public." in response.content.decode()
        assert Group.objects.get(pk=customer_group.pk).access_type == "Private"
        assert not AuditEvent.objects.exists()

    def test_a_member_posting_the_form_is_refused(self, login, customer_group):
        response = login(customer_group.member).post(
            _url("edit", customer_group), self._form(customer_group, description="Hacked")
        )
        assert response.status_code == 403
        assert Group.objects.get(pk=customer_group.pk).description != "Hacked"


class TestDeleteGroup:
    def test_the_owner_deletes_after_confirming(self, login, customer_group):
        response = login(customer_group.owner).post(_url("delete", customer_group))
        assert response.status_code == 302 and response["Location"] == reverse("groups:list")
        assert not Group.objects.filter(pk=customer_group.pk).exists()

    @pytest.mark.parametrize("who", ["manager", "member", "customer", "non_member"])
    def test_nobody_else_deletes(self, login, roles, customer_group, who):
        assert login(roles[who]).post(_url("delete", customer_group)).status_code == 403
        assert Group.objects.filter(pk=customer_group.pk).exists()


class TestAddRemoveMembers:
    def test_the_search_finds_internal_non_members_by_name_or_username(self, login, customer_group):
        UserFactory(first_name="Quinn", last_name="Zhao", username="qz@acme.example")
        CustomerFactory(first_name="Quinn", last_name="Outsider")
        html = (
            login(customer_group.manager)
            .get(_url("members", customer_group), {"q": "quinn"})
            .content.decode()
        )
        assert "Quinn Zhao" in html and "Quinn Outsider" not in html
        html = (
            login(customer_group.manager)
            .get(_url("members", customer_group), {"q": "qz@acme"})
            .content.decode()
        )
        assert "Quinn Zhao" in html

    @pytest.mark.parametrize("who", ["owner", "manager", "admin"])
    def test_managers_add_a_member(self, login, roles, customer_group, who):
        newcomer = UserFactory()
        response = login(roles[who]).post(_url("member_add", customer_group), {"user": newcomer.pk})
        assert response.status_code == 302
        assert customer_group.memberships.get(user=newcomer).role == "Member"
        assert AuditEvent.objects.filter(action="group.member_added").count() == 1

    @pytest.mark.parametrize("who", ["member", "customer", "non_member"])
    def test_others_posting_add_get_403_and_nothing_is_written(
        self, login, roles, customer_group, who
    ):
        before = _memberships(customer_group)
        response = login(roles[who]).post(
            _url("member_add", customer_group), {"user": UserFactory().pk}
        )
        assert response.status_code == 403
        assert _memberships(customer_group) == before
        assert not AuditEvent.objects.exists()

    def test_a_customer_cannot_be_added_from_this_page(self, login, customer_group):
        outsider = CustomerFactory()
        response = login(customer_group.owner).post(
            _url("member_add", customer_group), {"user": outsider.pk}
        )
        assert response.status_code == 404
        assert not customer_group.memberships.filter(user=outsider).exists()

    def test_managers_remove_a_member(self, login, customer_group):
        membership = customer_group.memberships.get(user=customer_group.member)
        response = login(customer_group.manager).post(
            _url("member_remove", customer_group), {"membership": membership.pk}
        )
        assert response.status_code == 302
        assert not Membership.objects.filter(pk=membership.pk).exists()

    def test_removing_the_owner_is_refused_with_a_message(self, login, customer_group):
        membership = customer_group.memberships.get(user=customer_group.owner)
        client = login(customer_group.manager)
        response = client.post(
            _url("member_remove", customer_group),
            {"membership": membership.pk},
            follow=True,
        )
        assert "The owner can&#x27;t be removed" in response.content.decode()
        assert Membership.objects.filter(pk=membership.pk).exists()

    def test_a_membership_of_another_group_is_404(self, login, customer_group, public_group):
        elsewhere = public_group.memberships.get(user=public_group.member)
        response = login(customer_group.owner).post(
            _url("member_remove", customer_group), {"membership": elsewhere.pk}
        )
        assert response.status_code == 404
        assert Membership.objects.filter(pk=elsewhere.pk).exists()

    def test_customers_are_labelled_in_the_member_table(self, login, roles, customer_group):
        html = login(roles["owner"]).get(_url("members", customer_group)).content.decode()
        assert '<span class="badge badge--customer">Customer</span>' in html


class TestChangeRoles:
    @pytest.mark.parametrize("who", ["owner", "manager", "admin"])
    def test_managers_promote_a_member(self, login, roles, customer_group, who):
        membership = customer_group.memberships.get(user=customer_group.member)
        response = login(roles[who]).post(
            _url("role_set", customer_group), {"membership": membership.pk, "role": "Manager"}
        )
        assert response.status_code == 302
        membership.refresh_from_db()
        assert membership.role == "Manager"

    @pytest.mark.parametrize("who", ["member", "customer", "non_member"])
    def test_others_posting_a_role_get_403_and_nothing_is_written(
        self, login, roles, customer_group, who
    ):
        membership = customer_group.memberships.get(user=customer_group.member)
        before = _memberships(customer_group)
        response = login(roles[who]).post(
            _url("role_set", customer_group), {"membership": membership.pk, "role": "Manager"}
        )
        assert response.status_code == 403
        assert _memberships(customer_group) == before
        assert not AuditEvent.objects.exists()

    def test_only_the_owner_sees_and_uses_ownership_transfer(self, login, customer_group):
        assert (
            "Transfer Ownership"
            in login(customer_group.owner).get(_url("roles", customer_group)).content.decode()
        )
        assert (
            "Transfer Ownership"
            not in login(customer_group.manager).get(_url("roles", customer_group)).content.decode()
        )
        member = customer_group.memberships.get(user=customer_group.member)
        response = login(customer_group.manager).post(
            _url("owner_transfer", customer_group), {"new_owner": member.pk}
        )
        assert response.status_code == 403
        assert customer_group.memberships.get(role="Owner").user == customer_group.owner

    def test_the_owner_transfers_ownership_and_stays_as_manager(self, login, customer_group):
        member = customer_group.memberships.get(user=customer_group.member)
        response = login(customer_group.owner).post(
            _url("owner_transfer", customer_group), {"new_owner": member.pk}
        )
        assert response.status_code == 302
        assert customer_group.memberships.get(role="Owner").user == customer_group.member
        assert customer_group.memberships.get(user=customer_group.owner).role == "Manager"

    def test_transfer_to_a_customer_is_refused_with_a_message(self, login, roles, customer_group):
        membership = customer_group.memberships.get(user=roles["customer"])
        response = login(customer_group.owner).post(
            _url("owner_transfer", customer_group), {"new_owner": membership.pk}, follow=True
        )
        assert "A customer can&#x27;t own a group." in response.content.decode()
        assert customer_group.memberships.get(role="Owner").user == customer_group.owner

    def test_a_large_group_offers_the_first_50_new_owners_and_a_search(
        self, login, customer_group, django_assert_num_queries
    ):
        from groups.selectors import OWNER_CANDIDATES_SHOWN

        client = login(customer_group.owner)
        client.get(_url("roles", customer_group))
        few = len(self._queries(client, customer_group))
        for n in range(OWNER_CANDIDATES_SHOWN + 10):
            MembershipFactory(
                group=customer_group,
                user=UserFactory(first_name="Pat", last_name=f"Candidate{n:03}"),
            )
        with django_assert_num_queries(few):
            html = client.get(_url("roles", customer_group)).content.decode()
        select = _owner_select(html)
        assert select.count("<option") == OWNER_CANDIDATES_SHOWN
        assert 'name="owner_q"' in html and "The list shows the first 50 by name" in html

        found = client.get(_url("roles", customer_group), {"owner_q": "candidate059"})
        html = found.content.decode()
        select = _owner_select(html)
        assert select.count("<option") == 1 and "Pat Candidate059" in select

        none = client.get(_url("roles", customer_group), {"owner_q": "nobody"}).content.decode()
        assert 'id="id_new_owner"' not in none
        assert 'No member of the company matches "nobody".' in none

    @staticmethod
    def _queries(client, group) -> list:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            client.get(_url("roles", group))
        return list(captured)

    def test_customers_are_not_offered_as_new_owners(self, login, roles, customer_group):
        MembershipFactory(group=customer_group, user=CustomerFactory(first_name="Zelda"))
        html = login(customer_group.owner).get(_url("roles", customer_group)).content.decode()
        select = html[
            html.index('id="id_new_owner"') : html.index(
                "</select>", html.index('id="id_new_owner"')
            )
        ]
        assert roles["customer"].name not in select and customer_group.member.name in select
