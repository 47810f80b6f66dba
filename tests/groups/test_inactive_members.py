"""Deactivated users stay on member lists, marked "Inactive", and are not counted."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from groups import selectors
from tests.factories import CustomerFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

INACTIVE = '<span class="badge badge--warn">Inactive</span>'


@pytest.fixture
def raj(customer_group):
    """A deactivated customer who is still a member of the group (three active members)."""
    user = CustomerFactory(first_name="Raj", last_name="Patel", is_active=False)
    MembershipFactory(group=customer_group, user=user)
    return user


def _html(client, user, url: str) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _marked(html: str, name: str) -> bool:
    """``name``'s link is followed by the Inactive badge (the customer badge may come between)."""
    pattern = rf">{name}</a>( ?<span[^>]*>Customer</span>)? ?{INACTIVE}"
    return re.search(pattern, html) is not None


def test_the_group_page_marks_a_deactivated_member_and_does_not_count_them(
    client, customer_group, raj
):
    html = _html(client, customer_group.member, reverse("groups:detail", args=[customer_group.pk]))

    assert "Members (3)" in html
    assert _marked(html, "Raj Patel")
    assert html.count(INACTIVE) == 1


@pytest.mark.parametrize("page", ["groups:members", "groups:roles"])
def test_the_members_and_roles_pages_mark_a_deactivated_member_and_do_not_count_them(
    client, customer_group, raj, page
):
    html = _html(client, customer_group.owner, reverse(page, args=[customer_group.pk]))

    assert "Members (3)" in html
    assert _marked(html, "Raj Patel")
    assert html.count(INACTIVE) == 1


def test_the_groups_list_and_home_do_not_count_deactivated_members(client, customer_group, raj):
    deactivated = UserFactory(is_active=False)
    MembershipFactory(group=customer_group, user=deactivated)

    listed = _html(client, customer_group.member, reverse("groups:list"))
    home = _html(client, customer_group.member, reverse("home"))

    row = listed[listed.index("Customer Success Council") :]
    assert re.search(r"<td>Private With Customers</td>\s*<td>3</td>", row)
    assert "3 members" in home


def test_the_member_page_pages_every_membership_and_counts_the_active_ones(customer_group, raj):
    page = selectors.group_members(customer_group)

    assert page.paginator.count == 4
    assert page.paginator.active_count == 3
    assert raj.pk in [membership.user_id for membership in page]
