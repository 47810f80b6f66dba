"""Reads of groups, members, feeds and people that depend on who is asking.

Every list a user sees goes through ``groups_visible_to`` or
``people_visible_to``, so a list never shows what the group page would answer
with 404. Each function runs a fixed number of queries whatever the sizes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import astuple, dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from accounts.models import User, user_search_q
from chatterorg.fragments import ORG, group_feed_key, group_members_key, shown_versions_get
from groups.models import Comment, Group, JoinRequest, Membership, Post

if TYPE_CHECKING:
    from groups.access import GroupCapabilities

FEED_PAGE_SIZE = 20
MEMBERS_PAGE_SIZE = 25
GROUPS_PAGE_SIZE = 25
PEOPLE_PAGE_SIZE = 25
CANDIDATES_LIMIT = 20
HOME_POSTS_LIMIT = 10
SEARCH_LIMIT = 10


def _membership_of(user: User) -> Exists:
    return Exists(Membership.objects.filter(group=OuterRef("pk"), user_id=user.pk))


def groups_visible_to(user: User) -> QuerySet[Group]:
    """The groups ``user`` may find in lists.

    Internal users: Public and Private groups, Unlisted ones only as members
    ("Modify All Data" opens nothing more in lists). Customers: their groups.
    """
    mine = _membership_of(user)
    if user.is_customer or not user.is_active:
        return Group.objects.filter(mine)
    return Group.objects.filter(Q(mine) | ~Q(access_type=Group.AccessType.UNLISTED))


def group_list(user: User, *, mine: bool = False, query: str = "") -> QuerySet[Group]:
    """The Groups tab: visible groups with their member count and the user's role."""
    qs = groups_visible_to(user)
    if mine:
        qs = qs.filter(_membership_of(user))
    query = query.strip()
    if query:
        qs = qs.filter(name__icontains=query)
    my_role = Membership.objects.filter(group=OuterRef("pk"), user_id=user.pk).values("role")
    # Member counts are attached to the page shown (``member_counts_attach``).
    return qs.annotate(my_role=Subquery(my_role[:1])).order_by("name", "id")


MEMBER_COUNTS_TIMEOUT = 60 * 60 * 24


def _count_of(condition: Q, group: str = "pk") -> Coalesce:
    counts = (
        Membership.objects.filter(condition, group=OuterRef(group))
        .order_by()
        .values("group")
        .annotate(count=Count("*"))
        .values("count")
    )
    return Coalesce(Subquery(counts), Value(0), output_field=IntegerField())


def _of_inactive_users() -> Q:
    # Few users are inactive (``user_inactive_idx``): counting the members among them
    # reads a handful of rows, where counting the active ones reads every member's user.
    return Q(user_id__in=User.objects.filter(is_active=False).values("pk"))


def active_member_count(group: str = "pk") -> Any:
    """The number of active members of the group ``OuterRef(group)``: its members less
    the inactive ones, the count every page and the API show."""
    return _count_of(Q(), group) - _count_of(_of_inactive_users(), group)


def member_counts(
    group_ids: list[int], *, versions: dict[str, int] | None = None
) -> dict[int, tuple[int, int]]:
    """Every membership and the active ones, per group: ``{id: (count, active_count)}``.

    Counting a group of 5,000 members reads 5,000 memberships and their users
    on every view; the counts change only when the members do (the group's
    members version) or a user's active state (the org's version), so they are
    kept in the cache under those versions. Two queries at most: the versions
    (none when the caller read them, ``versions``), and one count of the groups
    not in the cache.
    """
    if not group_ids:
        return {}
    if versions is None:
        versions = shown_versions_get([ORG, *(group_members_key(pk) for pk in group_ids)])
    keys = {
        pk: f"member-counts:{pk}:{versions[ORG]}:{versions[group_members_key(pk)]}"
        for pk in group_ids
    }
    found = cache.get_many(list(keys.values()))
    counts = {pk: tuple(found[key]) for pk, key in keys.items() if key in found}
    missing = [pk for pk in group_ids if pk not in counts]
    if missing:
        # A correlated count per group, not one join of every membership with its
        # user: the planner would hash all 100,000 users for a group of 5,000. The active
        # ones are the members less the inactive (``_of_inactive_users``).
        rows = Group.objects.filter(pk__in=missing).values_list(
            "pk", _count_of(Q()), _count_of(_of_inactive_users())
        )
        fresh = {pk: (count, count - inactive) for pk, count, inactive in rows}
        cache.set_many({keys[pk]: value for pk, value in fresh.items()}, MEMBER_COUNTS_TIMEOUT)
        counts.update(fresh)
    return counts  # type: ignore[return-value]


