"""The global header's search: groups and people the viewer may see, and nothing else."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from groups.models import Group
from tests.factories import CustomerFactory, GroupFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

SEARCH = reverse("groups:search")


def test_the_search_page_needs_a_login(client):
    response = client.get(SEARCH, {"q": "acme"})

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_an_internal_user_finds_public_and_private_groups_and_people(
    login, roles, customer_group, public_group
):
    GroupFactory(name="Acme Secret Board", access_type=Group.AccessType.UNLISTED)
    UserFactory(first_name="Acme", last_name="Tester")

    html = login(roles["non_member"]).get(SEARCH, {"q": "acme"}).content.decode()

    assert "All Acme" in html
    assert "Acme Secret Board" not in html
    assert "Acme Tester" in html


def test_a_customer_finds_only_their_groups_and_co_members(
    login, customer, customer_group, public_group
):
    stranger = UserFactory(first_name="Casey", last_name="Stranger")
    co_member = customer_group.member

    client = login(customer)
    groups_html = client.get(SEARCH, {"q": "c"}).content.decode()
    people_html = client.get(SEARCH, {"q": co_member.last_name}).content.decode()
    stranger_html = client.get(SEARCH, {"q": "Stranger"}).content.decode()

    assert customer_group.name in groups_html
    assert "All Acme" not in groups_html
    assert co_member.name in people_html
    assert stranger.name not in stranger_html
    assert "Nobody matches" in stranger_html


def test_an_empty_search_lists_nothing(login, roles, public_group):
    html = login(roles["non_member"]).get(SEARCH, {"q": "  "}).content.decode()

    assert "All Acme" not in html
    assert "Type a group's or a person's name" in html


def test_the_search_keeps_the_query_in_the_header_box(login, roles):
    html = login(roles["non_member"]).get(SEARCH, {"q": "council"}).content.decode()

    assert 'name="q" aria-label="Search groups and people"' in html
    assert 'value="council"' in html


# 1 session, 2 user with their profile, 3 org (base layout), 4 permission sets (the
# Setup gear), 5 matching groups, 6 matching people: the same whatever the numbers.
SEARCH_QUERIES = 6


@pytest.mark.parametrize("n", [1, 30])
def test_the_search_runs_a_fixed_number_of_queries(client, django_assert_num_queries, n):
    viewer = UserFactory()
    for i in range(n):
        MembershipFactory(group=GroupFactory(name=f"Team {i:02}"), user=viewer)
        CustomerFactory(first_name="Team", last_name=f"Customer {i:02}")
    client.force_login(viewer)

    with django_assert_num_queries(SEARCH_QUERIES):
        response = client.get(SEARCH, {"q": "team"})

    assert response.status_code == 200
    html = response.content.decode()
    assert len(re.findall(r'href="/groups/\d+/"', html)) == min(n, 10)
    assert len(re.findall(r'href="/people/\d+/"', html)) == min(n, 10) + 1  # + the avatar menu
