"""Groups tab, New Group, People tab, profile pages and Home."""

from __future__ import annotations

import pytest
from django.urls import reverse

from groups.models import Group
from tests.factories import (
    CustomerFactory,
    GroupFactory,
    MembershipFactory,
    PostFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


class TestGroupsTab:
    def test_an_internal_user_sees_public_and_private_groups_and_new_group(
        self, login, roles, customer_group, public_group
    ):
        GroupFactory(name="Secret Board", access_type=Group.AccessType.UNLISTED)
        html = login(roles["non_member"]).get(reverse("groups:list")).content.decode()
        assert "Customer Success Council" in html and "All Acme" in html
        assert "Secret Board" not in html
        assert "New Group" in html

    def test_a_customer_sees_only_their_groups_and_no_new_group(
        self, login, customer, public_group
    ):
        html = login(customer).get(reverse("groups:list")).content.decode()
        assert "Customer Success Council" in html and "All Acme" not in html
        assert "New Group" not in html

    def test_my_groups_and_search_filter_the_list(self, login, public_group, customer_group):
        client = login(public_group.member)
        html = client.get(reverse("groups:list"), {"show": "mine"}).content.decode()
        assert "All Acme" in html and "Customer Success Council" not in html
        html = client.get(reverse("groups:list"), {"q": "council"}).content.decode()
        assert "Customer Success Council" in html and "All Acme" not in html

    def test_the_list_is_paginated(self, login, user):
        for n in range(26):
            GroupFactory(name=f"Team {n:02}")
        client = login(user)
        assert "Team 25" not in client.get(reverse("groups:list")).content.decode()
        assert "Team 25" in client.get(reverse("groups:list"), {"page": 2}).content.decode()


class TestNewGroup:
    def test_a_user_with_create_and_own_creates_a_group_and_owns_it(self, login, user):
        response = login(user).post(
            reverse("groups:create"),
            {"name": "Renewals", "access_type": "Private", "allow_customers": "on", "confirm": "1"},
        )
        group = Group.objects.get(name="Renewals")
        assert response["Location"] == reverse("groups:detail", args=[group.pk])
        assert group.allow_customers and group.memberships.get().user == user

    def test_a_customer_is_refused_the_form_and_the_post(self, login, customer):
        client = login(customer)
        assert client.get(reverse("groups:create")).status_code == 403
        response = client.post(reverse("groups:create"), {"name": "X", "access_type": "Public"})
        assert response.status_code == 403
        assert not Group.objects.filter(name="X").exists()

    def test_allow_customers_on_public_is_shown_as_an_error(self, login, user):
        response = login(user).post(
            reverse("groups:create"),
            {"name": "Open", "access_type": "Public", "allow_customers": "on"},
        )
        assert response.status_code == 200
        assert "A group that allows customers can&#x27;t be Public." in response.content.decode()
        assert not Group.objects.exists()

    def test_unlisted_is_offered_only_while_the_org_enables_it(self, login, user, org):
        client = login(user)
        assert 'value="Unlisted"' not in client.get(reverse("groups:create")).content.decode()
        org.enable_unlisted_groups = True
        org.save()
        assert 'value="Unlisted"' in client.get(reverse("groups:create")).content.decode()


class TestPeople:
    def test_an_internal_user_sees_everyone_with_customers_labelled(self, login, roles):
        html = login(roles["non_member"]).get(reverse("groups:people")).content.decode()
        assert roles["customer"].name in html and roles["owner"].name in html
        assert '<span class="badge badge--customer">Customer</span>' in html

    def test_a_customer_sees_only_co_members(self, login, roles):
        html = login(roles["customer"]).get(reverse("groups:people")).content.decode()
        assert roles["owner"].name in html
        assert roles["non_member"].name not in html and roles["admin"].name not in html

    def test_people_are_searchable_by_name(self, login, roles):
        # A name no other part of anyone's name or username contains (a generated "Le"
        # would match every "…@acme.example" username).
        roles["customer"].last_name = "Quixotica"
        roles["customer"].save(update_fields=["last_name"])
        html = (
            login(roles["owner"]).get(reverse("groups:people"), {"q": "quixotica"}).content.decode()
        )
        assert roles["customer"].name in html and roles["non_member"].name not in html


class TestProfile:
    def test_a_profile_shows_name_title_company_and_shared_groups(self, login, roles, public_group):
        person = roles["owner"]
        person.title = "Director"
        person.save()
        html = (
            login(roles["non_member"])
            .get(reverse("groups:profile", args=[person.pk]))
            .content.decode()
        )
        assert person.name in html and "Director" in html and person.company_name in html
        assert "Customer Success Council" in html

    def test_a_customers_profile_carries_the_customer_label(self, login, roles):
        html = (
            login(roles["owner"])
            .get(reverse("groups:profile", args=[roles["customer"].pk]))
            .content.decode()
        )
        assert '<span class="badge badge--customer">Customer</span>' in html

    def test_a_customer_gets_404_for_a_profile_outside_their_groups(self, login, roles):
        client = login(roles["customer"])
        for user_id in (roles["non_member"].pk, CustomerFactory().pk, 999_999):
            assert client.get(reverse("groups:profile", args=[user_id])).status_code == 404
        assert client.get(reverse("groups:profile", args=[roles["owner"].pk])).status_code == 200

    def test_a_customer_sees_on_a_profile_only_groups_they_share(self, login, roles, public_group):
        MembershipFactory(group=public_group, user=roles["owner"])
        html = (
            login(roles["customer"])
            .get(reverse("groups:profile", args=[roles["owner"].pk]))
            .content.decode()
        )
        assert "Customer Success Council" in html and "All Acme" not in html


class TestHome:
    def test_home_lists_my_groups_and_recent_posts_in_them(self, login, roles, public_group):
        PostFactory(group=public_group, body="Public news")
        customer_group = roles["owner"].memberships.get().group
        PostFactory(group=customer_group, author=roles["owner"], body="Council news")
        html = login(roles["customer"]).get(reverse("home")).content.decode()
        assert "Customer Success Council" in html and "Council news" in html
        assert "Public news" not in html and "All Acme" not in html
        assert "Private With Customers &middot; 4 members" in html

    def test_home_invites_a_groupless_user_to_find_a_group(self, login):
        html = login(UserFactory()).get(reverse("home")).content.decode()
        assert "You aren't a member of any group yet." in html
