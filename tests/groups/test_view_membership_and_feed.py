"""Join, leave, ask to join, accept, decline, post, comment, delete a post (over HTTP)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from groups.models import Comment, JoinRequest, Post
from tests.factories import CustomerFactory, PostFactory, UserFactory

pytestmark = pytest.mark.django_db


def _url(name: str, *args: int) -> str:
    return reverse(f"groups:{name}", args=args)


class TestJoinAndLeave:
    def test_an_internal_user_joins_a_public_group(self, login, public_group):
        joiner = UserFactory()
        response = login(joiner).post(_url("join", public_group.pk))
        assert response.status_code == 302
        assert public_group.memberships.filter(user=joiner).exists()

    def test_joining_is_post_only(self, login, public_group):
        joiner = UserFactory()
        assert login(joiner).get(_url("join", public_group.pk)).status_code == 405
        assert not public_group.memberships.filter(user=joiner).exists()

    def test_a_private_group_cannot_be_joined_directly(self, login, roles, customer_group):
        response = login(roles["non_member"]).post(_url("join", customer_group.pk))
        assert response.status_code == 403
        assert not customer_group.memberships.filter(user=roles["non_member"]).exists()

    def test_a_customer_cannot_even_find_a_public_group_to_join(
        self, login, customer, public_group
    ):
        assert login(customer).post(_url("join", public_group.pk)).status_code == 404
        assert not public_group.memberships.filter(user=customer).exists()

    def test_a_member_leaves(self, login, customer_group):
        response = login(customer_group.member).post(_url("leave", customer_group.pk))
        assert response.status_code == 302
        assert not customer_group.memberships.filter(user=customer_group.member).exists()

    def test_the_owner_is_told_to_transfer_ownership_first(self, login, customer_group):
        response = login(customer_group.owner).post(_url("leave", customer_group.pk), follow=True)
        assert "Transfer ownership before you leave the group." in response.content.decode()
        assert customer_group.memberships.filter(user=customer_group.owner).exists()

    @pytest.mark.parametrize("who", ["non_member", "admin"])
    def test_non_members_cannot_leave(self, login, roles, customer_group, who):
        assert login(roles[who]).post(_url("leave", customer_group.pk)).status_code == 403


class TestJoinRequests:
    def test_an_outsider_asks_to_join_a_private_group(self, login, roles, customer_group):
        response = login(roles["non_member"]).post(_url("ask_to_join", customer_group.pk))
        assert response.status_code == 302
        assert JoinRequest.objects.get().user == roles["non_member"]

    @pytest.mark.parametrize("who", ["member", "customer"])
    def test_members_cannot_ask_to_join(self, login, roles, customer_group, who):
        assert login(roles[who]).post(_url("ask_to_join", customer_group.pk)).status_code == 403
        assert not JoinRequest.objects.exists()

    @pytest.mark.parametrize("who", ["owner", "manager", "admin"])
    def test_managers_accept_a_request(self, login, roles, customer_group, who):
        request = JoinRequest.objects.create(group=customer_group, user=roles["non_member"])
        response = login(roles[who]).post(_url("accept", customer_group.pk, request.pk))
        assert response.status_code == 302
        assert customer_group.memberships.filter(user=roles["non_member"]).exists()

    @pytest.mark.parametrize("action", ["accept", "decline"])
    @pytest.mark.parametrize("who", ["member", "customer"])
    def test_others_cannot_answer_requests_and_nothing_is_written(
        self, login, roles, customer_group, who, action
    ):
        request = JoinRequest.objects.create(group=customer_group, user=roles["non_member"])
        response = login(roles[who]).post(_url(action, customer_group.pk, request.pk))
        assert response.status_code == 403
        request.refresh_from_db()
        assert request.status == "Pending"
        assert not customer_group.memberships.filter(user=roles["non_member"]).exists()

    def test_managers_decline_a_request(self, login, roles, customer_group):
        request = JoinRequest.objects.create(group=customer_group, user=roles["non_member"])
        login(roles["manager"]).post(_url("decline", customer_group.pk, request.pk))
        request.refresh_from_db()
        assert request.status == "Declined"
        assert not customer_group.memberships.filter(user=roles["non_member"]).exists()

    def test_a_request_of_another_group_is_404(self, login, roles, customer_group, public_group):
        other = JoinRequest.objects.create(group=public_group, user=roles["non_member"])
        response = login(roles["owner"]).post(_url("accept", customer_group.pk, other.pk))
        assert response.status_code == 404


class TestFeed:
    @pytest.mark.parametrize("who", ["owner", "member", "customer"])
    def test_members_share_a_post(self, login, roles, customer_group, who):
        response = login(roles[who]).post(_url("post", customer_group.pk), {"body": "Hello"})
        assert response.status_code == 302
        assert Post.objects.get().author == roles[who]

    @pytest.mark.parametrize("who", ["non_member", "admin"])
    def test_non_members_cannot_post(self, login, roles, customer_group, who):
        response = login(roles[who]).post(_url("post", customer_group.pk), {"body": "Hello"})
        assert response.status_code == 403
        assert not Post.objects.exists()

    def test_an_empty_post_is_refused_with_a_message(self, login, customer_group):
        response = login(customer_group.member).post(
            _url("post", customer_group.pk), {"body": "  "}, follow=True
        )
        assert "Write something first." in response.content.decode()
        assert not Post.objects.exists()

    def test_a_customer_posting_elsewhere_gets_404(self, login, customer, public_group):
        assert login(customer).post(_url("post", public_group.pk), {"body": "Hi"}).status_code == (
            404
        )
        assert not Post.objects.exists()

    @pytest.mark.parametrize("who", ["manager", "customer"])
    def test_members_comment(self, login, roles, customer_group, who):
        post = PostFactory(group=customer_group, author=customer_group.owner)
        response = login(roles[who]).post(_url("comment", post.pk), {"body": "Nice"})
        assert response.status_code == 302
        assert post.comments.get().author == roles[who]

    def test_outsiders_of_a_private_group_cannot_see_its_posts(self, login, roles, customer_group):
        post = PostFactory(group=customer_group, author=customer_group.owner)
        response = login(roles["non_member"]).post(_url("comment", post.pk), {"body": "Hi"})
        assert response.status_code == 404
        assert not Comment.objects.exists()
        outsider = CustomerFactory()
        assert login(outsider).post(_url("post_delete", post.pk)).status_code == 404

    def test_an_admin_sees_but_cannot_comment(self, login, roles, customer_group):
        post = PostFactory(group=customer_group, author=customer_group.owner)
        assert login(roles["admin"]).post(_url("comment", post.pk), {"body": "Hi"}).status_code == (
            403
        )
        assert not Comment.objects.exists()

    def test_the_author_and_managers_delete_posts_but_not_other_members(
        self, login, roles, customer_group
    ):
        post = PostFactory(group=customer_group, author=roles["customer"])
        assert login(roles["member"]).post(_url("post_delete", post.pk)).status_code == 403
        assert Post.objects.filter(pk=post.pk).exists()
        assert login(roles["manager"]).post(_url("post_delete", post.pk)).status_code == 302
        assert not Post.objects.filter(pk=post.pk).exists()

    def test_a_delete_link_shows_only_where_allowed(self, login, roles, customer_group):
        PostFactory(group=customer_group, author=roles["customer"])
        assert (
            ">Delete</button>"
            not in login(roles["member"]).get(_url("detail", customer_group.pk)).content.decode()
        )
        assert (
            ">Delete</button>"
            in login(roles["customer"]).get(_url("detail", customer_group.pk)).content.decode()
        )
