"""post_create, comment_create, post_delete."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from groups.actions import comment_create, post_create, post_delete
from groups.models import Comment, Group, Post
from tests.factories import CommentFactory, PostFactory

pytestmark = pytest.mark.django_db


class TestPostCreate:
    @pytest.mark.parametrize("who", ["owner", "manager", "member", "customer"])
    def test_members_post(self, roles, customer_group, who):
        post = post_create(actor=roles[who], group=customer_group, body="  Hello  ")
        assert Post.objects.get(pk=post.pk).body == "Hello"

    @pytest.mark.parametrize("who", ["non_member", "admin"])
    def test_non_members_cannot_post_and_nothing_is_written(self, roles, customer_group, who):
        with pytest.raises(PermissionDenied):
            post_create(actor=roles[who], group=customer_group, body="Hello")
        assert not Post.objects.exists()

    def test_an_empty_post_is_refused(self, customer_group):
        with pytest.raises(ValidationError) as exc:
            post_create(actor=customer_group.member, group=customer_group, body="   ")
        assert exc.value.message_dict == {"body": ["Write something first."]}
        assert not Post.objects.exists()

    def test_only_owner_and_managers_post_in_a_broadcast_only_group(self, customer_group):
        Group.objects.filter(pk=customer_group.pk).update(broadcast_only=True)
        customer_group.refresh_from_db()
        post_create(actor=customer_group.manager, group=customer_group, body="News")
        with pytest.raises(PermissionDenied):
            post_create(actor=customer_group.member, group=customer_group, body="Me too")
        assert list(Post.objects.values_list("body", flat=True)) == ["News"]

    def test_nobody_posts_in_an_archived_group(self, customer_group):
        Group.objects.filter(pk=customer_group.pk).update(is_archived=True)
        customer_group.refresh_from_db()
        with pytest.raises(PermissionDenied):
            post_create(actor=customer_group.owner, group=customer_group, body="Still here?")
        assert not Post.objects.exists()


class TestCommentCreate:
    @pytest.mark.parametrize("who", ["owner", "member", "customer"])
    def test_members_comment(self, roles, customer_group, who):
        post = PostFactory(group=customer_group, author=customer_group.owner)
        comment_create(actor=roles[who], post=post, body="Agreed")
        assert post.comments.get().author == roles[who]

    @pytest.mark.parametrize("who", ["non_member", "admin"])
    def test_non_members_cannot_comment_and_nothing_is_written(self, roles, customer_group, who):
        post = PostFactory(group=customer_group, author=customer_group.owner)
        with pytest.raises(PermissionDenied):
            comment_create(actor=roles[who], post=post, body="Agreed")
        assert not Comment.objects.exists()


class TestPostDelete:
    @pytest.mark.parametrize("who", ["owner", "manager", "admin"])
    def test_owner_managers_and_admins_delete_anyones_post(self, roles, customer_group, who):
        post = PostFactory(group=customer_group, author=roles["customer"])
        CommentFactory(post=post)
        post_delete(actor=roles[who], post=post)
        assert not Post.objects.exists() and not Comment.objects.exists()

    def test_the_author_deletes_their_own_post(self, roles, customer_group):
        post = PostFactory(group=customer_group, author=roles["customer"])
        post_delete(actor=roles["customer"], post=post)
        assert not Post.objects.exists()

    @pytest.mark.parametrize("who", ["member", "customer", "non_member"])
    def test_others_cannot_delete_a_post_and_nothing_is_written(self, roles, customer_group, who):
        post = PostFactory(group=customer_group, author=customer_group.manager)
        with pytest.raises(PermissionDenied):
            post_delete(actor=roles[who], post=post)
        assert Post.objects.filter(pk=post.pk).exists()
