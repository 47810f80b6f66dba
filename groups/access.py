"""Who may see and do what in a group: the one place these rules live.

Views call ``group_for_user`` (404 alike for "does not exist" and "you may not
see it") and ``group_capabilities`` (what the user may do); templates read the
same capabilities, so a hidden link and a refused request never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.permissions import Perm, user_has_perm
from chatterorg.selectors import org_get
from groups.models import Group, Membership, Post
from groups.selectors import people_visible_to

if TYPE_CHECKING:
    from accounts.models import User
    from chatterorg.models import Organization


@dataclass(frozen=True)
class GroupCapabilities:
    """Everything one user may do in one group, computed once per request."""

    membership: Membership | None
    view_content: bool  # feed, members, files; otherwise only the "outside" of a Private group
    post: bool
    comment: bool
    join: bool
    leave: bool
    ask_to_join: bool
    manage_members: bool  # "Add/Remove Members", join requests
    change_roles: bool  # "Change Roles", ownership transfer
    edit: bool  # "Edit Group"
    delete: bool
    invite: bool  # "Invite People"
    # Only the owner (or "Modify All Data") hands the group to someone else;
    # managers change the other roles. A default keeps older callers working.
    transfer_ownership: bool = False

    @property
    def is_member(self) -> bool:
        return self.membership is not None

    @property
    def manages(self) -> bool:
        return self.manage_members or self.change_roles or self.edit


def _opens_with_modify_all(user: User, group: Group) -> bool:
    # "Modify All Data" acts on all Public and Private groups, never Unlisted ones.
    return (
        not user.is_customer
        and group.access_type != Group.AccessType.UNLISTED
        and user_has_perm(user, Perm.MODIFY_ALL_DATA)
    )


def can_see_group(user: User, group: Group, membership: Membership | None) -> bool:
    """Whether the group exists for this user at all (otherwise: 404)."""
    if membership is not None:
        return True
    if user.is_customer:
        return False
    return group.access_type != Group.AccessType.UNLISTED


def customers_may_join(*, org: Organization, group: Group) -> bool:
    """Customers may be invited to and join ``group``: the org allows customer
    invitations and the group takes customers (Private or Unlisted, "Allow Customers")."""
    return org.allow_customer_invitations and group.takes_customers


def group_capabilities(
    *, user: User, group: Group, membership: Membership | None, org: Organization
) -> GroupCapabilities:
    """What ``user`` may do in ``group``; the rules of REFERENCE §3–5 and §8."""
    internal = user.is_active and not user.is_customer
    member = membership is not None
    role = membership.role if membership is not None else None
    managing_role = role in (Membership.Role.OWNER, Membership.Role.MANAGER)
    is_owner = role == Membership.Role.OWNER
    modify_all = _opens_with_modify_all(user, group)
    open_to_internal = group.access_type == Group.AccessType.PUBLIC and internal
    view_content = member or open_to_internal or modify_all
    writable = not group.is_archived
    # Managing the membership needs an internal user: a customer manager may
    # not search the org's people.
    manages = internal and (managing_role or modify_all)
    may_post = member and writable and (not group.broadcast_only or managing_role)
    invite = (
        customers_may_join(org=org, group=group)
        and writable
        and internal
        and (managing_role or modify_all)
        and user_has_perm(user, Perm.INVITE_CUSTOMERS)
    )
    return GroupCapabilities(
        membership=membership,
        view_content=view_content,
        post=may_post,
        comment=member and writable,
        join=internal and not member and group.access_type == Group.AccessType.PUBLIC and writable,
        leave=member and not is_owner,
        ask_to_join=(
            internal and not member and group.access_type == Group.AccessType.PRIVATE and writable
        ),
        manage_members=manages and writable,
        change_roles=manages and writable,
        edit=manages,
        delete=internal and (is_owner or modify_all),
        invite=invite,
        transfer_ownership=internal and writable and (is_owner or modify_all),
    )


def membership_get(*, user: User, group: Group) -> Membership | None:
    return Membership.objects.filter(user=user, group=group).first()


def group_for_user(
    user: User, group_id: int, *, for_update: bool = False
) -> tuple[Group, GroupCapabilities]:
    """The group and the user's capabilities in it, or Http404 if the user may not see it.

    A group the user may not know of answers exactly like one that does not exist.
    """
    membership: Membership | None = None
    if not for_update and user.is_authenticated:
        # A member's group comes with their membership, in one query.
        membership = (
            Membership.objects.select_related("group")
            .filter(user_id=user.pk, group_id=group_id)
            .first()
        )
    if membership is not None:
        group = membership.group
    else:
        qs = Group.objects.all()
        if for_update:
            qs = qs.select_for_update()
        found = qs.filter(pk=group_id).first()
        if found is None:
            raise Http404("No such group.")
        group = found
        if for_update:
            membership = membership_get(user=user, group=group)
    if not can_see_group(user, group, membership):
        raise Http404("No such group.")
    caps = group_capabilities(user=user, group=group, membership=membership, org=org_get())
    return group, caps


def require(allowed: bool) -> None:
    """Refuse with 403 where the user may see the group but not do this."""
    if not allowed:
        raise PermissionDenied


def group_create_allowed(user: User) -> bool:
    """Internal users with "Create and Own New Chatter Groups"; never customers."""
    return user.is_active and not user.is_customer and user_has_perm(user, Perm.CREATE_GROUPS)


def group_owner_allowed(user: User) -> bool:
    """Who may become a group's owner: the same people who may create groups."""
    return group_create_allowed(user)


def post_for_user(user: User, post_id: int) -> tuple[Post, GroupCapabilities]:
    """A post and the user's capabilities in its group, or Http404.

    A post is as visible as its group's feed: the outside of a Private group
    shows no posts, so its posts answer 404 like ones that do not exist.
    """
    post = Post.objects.filter(pk=post_id).first()
    if post is None:
        raise Http404("No such post.")
    group, caps = group_for_user(user, post.group_id)
    if not caps.view_content:
        raise Http404("No such post.")
    post.group = group
    return post, caps


def post_deletable(*, user: User, post: Post, caps: GroupCapabilities) -> bool:
    """Its author, the group's owner and managers (and "Modify All Data") delete a post."""
    if post.group.is_archived or not caps.view_content:
        return False
    managing_role = caps.membership is not None and caps.membership.can_manage
    return post.author_id == user.pk or managing_role or caps.manage_members


def person_for_user(viewer: User, user_id: int) -> User:
    """A user whose profile ``viewer`` may open, or Http404 (customers: co-members only)."""
    person = people_visible_to(viewer).filter(pk=user_id).first()
    if person is None:
        raise Http404("No such user.")
    return person