def member_counts_attach(groups: Any, *, versions: dict[str, int] | None = None) -> list[Group]:
    """``groups`` as a list, each with ``member_count``: its active members (lists, Home)."""
    groups = list(groups)
    counts = member_counts([group.pk for group in groups], versions=versions)
    for group in groups:
        group.member_count = counts[group.pk][1]  # type: ignore[attr-defined]
    return groups


class FeedPage:
    """One page of a feed, without counting the feed.

    A feed grows for years; counting it on every view would cost more and more.
    The page reads one row beyond its size to know whether an older page exists,
    and offers the same interface as Django's ``Page`` for the pagination links
    (``paginator`` is None: there is no total).
    """

    paginator = None

    def __init__(self, rows: list[Post], number: int, size: int) -> None:
        self.object_list = rows[:size]
        self.number = number
        self._has_next = len(rows) > size

    def __iter__(self) -> Iterator[Post]:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def has_next(self) -> bool:
        return self._has_next

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next() or self.has_previous()

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


def _page_number(value: int | str | None) -> int:
    try:
        return max(1, min(int(value or 1), 10_000))
    except (TypeError, ValueError):
        return 1


def group_feed(group: Group, *, page: int | str | None = 1) -> FeedPage:
    """The group's posts, newest first, with authors and comments (oldest first) loaded.

    Two queries per page whatever its content or the size of the feed: posts
    (one row more than the page, on the ``post_feed_idx`` index), comments.
    """
    number = _page_number(page)
    comments = Comment.objects.select_related("author").order_by("created_at", "id")
    posts = (
        Post.objects.filter(group=group)
        .select_related("author")
        .prefetch_related(Prefetch("comments", queryset=comments))
        .order_by("-created_at", "-id")
    )
    start = (number - 1) * FEED_PAGE_SIZE
    return FeedPage(list(posts[start : start + FEED_PAGE_SIZE + 1]), number, FEED_PAGE_SIZE)


class MembersPaginator(Paginator):
    """The pages of a member list, counted once with its active members.

    ``count`` (every membership) pages the list, which shows deactivated users
    marked "Inactive"; ``active_count`` is the "Members (N)" the page shows.
    """

    def __init__(self, object_list: Any, per_page: int, *, count: int, active_count: int) -> None:
        super().__init__(object_list, per_page)
        self._count = count
        self.active_count = active_count

    @cached_property
    def count(self) -> int:
        return self._count


def group_members(group: Group, *, page: int | str | None = 1) -> Page:
    """The group's members: owner, then managers, then members by joining date (two queries).

    The order follows the ``membership_list_idx`` index, so a page costs the same
    for a group of five members as for one of five thousand. Deactivated users
    stay on the list; ``paginator.active_count`` leaves them out.
    """
    members = (
        Membership.objects.filter(group=group)
        .select_related("user")
        .order_by("role_rank", "joined_at", "id")
    )
    # Exact (the page shows "Members (5,000)"), and kept by version (``member_counts``).
    count, active_count = member_counts([group.pk])[group.pk]
    paginator = MembersPaginator(members, MEMBERS_PAGE_SIZE, count=count, active_count=active_count)
    return paginator.get_page(page)


def join_requests_pending(group: Group) -> list[JoinRequest]:
    """Pending "Ask to Join" requests, oldest first, for the owner and managers."""
    return list(
        JoinRequest.objects.filter(group=group, status=JoinRequest.Status.PENDING)
        .select_related("user")
        .order_by("created_at", "id")
    )


def join_request_pending_for(*, group: Group, user: User) -> JoinRequest | None:
    return JoinRequest.objects.filter(
        group=group, user_id=user.pk, status=JoinRequest.Status.PENDING
    ).first()


def _name_search(qs: QuerySet[User], query: str) -> QuerySet[User]:
    # Every word must appear in the first name, last name or username.
    return qs.filter(user_search_q(query))


def people_visible_to(user: User) -> QuerySet[User]:
    """The users ``user`` may see: internal users see every active user;
    customers see themselves and the people who share a group with them."""
    qs = User.objects.filter(is_active=True)
    if user.is_customer or not user.is_active:
        my_groups = Membership.objects.filter(user_id=user.pk).values("group_id")
        shares_a_group = Exists(
            Membership.objects.filter(user=OuterRef("pk"), group_id__in=my_groups)
        )
        qs = qs.filter(Q(pk=user.pk) | shares_a_group)
    return qs


