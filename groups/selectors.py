"""Reads of groups, members, feeds and people that depend on who is asking.

Every list a user sees goes through ``groups_visible_to`` or
``people_visible_to``, so a list never shows what the group page would answer
with 404. Each function runs a fixed number of queries whatever the sizes.
"""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from accounts.models import User
from groups.models import Comment, Group, JoinRequest, Membership, Post

FEED_PAGE_SIZE = 20
MEMBERS_PAGE_SIZE = 25
GROUPS_PAGE_SIZE = 25
PEOPLE_PAGE_SIZE = 25
CANDIDATES_LIMIT = 20
HOME_POSTS_LIMIT = 10


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
    return qs.annotate(
        member_count=Count("memberships", distinct=True), my_role=Subquery(my_role[:1])
    ).order_by("name", "id")


def page_of(qs: QuerySet, number: int | str | None, size: int) -> Page:
    """One page of ``qs``; a missing or wrong page number gives the nearest page."""
    return Paginator(qs, size).get_page(number)


def group_feed(group: Group, *, page: int | str | None = 1) -> Page:
    """The group's posts, newest first, with authors and comments (oldest first) loaded.

    Three queries per page whatever its content: count, posts, comments.
    """
    comments = Comment.objects.select_related("author").order_by("created_at", "id")
    posts = (
        Post.objects.filter(group=group)
        .select_related("author")
        .prefetch_related(Prefetch("comments", queryset=comments))
        .order_by("-created_at", "-id")
    )
    return page_of(posts, page, FEED_PAGE_SIZE)


_ROLE_RANK = Case(
    When(role=Membership.Role.OWNER, then=Value(0)),
    When(role=Membership.Role.MANAGER, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def group_members(group: Group, *, page: int | str | None = 1) -> Page:
    """The group's members, owner first, then managers, then by name (two queries)."""
    members = (
        Membership.objects.filter(group=group)
        .select_related("user")
        .annotate(role_rank=_ROLE_RANK)
        .order_by("role_rank", "user__last_name", "user__first_name", "id")
    )
    return page_of(members, page, MEMBERS_PAGE_SIZE)


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
    for word in query.split():
        qs = qs.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(username__icontains=word)
        )
    return qs


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


def groups_of_person(viewer: User, person: User) -> QuerySet[Group]:
    """The groups ``person`` belongs to that ``viewer`` may also see (profile page)."""
    person_is_member = Exists(Membership.objects.filter(group=OuterRef("pk"), user_id=person.pk))
    return groups_visible_to(viewer).filter(person_is_member).order_by("name", "id")


def my_groups(user: User) -> QuerySet[Group]:
    """The groups ``user`` belongs to, with member counts (Home page)."""
    return (
        # Exists, not a join on memberships: a join would make Count see only the user's row.
        Group.objects.filter(_membership_of(user))
        .annotate(member_count=Count("memberships", distinct=True))
        .order_by("name", "id")
    )


def recent_posts_for(user: User, *, limit: int = HOME_POSTS_LIMIT) -> list[Post]:
    """The newest posts in the groups ``user`` belongs to (Home page)."""
    return list(
        Post.objects.filter(group__in=Membership.objects.filter(user_id=user.pk).values("group_id"))
        .select_related("author", "group")
        .annotate(comment_count=Count("comments"))
        .order_by("-created_at", "-id")[:limit]
    )


def owner_candidates(group: Group) -> list[Membership]:
    """Members who could take over the group: active internal users other than the owner.

    Whether each may own groups is the action's check; this keeps the list to one query.
    """
    return list(
        Membership.objects.filter(group=group, user__is_active=True, is_customer=False)
        .exclude(role=Membership.Role.OWNER)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "id")
    )
