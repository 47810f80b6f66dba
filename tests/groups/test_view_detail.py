"""The group page: what each role sees (links are shown exactly where allowed)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from groups.models import Group, JoinRequest
from tests.factories import (
    CommentFactory,
    CustomerFactory,
    MembershipFactory,
    PostFactory,
    PrivateCustomerGroupFactory,
)

pytestmark = pytest.mark.django_db

MANAGER_LINKS = ("Add/Remove Members", "Change Roles", "Edit Group")


def _page(login, user, group) -> str:
    response = login(user).get(reverse("groups:detail", args=[group.pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("who", ["owner", "manager", "admin"])
def test_owner_managers_and_admins_see_the_management_links(login, roles, customer_group, who):
    html = _page(login, roles[who], customer_group)
    for label in MANAGER_LINKS:
        assert label in html


@pytest.mark.parametrize("who", ["member", "customer", "non_member"])
def test_members_customers_and_outsiders_see_no_management_link(login, roles, customer_group, who):
    html = _page(login, roles[who], customer_group)
    for label in (*MANAGER_LINKS, "Invite People", "Requests to Join"):
        assert label not in html


def test_the_page_shows_photo_label_description_members_and_customer_badge(
    login, roles, customer_group
):
    html = _page(login, roles["member"], customer_group)
    assert 'class="group-photo group-photo--customers"' in html
    assert "Private With Customers" in html
    assert customer_group.description in html
    assert roles["customer"].name in html
    assert '<span class="badge badge--customer">Customer</span>' in html


def test_a_group_without_customers_has_no_orange_corner(login, public_group):
    html = _page(login, public_group.member, public_group)
    assert "group-photo--customers" not in html and ">Public<" in html


def test_the_feed_shows_posts_newest_first_with_their_comments(login, roles, customer_group):
    PostFactory(group=customer_group, author=roles["owner"], body="Older post")
    newer = PostFactory(group=customer_group, author=roles["customer"], body="Newer post")
    CommentFactory(post=newer, author=roles["manager"], body="A comment")
    html = _page(login, roles["member"], customer_group)
    assert html.index("Newer post") < html.index("A comment") < html.index("Older post")
    assert 'for="id_post_body">Post</label>' in html and ">Share</button>" in html


def test_the_feed_is_paginated(login, roles, customer_group):
    for n in range(21):
        PostFactory(group=customer_group, author=roles["owner"], body=f"Post number {n:02}")
    client = login(roles["member"])
    first = client.get(reverse("groups:detail", args=[customer_group.pk])).content.decode()
    assert "Post number 20" in first and "Post number 00" not in first
    second = client.get(reverse("groups:detail", args=[customer_group.pk]), {"page": 2})
    assert "Post number 00" in second.content.decode()


def test_a_private_group_shows_outsiders_only_its_outside(login, roles, customer_group):
    customer_group.information_text = "Secret information"
    customer_group.save()
    PostFactory(group=customer_group, body="Secret post")
    html = _page(login, roles["non_member"], customer_group)
    assert customer_group.name in html and customer_group.description in html
    assert ">Ask to Join</button>" in html
    for hidden in ("Secret post", "Secret information", roles["member"].name, "Write a post"):
        assert hidden not in html


def test_an_outsider_who_asked_sees_request_pending(login, roles, customer_group):
    JoinRequest.objects.create(group=customer_group, user=roles["non_member"])
    html = _page(login, roles["non_member"], customer_group)
    assert "Request pending" in html and ">Ask to Join</button>" not in html


def test_managers_see_pending_join_requests_with_accept_and_decline(login, roles, customer_group):
    JoinRequest.objects.create(group=customer_group, user=roles["non_member"])
    html = _page(login, roles["manager"], customer_group)
    assert roles["non_member"].name in html
    assert ">Accept</button>" in html and ">Decline</button>" in html


def test_a_public_group_offers_join_group_to_outsiders(login, roles, public_group):
    assert ">Join Group</button>" in _page(login, roles["non_member"], public_group)


def test_a_customer_gets_404_for_any_other_group(login, customer, public_group):
    client = login(customer)
    for group_id in (public_group.pk, PrivateCustomerGroupFactory().pk, 999_999):
        assert client.get(reverse("groups:detail", args=[group_id])).status_code == 404


def test_a_customer_in_no_group_gets_404_for_every_group(login, customer_group):
    client = login(CustomerFactory())
    assert client.get(reverse("groups:detail", args=[customer_group.pk])).status_code == 404


def test_an_unlisted_group_is_404_for_non_members(login, roles):
    group = PrivateCustomerGroupFactory(access_type=Group.AccessType.UNLISTED)
    for who in ("non_member", "admin"):
        response = login(roles[who]).get(reverse("groups:detail", args=[group.pk]))
        assert response.status_code == 404


def test_the_page_needs_a_login(client, customer_group):
    response = client.get(reverse("groups:detail", args=[customer_group.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_member_list_is_paginated_apart_from_the_feed(login, roles, customer_group):
    for _ in range(25):
        MembershipFactory(group=customer_group)
    PostFactory(group=customer_group, author=roles["owner"], body="Only post")
    client = login(roles["member"])
    url = reverse("groups:detail", args=[customer_group.pk])
    first = client.get(url).content.decode()
    assert "Members (29)" in first and "?members_page=2" in first
    second = client.get(url, {"members_page": 2, "page": 1}).content.decode()
    assert "Only post" in second
    assert "?members_page=1&amp;page=1" in second
