"""The group page and the groups list run a fixed number of queries (issue §7).

Each test fills the same page with 1 and with 50 members, posts and comments
per post and asserts the very same count.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from groups.models import Comment, Group, JoinRequest, Membership, Post
from tests.factories import CustomerFactory, GroupFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _fill(group: Group, n: int) -> None:
    """``n`` more members (every other one a customer), ``n`` posts, ``n`` comments each."""
    people = [
        (CustomerFactory() if i % 2 and group.allow_customers else UserFactory()) for i in range(n)
    ]
    Membership.objects.bulk_create(
        Membership(group=group, user=p, is_customer=p.is_customer) for p in people
    )
    posts = Post.objects.bulk_create(
        Post(group=group, author=people[i % n], body=f"Post {i}") for i in range(n)
    )
    Comment.objects.bulk_create(
        Comment(post=post, author=people[j % n], body=f"Comment {j}")
        for post in posts
        for j in range(n)
    )
    JoinRequest.objects.bulk_create(JoinRequest(group=group, user=UserFactory()) for _ in range(n))


# Queries for a manager on the group page, in order:
#  1 session, 2 user with their profile, 3 the viewer's membership with the group,
#  4 org (read once per request: the access helper, then the layout), 5 viewer's
#  permission sets ("Modify All Data"), 6 the versions of what the cached fragments
#  show, 7 pending join requests, 8 pending invitations (invitations panel); then,
#  unless the fragments come from the cache: 9 feed posts with authors (one more
#  than the page: no count of the feed), 10 their comments with authors, 11 the
#  versions of the member counts, 12 the member counts (unless cached), 13 member
#  page with users.
MANAGER_PAGE_QUERIES = 13
# The same page again, nothing changed: the feed and the members card are cached.
MANAGER_PAGE_CACHED_QUERIES = MANAGER_PAGE_QUERIES - 5


@pytest.mark.parametrize("n", [1, 50])
def test_the_group_page_runs_a_fixed_number_of_queries_for_a_manager(
    client, customer_group, django_assert_num_queries, n
):
    _fill(customer_group, n)
    client.force_login(customer_group.manager)
    url = reverse("groups:detail", args=[customer_group.pk])
    with django_assert_num_queries(MANAGER_PAGE_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('class="feed-item"') == min(n, 20)
    with django_assert_num_queries(MANAGER_PAGE_CACHED_QUERIES):
        cached = client.get(url)
    assert cached.content.decode().count('class="feed-item"') == min(n, 20)


# A plain member: no join requests and no invitations (7 and 8 above).
MEMBER_PAGE_QUERIES = MANAGER_PAGE_QUERIES - 2


@pytest.mark.parametrize("n", [1, 50])
def test_the_group_page_runs_a_fixed_number_of_queries_for_a_member(
    client, customer_group, django_assert_num_queries, n
):
    _fill(customer_group, n)
    client.force_login(customer_group.member)
    url = reverse("groups:detail", args=[customer_group.pk])
    with django_assert_num_queries(MEMBER_PAGE_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    with django_assert_num_queries(MEMBER_PAGE_QUERIES - 5):
        client.get(url)


# The Groups tab: 1 session, 2 user with their profile, 3 group count, 4 permission
# sets ("New Group"), 5 the page of groups with the viewer's role, 6 the versions of
# their members, 7 their member counts (not when cached), 8 org (base layout).
LIST_QUERIES = 8


@pytest.mark.parametrize("n", [1, 50])
def test_the_groups_list_runs_a_fixed_number_of_queries(client, user, django_assert_num_queries, n):
    for i in range(n):
        group = GroupFactory(name=f"Team {i:02}")
        MembershipFactory(group=group, user=user if i % 2 else UserFactory())
        _fill(group, 2)
    client.force_login(user)
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(reverse("groups:list"))
    assert response.status_code == 200
    with django_assert_num_queries(LIST_QUERIES - 1):
        client.get(reverse("groups:list"))


def _org_of(n: int, user) -> None:
    """An org of ``n`` more people (last names "Last000000"…) and ``n`` more groups of
    ``user``'s, each with ``n`` posts with a comment each."""
    people = UserFactory.create_batch(n, last_name=factory_sequence("Last{:06d}"))
    for i in range(n):
        group = GroupFactory(name=f"Team {i:03}")
        MembershipFactory(group=group, user=user)
        MembershipFactory(group=group, user=people[i])
        posts = Post.objects.bulk_create(
            Post(group=group, author=people[i], body=f"Post {k}") for k in range(n)
        )
        Comment.objects.bulk_create(Comment(post=p, author=user, body="Noted") for p in posts)