def people_list(user: User, *, query: str = "") -> QuerySet[User]:
    """The People tab: visible people, searchable by name or username."""
    return _name_search(people_visible_to(user), query).order_by("last_name", "first_name", "id")


def global_search(user: User, *, query: str, limit: int = SEARCH_LIMIT) -> dict[str, list[Any]]:
    """The header's search: groups and people ``user`` may see whose name matches ``query``.

    The same visibility as the Groups and People tabs (a customer finds only their
    groups and co-members). An empty query finds nothing. Two queries.
    """
    query = query.strip()
    if not query:
        return {"groups": [], "people": []}
    groups = groups_visible_to(user).filter(name__icontains=query).order_by("name", "id")
    people = _name_search(people_visible_to(user), query).order_by("last_name", "first_name", "id")
    return {"groups": list(groups[:limit]), "people": list(people[:limit])}


def member_candidates(group: Group, *, query: str) -> list[User]:
    """Active internal users, not yet members, matching ``query`` ("Add/Remove Members").

    An empty query finds nobody: the page searches, it does not list the org.
    """
    query = query.strip()
    if not query:
        return []
    qs = User.objects.filter(is_active=True).exclude(user_type=User.UserType.CHATTER_GUEST)
    qs = qs.exclude(Exists(Membership.objects.filter(group=group, user=OuterRef("pk"))))
    return list(
        _name_search(qs, query).order_by("last_name", "first_name", "id")[:CANDIDATES_LIMIT]
    )


def group_names_attach(users: Any) -> list[User]:
    """``users`` as a list, each with ``group_names``: the names of their groups, by name
    (Setup › Customers). One query of the names alone, for the users of one page."""
    users = list(users)
    names: dict[int, list[str]] = {user.pk: [] for user in users}
    rows = (
        Membership.objects.filter(user_id__in=names)
        .order_by("group__name", "group_id")
        .values_list("user_id", "group__name")
    )
    for user_id, name in rows:
        names[user_id].append(name)
    for user in users:
        user.group_names = names[user.pk]  # type: ignore[attr-defined]
    return users


def groups_of_person(viewer: User, person: User) -> QuerySet[Group]:
    """The groups ``person`` belongs to that ``viewer`` may also see (profile page)."""
    person_is_member = Exists(Membership.objects.filter(group=OuterRef("pk"), user_id=person.pk))
    return groups_visible_to(viewer).filter(person_is_member).order_by("name", "id")


@dataclass
class HomeGroups:
    """Home's side of the user's groups: the groups with member counts, and the key of
    the cached "Recent Posts in My Groups" fragment."""

    groups: list[Group]
    recent_posts_key: str


def home_groups(user: User) -> HomeGroups:
    """The groups ``user`` belongs to, with member counts, and the recent posts' key.

    The key holds the user, the org's version and each of the user's groups with
    its feed version (posts, comments, deletions, the group's name): a post in any
    of them, a rename of an author (the org's version), or joining or leaving a
    group gives a new key. The versions of the counts and of the key are read in
    one query, before the groups' posts.
    """
    groups = list(Group.objects.filter(_membership_of(user)).order_by("name", "id"))
    ids = [group.pk for group in groups]
    versions = shown_versions_get(
        [ORG, *(group_members_key(pk) for pk in ids), *(group_feed_key(pk) for pk in ids)]
    )
    feeds = ",".join(f"{pk}.{versions[group_feed_key(pk)]}" for pk in ids)
    return HomeGroups(
        groups=member_counts_attach(groups, versions=versions),
        recent_posts_key=f"home-posts:{user.pk}:{versions[ORG]}:{feeds}",
    )


def _newest_post_ids(user: User, limit: int) -> Any:
    """The ids of the ``limit`` newest posts in ``user``'s groups, as a subquery.

    On PostgreSQL each of the user's groups gives its ``limit`` newest posts
    off the ``post_feed_idx`` index (a LATERAL join), and the newest of those
    win: a few index reads per group, whatever the size of the feeds. A plain
    ``ORDER BY … LIMIT`` over the groups' posts reads and sorts every one of
    them (50,000 for a large group). Other databases take the plain query.
    """
    if connection.vendor == "postgresql":
        post, membership = Post._meta.db_table, Membership._meta.db_table
        return RawSQL(  # noqa: S611 (table names from the models, values as parameters)
            f"""SELECT newest.id FROM {membership} m
            CROSS JOIN LATERAL (
                SELECT p.id, p.created_at FROM {post} p WHERE p.group_id = m.group_id
                ORDER BY p.created_at DESC, p.id DESC LIMIT %s
            ) newest
            WHERE m.user_id = %s
            ORDER BY newest.created_at DESC, newest.id DESC LIMIT %s""",  # noqa: S608
            (limit, user.pk, limit),
        )
    return (
        Post.objects.filter(group__in=Membership.objects.filter(user_id=user.pk).values("group_id"))
        .order_by("-created_at", "-id")
        .values("pk")[:limit]
    )


