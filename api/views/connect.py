"""The Connect REST API's groups, members, invites and group feeds (``/chatter/...``).

Every read goes through the UI's selectors and access helpers, every write
through its actions; the bodies use the Connect API's property names.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse

from accounts.models import User
from api.http import ApiError, ApiRequest, api_view, json_object, ok
from api.ids import sf_id, sf_pk
from api.sobjects import sf_datetime
from groups.access import group_for_user, require
from groups.actions import (
    group_create,
    group_delete,
    group_transfer_ownership,
    group_update,
    membership_add,
    membership_remove,
    membership_set_role,
    post_create,
)
from groups.models import Group, Membership, Post
from groups.selectors import (
    group_feed,
    group_list,
    member_counts,
    member_counts_attach,
    people_visible_to,
)
from invitations.actions import invitations_send, invite_request_clean

VISIBILITY = {"Public": "PublicAccess", "Private": "PrivateAccess", "Unlisted": "Unlisted"}
ACCESS_TYPE = {value: key for key, value in VISIBILITY.items()}
ROLE = {"Owner": "GroupOwner", "Manager": "GroupManager", "Member": "StandardMember"}
# Salesforce's statuses; a resent invitation is an email sent, a deactivated
# customer's address is one the inviter cannot reach.
INVITE_STATUS = {
    "Invited": "Invited",
    "Resent": "Invited",
    "ActedUponUser": "ActedUponUser",
    "NoActionNeededUser": "NoActionNeededUser",
    "DeactivatedUser": "NotVisibleToExternalInviter",
}
MAX_PAGE_SIZE = 250
MAX_MEMBERS_PAGE_SIZE = 1000


def _base(version: str) -> str:
    return f"/services/data/v{version}/chatter"


def user_summary(user: User, version: str) -> dict[str, Any]:
    user_id = sf_id("User", user.pk)
    return {
        "id": user_id,
        "name": user.name,
        "displayName": user.name,
        "firstName": user.first_name,
        "lastName": user.last_name,
        "companyName": user.company_name,
        "title": user.title or None,
        "userType": "ChatterGuest" if user.is_customer else "Internal",
        "isActive": user.is_active,
        "additionalLabel": "Customer" if user.is_customer else None,
        "type": "User",
        "url": f"{_base(version)}/users/{user_id}",
    }


def groups_shown(groups: list[Group]) -> list[Group]:
    """``groups`` with what ``group_body`` shows of each: the owner's membership and the
    member count (the cached counts the pages show), in at most three queries for a page
    of any size."""
    member_counts_attach(groups)
    owners = {
        membership.group_id: membership
        for membership in Membership.objects.filter(
            group__in=[group.pk for group in groups], role=Membership.Role.OWNER
        ).select_related("user")
    }
    for group in groups:
        group.owner_membership = owners.get(group.pk)  # type: ignore[attr-defined]
    return groups


def group_body(group: Group, *, viewer: User, version: str) -> dict[str, Any]:
    """One group as the Connect API shows it; ``groups_shown`` first for a list."""
    group_id = sf_id("CollaborationGroup", group.pk)
    if not hasattr(group, "owner_membership"):
        groups_shown([group])
    owner_membership = group.owner_membership  # type: ignore[attr-defined]
    my_role = getattr(group, "my_role", "unset")
    if my_role == "unset":
        my_role = (
            Membership.objects.filter(group=group, user_id=viewer.pk)
            .values_list("role", flat=True)
            .first()
        )
    member_count = group.member_count  # type: ignore[attr-defined]
    return {
        "id": group_id,
        "name": group.name,
        "description": group.description,
        "information": {"title": group.information_title, "text": group.information_text},
        "visibility": VISIBILITY[group.access_type],
        "canHaveChatterGuests": group.allow_customers,
        "isBroadcast": group.broadcast_only,
        "isArchived": group.is_archived,
        "memberCount": member_count,
        "myRole": ROLE.get(my_role or "", "NotAMember"),
        "additionalLabel": "Private With Customers"
        if group.access_label == "Private With Customers"
        else None,
        "owner": user_summary(owner_membership.user, version) if owner_membership else None,
        "type": "CollaborationGroup",
        "url": f"{_base(version)}/groups/{group_id}",
        "lastFeedElementPostDate": None,
        "fileCount": 0,
    }


def _paging(request: ApiRequest, *, max_size: int, default: int = 25) -> tuple[int, int]:
    try:
        page = int(request.GET.get("page", 0))
        size = int(request.GET.get("pageSize", default))
    except ValueError:
        raise ApiError(400, "INVALID_INPUT", "page and pageSize must be numbers.") from None
    if page < 0 or not 1 <= size <= max_size:
        raise ApiError(
            400, "INVALID_INPUT", f"pageSize must be between 1 and {max_size}; page 0 or more."
        )
    return page, size


def _page_urls(path: str, page: int, size: int, has_next: bool) -> dict[str, str | None]:
    def url(number: int) -> str:
        return f"{path}?page={number}&pageSize={size}"

    return {
        "currentPageUrl": url(page),
        "nextPageUrl": url(page + 1) if has_next else None,
        "previousPageUrl": url(page - 1) if page > 0 else None,
    }


def _group(request: ApiRequest, group_id: str) -> Any:
    return group_for_user(request.api_user, sf_pk("CollaborationGroup", group_id))


def _group_changes(data: dict[str, Any]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for key, field in (("name", "name"), ("description", "description")):
        if key in data:
            changes[field] = data[key] or ""
    information = data.get("information")
    if isinstance(information, dict):
        if "title" in information:
            changes["information_title"] = information["title"] or ""
        if "text" in information:
            changes["information_text"] = information["text"] or ""
    if "visibility" in data:
        if data["visibility"] not in ACCESS_TYPE:
            raise ApiError(
                400, "INVALID_INPUT", f"Invalid visibility: {data['visibility']}", ["visibility"]
            )
        changes["access_type"] = ACCESS_TYPE[data["visibility"]]
    for key, field in (
        ("canHaveChatterGuests", "allow_customers"),
        ("isBroadcast", "broadcast_only"),
        ("isArchived", "is_archived"),
    ):
        if key in data:
            if not isinstance(data[key], bool):
                raise ApiError(400, "JSON_PARSER_ERROR", f"{key} must be true or false.", [key])
            changes[field] = data[key]
    return changes


@api_view("GET", "POST")
def groups(request: ApiRequest, version: str) -> HttpResponse:
    """``GET`` the groups the viewer may list (``q``, paging); ``POST`` create one."""
    viewer = request.api_user
    if request.method == "POST":
        data = json_object(request)
        if not data.get("name"):
            raise ApiError(400, "REQUIRED_FIELD_MISSING", "Name is required.", ["name"])
        changes = _group_changes(data)
        archived = changes.pop("is_archived", False)
        changes.setdefault("access_type", Group.AccessType.PUBLIC)
        group = group_create(actor=viewer, **changes)
        if archived:
            group_update(actor=viewer, group=group, is_archived=True)
        return ok(group_body(group, viewer=viewer, version=version), status=201)
    page, size = _paging(request, max_size=MAX_PAGE_SIZE)
    qs = group_list(viewer, query=request.GET.get("q", ""))
    rows = list(qs[page * size : (page + 1) * size + 1])
    return ok(
        {
            "groups": [
                group_body(g, viewer=viewer, version=version) for g in groups_shown(rows[:size])
            ],
            **_page_urls(f"{_base(version)}/groups", page, size, len(rows) > size),
        }
    )


@api_view("GET", "PATCH", "DELETE")
def group_detail(request: ApiRequest, version: str, group_id: str) -> HttpResponse:
    viewer = request.api_user
    if request.method == "PATCH":
        data = json_object(request)
        group, _caps = _group(request, group_id)
        if "owner" in data:
            owner = people_visible_to(viewer).filter(pk=sf_pk("User", str(data["owner"]))).first()
            if owner is None:
                raise ApiError(400, "INVALID_CROSS_REFERENCE_KEY", "No such user.", ["owner"])
            group_transfer_ownership(actor=viewer, group=group, new_owner=owner)
        changes = _group_changes(data)
        if changes:
            group_update(actor=viewer, group=group, **changes)
        group, _caps = _group(request, group_id)
        return ok(group_body(group, viewer=viewer, version=version))
    group, _caps = _group(request, group_id)
    if request.method == "DELETE":
        group_delete(actor=viewer, group=group)
        return ok(None, status=204)
    return ok(group_body(group, viewer=viewer, version=version))


def membership_body(membership: Membership, version: str) -> dict[str, Any]:
    membership_id = sf_id("CollaborationGroupMember", membership.pk)
    return {
        "id": membership_id,
        "role": ROLE[membership.role],
        "user": user_summary(membership.user, version),
        "url": f"{_base(version)}/group-memberships/{membership_id}",
    }


@api_view("GET", "POST")
def group_members(request: ApiRequest, version: str, group_id: str) -> HttpResponse:
    """``GET`` a page of members (owner, managers, members); ``POST`` ``{userId, role}``."""
    viewer = request.api_user
    group, caps = _group(request, group_id)
    if request.method == "POST":
        data = json_object(request)
        if not data.get("userId"):
            raise ApiError(400, "REQUIRED_FIELD_MISSING", "userId is required.", ["userId"])
        user = people_visible_to(viewer).filter(pk=sf_pk("User", str(data["userId"]))).first()
        if user is None:
            raise ApiError(400, "INVALID_CROSS_REFERENCE_KEY", "No such user.", ["userId"])
        role = data.get("role") or "StandardMember"
        if role not in ("StandardMember", "GroupManager"):
            raise ApiError(400, "INVALID_INPUT", f"Invalid role: {role}", ["role"])
        membership = membership_add(
            actor=viewer,
            group=group,
            user=user,
            role=Membership.Role.MANAGER if role == "GroupManager" else Membership.Role.MEMBER,
        )
        return ok(membership_body(membership, version), status=201)
    if not caps.view_content:
        raise PermissionDenied
    page, size = _paging(request, max_size=MAX_MEMBERS_PAGE_SIZE)
    memberships = Membership.objects.filter(group=group).select_related("user")
    rows = list(
        memberships.order_by("role_rank", "joined_at", "id")[page * size : (page + 1) * size + 1]
    )
    mine = caps.membership
    return ok(
        {
            "members": [membership_body(m, version) for m in rows[:size]],
            "myMembership": membership_body(mine, version) if mine else None,
            "totalMemberCount": member_counts([group.pk])[group.pk][1],
            **_page_urls(
                f"{_base(version)}/groups/{sf_id('CollaborationGroup', group.pk)}/members",
                page,
                size,
                len(rows) > size,
            ),
        }
    )


@api_view("GET", "PATCH", "DELETE")
def group_membership(request: ApiRequest, version: str, membership_id: str) -> HttpResponse:
    viewer = request.api_user
    pk = sf_pk("CollaborationGroupMember", membership_id)
    data = json_object(request) if request.method == "PATCH" else {}
    membership = Membership.objects.select_related("user").filter(pk=pk).first()
    if membership is None:
        raise Http404
    group, caps = group_for_user(viewer, membership.group_id)
    if not caps.view_content:
        raise Http404
    membership.group = group
    if request.method == "PATCH":
        role = data.get("role")
        if role not in ("StandardMember", "GroupManager"):
            raise ApiError(400, "INVALID_INPUT", f"Invalid role: {role}", ["role"])
        membership_set_role(
            actor=viewer,
            membership=membership,
            role=Membership.Role.MANAGER if role == "GroupManager" else Membership.Role.MEMBER,
        )
    elif request.method == "DELETE":
        membership_remove(actor=viewer, membership=membership)
        return ok(None, status=204)
    return ok(membership_body(membership, version))


@api_view("POST")
def group_invite(request: ApiRequest, version: str, group_id: str) -> HttpResponse:
    """Invite people by email: ``{"invitees": [...]}`` or ``{"invitees": {"emails": [...]}}``,
    with an optional ``message``; the same action, checks and emails as "Invite People"."""
    data = json_object(request)
    invitees = data.get("invitees")
    if isinstance(invitees, dict):
        invitees = invitees.get("emails")
    if not isinstance(invitees, list) or not invitees:
        raise ApiError(400, "REQUIRED_FIELD_MISSING", "invitees is required.", ["invitees"])
    if not all(isinstance(address, str) for address in invitees):
        raise ApiError(400, "INVALID_INPUT", "invitees must be email addresses.", ["invitees"])
    message = data.get("message") or ""
    if not isinstance(message, str):
        raise ApiError(400, "INVALID_INPUT", "message must be text.", ["message"])
    group, caps = _group(request, group_id)
    require(caps.invite)
    outcomes = invitations_send(
        actor=request.api_user,
        group=group,
        invite=invite_request_clean(addresses=invitees, message=message),
    )
    return ok(
        {
            "invitations": [
                {
                    "email": outcome.email,
                    "status": INVITE_STATUS[outcome.status],
                    "userId": sf_id("User", outcome.user_id),
                }
                for outcome in outcomes
            ]
        },
        status=201,
    )


def feed_element(post: Post, version: str) -> dict[str, Any]:
    post_id = sf_id("FeedItem", post.pk)
    group_id = sf_id("CollaborationGroup", post.group_id)
    comments = list(post.comments.all()) if hasattr(post, "_prefetched_objects_cache") else []
    return {
        "id": post_id,
        "type": "TextPost",
        "feedElementType": "FeedItem",
        "body": {"text": post.body, "messageSegments": [{"type": "Text", "text": post.body}]},
        "actor": user_summary(post.author, version),
        "parent": {"id": group_id, "type": "CollaborationGroup"},
        "createdDate": sf_datetime(post.created_at),
        "capabilities": {
            "comments": {
                "page": {
                    "items": [
                        {
                            "id": sf_id("FeedComment", c.pk),
                            "body": {"text": c.body},
                            "user": user_summary(c.author, version),
                            "createdDate": sf_datetime(c.created_at),
                        }
                        for c in comments
                    ],
                    "total": len(comments),
                }
            }
        },
        "url": f"{_base(version)}/feed-elements/{post_id}",
    }


@api_view("GET")
def record_feed(request: ApiRequest, version: str, record_id: str) -> HttpResponse:
    """``feeds/record/{groupId}/feed-elements``: the group's feed, newest first."""
    group, caps = _group(request, record_id)
    if not caps.view_content:
        raise PermissionDenied
    page = group_feed(group, page=request.GET.get("page") or 1)
    return ok(
        {
            "elements": [feed_element(post, version) for post in page],
            "currentPageUrl": None,
            "nextPageUrl": (
                f"{_base(version)}/feeds/record/{record_id}/feed-elements?page={page.number + 1}"
                if page.has_next()
                else None
            ),
        }
    )


@api_view("POST")
def feed_elements(request: ApiRequest, version: str) -> HttpResponse:
    """Post text to a group: ``{"subjectId", "feedElementType": "FeedItem", "body": {...}}``."""
    data = json_object(request)
    subject = data.get("subjectId")
    if not isinstance(subject, str):
        raise ApiError(400, "REQUIRED_FIELD_MISSING", "subjectId is required.", ["subjectId"])
    body = data.get("body") or {}
    text = body.get("text") if isinstance(body, dict) else None
    if text is None and isinstance(body, dict):
        segments = body.get("messageSegments") or []
        text = "".join(s.get("text", "") for s in segments if isinstance(s, dict))
    group, _caps = _group(request, subject)
    post = post_create(actor=request.api_user, group=group, body=text or "")
    return ok(feed_element(post, version), status=201)