def factory_sequence(pattern: str):
    import factory

    return factory.Sequence(lambda k: pattern.format(k))


# Queries per page, the same for an org of 2 and of 30 people, groups and posts:
# 1 session and 2 user with their profile (every signed-in page), then the page's
# own. Home: 3 org (layout), 4 the user's groups, 5 the versions of their members and
# feeds, 6 their member counts and 7 the newest posts of the user's groups with their
# comment counts (neither when cached), 8 the requests to join the groups the user owns
# or manages, 9 permission sets (the Setup link).
PAGES = {
    # page: (URL name, query string, queries)
    "Home": ("home", "", 9),
    # 3 capped count (a search: the ids of the matches), 4 the page of people, 5 org,
    # 6 permission sets.
    "People": ("groups:people", "", 6),
    "People, search": ("groups:people", "?q=last0", 6),
}


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("n", [2, 30])
def test_each_page_runs_the_same_queries_in_a_small_and_a_large_org(
    client, user, django_assert_num_queries, page, n
):
    _org_of(n, user)
    name, query, queries = PAGES[page]
    client.force_login(user)
    with django_assert_num_queries(queries):
        response = client.get(reverse(name) + query)
    assert response.status_code == 200


@pytest.mark.parametrize("n", [2, 30])
def test_home_again_reads_its_counts_and_recent_posts_from_the_cache(
    client, user, django_assert_num_queries, n
):
    _org_of(n, user)
    client.force_login(user)
    first = client.get(reverse("home"))
    with django_assert_num_queries(PAGES["Home"][2] - 2):
        again = client.get(reverse("home"))

    def recent_posts(response) -> str:
        html = response.content.decode()
        return html[html.index('<section aria-labelledby="recent-heading">') :].split("</section>")[
            0
        ]

    assert "Post " in recent_posts(first)
    assert recent_posts(again) == recent_posts(first)


# A profile: 1 session, 2 user with their profile, 3 the person (as visible to the
# viewer), 4 their groups the viewer may also see, 5 org, 6 permission sets.
@pytest.mark.parametrize("n", [2, 30])
def test_a_profile_runs_the_same_queries_in_a_small_and_a_large_org(
    client, user, django_assert_num_queries, n
):
    _org_of(n, user)
    client.force_login(UserFactory())
    with django_assert_num_queries(6):
        response = client.get(reverse("groups:profile", args=[user.pk]))
    assert response.status_code == 200


# "Add/Remove Members" with a search: 1 session, 2 user with their profile,
# 3 membership with the group, 4 org, 5 permission sets, 6 candidates, 7 the members'
# versions, 8 member counts (not when cached), 9 member page.
@pytest.mark.parametrize("n", [1, 50])
def test_the_members_page_runs_the_same_queries_for_any_group(
    client, customer_group, django_assert_num_queries, n
):
    _fill(customer_group, n)
    client.force_login(customer_group.manager)
    url = reverse("groups:members", args=[customer_group.pk]) + "?q=a"
    with django_assert_num_queries(9):
        response = client.get(url)
    assert response.status_code == 200
    with django_assert_num_queries(8):
        client.get(url)
