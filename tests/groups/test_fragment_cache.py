"""The group page's cached feed and members card: every change shows on the next request.

Two processes that share one database are two web workers, each with its own
local-memory cache: here each "process" is a cache of its own (a distinct
local-memory location). Process A renders the page and keeps its fragments,
process B makes the change through the action, and process A's next request
must show it: the change bumped a version in the database, so A's cached
fragments are under keys nobody asks for any more.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import contextmanager

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from accounts.actions import user_update_internal
from chatterorg.actions import org_settings_update
from groups import actions
from groups.models import Comment, Group, Membership, Post
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _processes_start_empty():
    # The "processes'" caches outlive a test; a later test's group may have the same id.
    for name in ("a", "b"):
        with process(name):
            from django.core.cache import cache

            cache.clear()


@contextmanager
def process(name: str):
    with override_settings(
        CACHES={
            "default": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": f"test-process-{name}",
            }
        }
    ):
        yield


def _page(client: Client, group: Group) -> str:
    response = client.get(reverse("groups:detail", args=[group.pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def scene(customer_group, admin_user):
    return group_scene(customer_group, admin_user)


def group_scene(customer_group, admin_user):
    """The customer group with a post by the member (with a comment), seen by its manager."""
    post = Post.objects.create(group=customer_group, author=customer_group.member, body="First!")
    Comment.objects.create(post=post, author=customer_group.owner, body="Welcome")
    customer_group.post = post
    customer_group.admin = admin_user
    return customer_group


def _post_created(g):
    actions.post_create(actor=g.owner, group=g, body="A brand new post")
    return "A brand new post", True


def _comment_created(g):
    actions.comment_create(actor=g.owner, post=g.post, body="A fresh comment")
    return "A fresh comment", True


def _post_deleted(g):
    actions.post_delete(actor=g.owner, post=Post.objects.get(pk=g.post.pk))
    return "First!", False


def _member_added(g):
    actions.membership_add(actor=g.owner, group=g, user=UserFactory(last_name="Newcomer"))
    return "Newcomer", True


def _member_removed(g):
    membership = Membership.objects.select_related("user", "group").get(group=g, user=g.member)
    actions.membership_remove(actor=g.owner, membership=membership)
    return "Members (2)", True


def _role_changed(g):
    membership = Membership.objects.select_related("user", "group").get(group=g, user=g.member)
    actions.membership_set_role(actor=g.owner, membership=membership, role="Manager")
    return '<span class="badge">Manager</span>', 2


def _ownership_transferred(g):
    actions.group_transfer_ownership(actor=g.owner, group=g, new_owner=g.manager)
    return re.compile(
        re.escape(f"{g.manager.name}</a>") + r'\s*<span class="badge">Owner</span>'
    ), 1


def _member_left(g):
    actions.group_leave(actor=g.member, group=g)
    return "Members (2)", True


def _user_renamed(g):
    user_update_internal(actor=g.admin, user=g.member, last_name="Renamed")
    return "Renamed", True


def _user_deactivated(g):
    user_update_internal(actor=g.admin, user=g.member, is_active=False)
    return "Inactive</span>", True


def _group_archived(g):
    actions.group_update(actor=g.owner, group=Group.objects.get(pk=g.pk), is_archived=True)
    return "Delete post by", False


CHANGES: dict[str, Callable] = {
    "post created": _post_created,
    "comment created": _comment_created,
    "post deleted": _post_deleted,
    "member added": _member_added,
    "member removed": _member_removed,
    "role changed": _role_changed,
    "ownership transferred": _ownership_transferred,
    "member left": _member_left,
    "user renamed": _user_renamed,
    "user deactivated": _user_deactivated,
    "group archived (who may delete posts)": _group_archived,
}


def _shows(html: str, text: str | re.Pattern[str], expected: bool | int) -> bool:
    """``expected``: True (shown), False (not shown) or how many times."""
    found = len(text.findall(html)) if isinstance(text, re.Pattern) else html.count(text)
    if isinstance(expected, bool):
        return bool(found) == expected
    return found == expected


@pytest.mark.parametrize("change", CHANGES, ids=list(CHANGES))
def test_every_change_shows_on_the_next_request_of_another_process(client, scene, change):
    client.force_login(scene.manager)
    with process("a"):
        before = _page(client, scene)
    with process("b"):
        _page(client, scene)
        text, expected = CHANGES[change](scene)

    with process("a"):
        after = _page(client, scene)

    assert not _shows(before, text, expected)
    assert _shows(after, text, expected)


def test_a_cached_page_is_the_same_page(client, scene):
    client.force_login(scene.manager)
    first = _page(client, scene)
    second = _page(client, scene)

    assert second == first.replace(_token(first), _token(second))
    assert "First!" in second


def _token(html: str) -> str:
    marker = 'name="csrfmiddlewaretoken" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def test_csrf_tokens_are_the_viewers_own_never_the_cached_ones(scene):
    owner, member = Client(), Client()
    owner.force_login(scene.owner)
    member.force_login(scene.member)
    owner_page = _page(owner, scene)
    member_page = _page(member, scene)

    # Every form of the page carries its viewer's token, the cached fragments' too.
    assert set(_tokens(owner_page)) == {_token(owner_page)}
    assert set(_tokens(member_page)) == {_token(member_page)}
    assert "<!--csrf-->" not in owner_page + member_page
    response = member.post(
        reverse("groups:comment", args=[scene.post.pk]),
        {"body": "Posted from the cached form", "csrfmiddlewaretoken": _token(member_page)},
    )
    assert response.status_code == 302


def _tokens(html: str) -> list[str]:
    marker = 'name="csrfmiddlewaretoken" value="'
    return [part.split('"', 1)[0] for part in html.split(marker)[1:]]


def test_delete_links_are_per_viewer_never_shared(scene):
    # The member may delete their own post only; another member none.
    other = MembershipFactory(group=scene).user
    author, bystander = Client(), Client()
    author.force_login(scene.member)
    bystander.force_login(other)
    Post.objects.create(group=scene, author=other, body="Bystander's post")

    author_page = _page(author, scene)
    bystander_page = _page(bystander, scene)

    assert author_page.count("Delete post by") == 1
    assert bystander_page.count("Delete post by") == 1
    assert f"Delete post by {scene.member.name}" in author_page
    assert f"Delete post by {other.name}" in bystander_page


def test_the_org_settings_change_the_fragments_keys(client, scene):
    client.force_login(scene.manager)
    response = client.get(reverse("groups:detail", args=[scene.pk]))
    before = response.context["fragment_keys"]

    org_settings_update(actor=scene.admin, enable_unlisted_groups=True)
    after = client.get(reverse("groups:detail", args=[scene.pk])).context["fragment_keys"]

    assert before["feed"] != after["feed"] and before["members"] != after["members"]


def test_a_query_string_with_anything_else_is_not_cached(client, scene, django_assert_num_queries):
    client.force_login(scene.manager)
    url = reverse("groups:detail", args=[scene.pk]) + "?utm=1"
    client.get(url)
    # Nothing kept: the feed and the members are read again (11 queries, no versions read).
    with django_assert_num_queries(11):
        client.get(url)


def test_member_counts_follow_every_membership_change_and_deactivation(client, scene, admin_user):
    from groups.selectors import member_counts

    assert member_counts([scene.pk]) == {scene.pk: (3, 3)}
    actions.membership_add(actor=scene.owner, group=scene, user=UserFactory())
    assert member_counts([scene.pk]) == {scene.pk: (4, 4)}
    user_update_internal(actor=admin_user, user=scene.member, is_active=False)
    assert member_counts([scene.pk]) == {scene.pk: (4, 3)}
    actions.group_leave(actor=scene.manager, group=scene)
    assert member_counts([scene.pk]) == {scene.pk: (3, 2)}
