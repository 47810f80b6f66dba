"""Home's cached "Recent Posts in My Groups": every change it shows is there on the next
request, in another process too.

As in test_fragment_cache: each "process" is a local-memory cache of its own. Process
A renders Home and keeps the fragment, process B makes the change through the
action, and A's next Home must show it.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from groups import actions
from groups.models import Group, Membership, Post
from tests.factories import GroupFactory, MembershipFactory
from tests.groups import test_fragment_cache as group_page
from tests.groups.test_fragment_cache import group_scene, process

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _processes_start_empty():
    for name in ("a", "b"):
        with process(name):
            from django.core.cache import cache

            cache.clear()


def _recent_posts(client: Client) -> str:
    response = client.get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    return html[html.index('<section aria-labelledby="recent-heading">') :].split("</section>")[0]


@pytest.fixture
def scene(customer_group, admin_user):
    return home_scene(customer_group, admin_user)


def home_scene(customer_group, admin_user):
    """The manager's Home: the group page's scene (a post by the member with a comment in
    the customer group), and another group with a post, which the manager is not (yet) in."""
    scene = group_scene(customer_group, admin_user)
    other = GroupFactory(name="Field Marketing")
    owner = MembershipFactory(group=other, role=Membership.Role.OWNER).user
    Post.objects.create(group=other, author=owner, body="Campaign kickoff")
    scene.other = other
    scene.other_owner = owner
    return scene


def _comment_created(g):
    actions.comment_create(actor=g.owner, post=g.post, body="Another comment")
    return "2 comments", True


def _group_renamed(g):
    actions.group_update(actor=g.owner, group=Group.objects.get(pk=g.pk), name="Customer Circle")
    return "Customer Circle", True


def _viewer_added_to_a_group(g):
    actions.membership_add(actor=g.other_owner, group=g.other, user=g.manager)
    return "Campaign kickoff", True


def _viewer_left_the_group(g):
    actions.group_leave(actor=g.manager, group=Group.objects.get(pk=g.pk))
    return "First!", False


CHANGES: dict[str, Callable] = {
    # The group page's own changes, and the ones only Home shows.
    "post created": group_page.CHANGES["post created"],
    "comment created": _comment_created,
    "post deleted": group_page.CHANGES["post deleted"],
    "author renamed": group_page.CHANGES["user renamed"],
    "group renamed": _group_renamed,
    "viewer added to a group": _viewer_added_to_a_group,
    "viewer left the group": _viewer_left_the_group,
}


@pytest.mark.parametrize("change", CHANGES, ids=list(CHANGES))
def test_every_change_shows_on_the_next_home_of_another_process(client, scene, change):
    client.force_login(scene.manager)
    with process("a"):
        before = _recent_posts(client)
        assert before == _recent_posts(client)  # the second one from the cache
    with process("b"):
        _recent_posts(client)
        text, shown = CHANGES[change](scene)
    with process("a"):
        after = _recent_posts(client)
    assert (text in before) != shown
    assert (text in after) == shown


def test_each_user_has_their_own_recent_posts(client, scene):
    client.force_login(scene.manager)
    assert "First!" in _recent_posts(client)
    client.force_login(scene.other_owner)
    others = _recent_posts(client)
    assert "Campaign kickoff" in others and "First!" not in others