def _comment_count() -> Coalesce:
    # Counted per post shown (a correlated subquery on ``comment_post_idx``), never
    # by joining and grouping every post of the user's groups with its comments.
    counts = (
        Comment.objects.filter(post=OuterRef("pk"))
        .order_by()
        .values("post")
        .annotate(count=Count("*"))
        .values("count")
    )
    return Coalesce(Subquery(counts), Value(0), output_field=IntegerField())


def recent_posts_for(user: User, *, limit: int = HOME_POSTS_LIMIT) -> list[Post]:
    """The newest posts in the groups ``user`` belongs to, with comment counts (Home page).

    One query in two steps: the newest post ids (see ``_newest_post_ids``), then
    those posts with their authors, groups and comment counts.
    """
    return list(
        Post.objects.filter(pk__in=_newest_post_ids(user, limit))
        .select_related("author", "group")
        .annotate(comment_count=_comment_count())
        .order_by("-created_at", "-id")
    )


@dataclass
class OwnerCandidates:
    """The "New Owner" choices: at most ``OWNER_CANDIDATES_SHOWN``; ``more``: others
    match too (a search narrows them)."""

    memberships: list[Membership]
    more: bool


OWNER_CANDIDATES_SHOWN = 50


def owner_candidates(group: Group, *, query: str = "") -> OwnerCandidates:
    """Members who could take over the group: active internal users other than the owner,
    by name, those whose name or username has every word of ``query``; one query for at
    most ``OWNER_CANDIDATES_SHOWN`` of them, whatever the size of the group.

    Whether each may own groups is the action's check.
    """
    found = list(
        Membership.objects.filter(group=group, user__is_active=True, is_customer=False)
        .filter(user_search_q(query.strip(), via="user__"))
        .exclude(role=Membership.Role.OWNER)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "id")[: OWNER_CANDIDATES_SHOWN + 1]
    )
    return OwnerCandidates(
        memberships=found[:OWNER_CANDIDATES_SHOWN], more=len(found) > OWNER_CANDIDATES_SHOWN
    )


def join_requests_to_answer(user: User) -> QuerySet[JoinRequest]:
    """Pending requests to join the groups ``user`` owns or manages, oldest first."""
    return (
        JoinRequest.objects.filter(
            status=JoinRequest.Status.PENDING,
            group__memberships__user=user,
            group__memberships__role__in=[Membership.Role.OWNER, Membership.Role.MANAGER],
        )
        .select_related("group", "user")
        .order_by("created_at", "id")
    )


FRAGMENT_PAGE_PARAMS = ("page", "members_page")


def group_page_fragment_keys(
    user: User, group: Group, caps: GroupCapabilities, *, params: Any
) -> dict[str, str | None]:
    """The keys of the group page's cached fragments for this viewer (one query).

    Each key holds the versions of what its fragment shows, read now, before
    the fragment's own data (``chatterorg.fragments``), and the viewer's traits
    the fragment depends on: the feed and member page numbers of ``params``
    (the query string; its links keep both), the capabilities, and for
    the feed who may delete which post: everyone's posts for the owner,
    managers and "Modify All Data", otherwise only the viewer's own, so the
    viewer's id. A query string with anything else is not cached (None), so
    made-up parameters cannot fill the cache.
    """
    pages = [params.get(name, "") for name in FRAGMENT_PAGE_PARAMS]
    if set(params) - set(FRAGMENT_PAGE_PARAMS) or not all(p.isdigit() for p in pages if p):
        return {"feed": None, "members": None}
    query = ",".join(pages)
    feed, members = group_feed_key(group.pk), group_members_key(group.pk)
    versions = shown_versions_get([ORG, feed, members])
    capabilities = "".join(str(int(v)) for v in astuple(caps)[1:])
    managing = caps.membership is not None and caps.membership.can_manage
    deletes = "any" if managing or caps.manage_members else f"own:{user.pk}"
    common = f"{group.pk}:{versions[ORG]}:{query}"
    return {
        "feed": f"feed:{common}:{versions[feed]}:{capabilities}:{deletes}",
        "members": f"members:{common}:{versions[members]}",
    }
