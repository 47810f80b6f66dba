"""Every write to groups, memberships, join requests and the group feed.

Each action checks the actor's capabilities (``groups.access``), validates
everything, and only then writes, inside one transaction. Refusals are
``PermissionDenied`` (may not do this at all) or ``ValidationError`` (may, but
not like this). Every membership and role change writes an audit event.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from chatterorg.actions import ConfirmationRequired, audit_record, shown_versions_bump
from chatterorg.fragments import group_feed_key, group_members_key
from chatterorg.selectors import org_get
from groups.access import (
    GroupCapabilities,
    group_capabilities,
    group_create_allowed,
    group_owner_allowed,
    membership_get,
    post_deletable,
)
from groups.models import Comment, Group, JoinRequest, Membership, Post
from groups.tasks import join_request_decision_send, join_request_notices_send

if TYPE_CHECKING:
    from accounts.models import User

SECTION = "Chatter Groups"
BODY_MAX = 10000
# The settings "Edit Group" may change; anything else is a programming error.
GROUP_FIELDS = (
    "name",
    "description",
    "information_title",
    "information_text",
    "access_type",
    "allow_customers",
    "broadcast_only",
    "is_archived",
)


def _caps(actor: User, group: Group) -> GroupCapabilities:
    membership = membership_get(user=actor, group=group)
    return group_capabilities(user=actor, group=group, membership=membership, org=org_get())


def _allow(allowed: bool, message: str = "You can't do that in this group.") -> None:
    if not allowed:
        raise PermissionDenied(message)


def _audit(*, actor: User | None, action: str, display: str, target: Any, **values: Any) -> None:
    audit_record(
        actor=actor,
        section=SECTION,
        action=f"group.{action}",
        display=display,
        target=target,
        **values,
    )


# --- Groups -----------------------------------------------------------------------------


PUBLIC_REFUSED = "A group that allows customers can't be Public."
ALLOW_CUSTOMERS_ONE_WAY = "Allow Customers can't be turned off once it's on."


def group_locked_fields(group: Group | None) -> dict[str, str]:
    """The settings "Edit Group" shows locked, with the reason: the rules below, as shown.

    Once a saved group allows customers, Allow Customers stays on and the access
    type stays as it is (never Public).
    """
    if group is None or group.pk is None or not group.allow_customers:
        return {}
    return {
        "access_type": f"{PUBLIC_REFUSED} Its access type can't change.",
        "allow_customers": "Allow Customers can't be turned off.",
    }


def _group_errors(group: Group, *, before: Group | None) -> dict[str, list[str]]:
    """The product rules of a group's settings (REFERENCE §3), as field errors.

    ``before`` is the saved group (None for a new one): "Allow Customers" is a
    one-way switch, and it freezes the access type.
    """
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    unlisted = Group.AccessType.UNLISTED
    becomes_unlisted = group.access_type == unlisted and (
        before is None or before.access_type != unlisted
    )
    if becomes_unlisted and not org_get().enable_unlisted_groups:
        add("access_type", "Unlisted groups aren't enabled in this org.")
    if before is not None and before.allow_customers:
        if not group.allow_customers:
            add("allow_customers", ALLOW_CUSTOMERS_ONE_WAY)
        if group.access_type != before.access_type:
            if group.access_type == Group.AccessType.PUBLIC:
                add("access_type", PUBLIC_REFUSED)
            else:
                add("access_type", "The access type can't change once Allow Customers is on.")
    elif group.allow_customers and group.access_type == Group.AccessType.PUBLIC:
        add("allow_customers", PUBLIC_REFUSED)
    if group.name and group.access_type != unlisted:
        taken = Group.objects.filter(name__iexact=group.name).exclude(access_type=unlisted)
        if group.pk:
            taken = taken.exclude(pk=group.pk)
        if taken.exists():
            add("name", "A public or private group with this name already exists.")
    return errors


def _group_save(group: Group) -> None:
    # The checks above ran first; the database constraints still guard a race
    # between two saves of the same name.
    try:
        with transaction.atomic():
            group.save()
    except IntegrityError as exc:
        raise ValidationError(
            {"name": "A public or private group with this name already exists."}
        ) from exc


def _shown_feed(group: Group) -> None:
    """The group's feed changed: its cached feed pages are rendered afresh."""
    shown_versions_bump(group_feed_key(group.pk))


def _shown_members(group: Group) -> None:
    """The group's members or their roles changed: its members card is rendered afresh."""
    shown_versions_bump(group_members_key(group.pk))


def _clean_text(value: str) -> str:
    return (value or "").strip()


@transaction.atomic
def group_create(
    *,
    actor: User,
    name: str,
    description: str = "",
    information_title: str = "",
    information_text: str = "",
    access_type: str = Group.AccessType.PUBLIC,
    allow_customers: bool = False,
    broadcast_only: bool = False,
    confirmed: bool = True,
) -> Group:
    """Create a group owned by ``actor`` (needs "Create and Own New Chatter Groups").

    Allow Customers can never be undone: unless ``confirmed``, a group that would
    allow customers raises ``ConfirmationRequired`` and nothing is written.
    """
    _allow(group_create_allowed(actor), "You can't create groups.")
    group = Group(
        name=_clean_text(name),
        description=_clean_text(description),
        information_title=_clean_text(information_title),
        information_text=_clean_text(information_text),
        access_type=access_type,
        allow_customers=allow_customers,
        broadcast_only=broadcast_only,
    )
    group.full_clean(validate_constraints=False)
    errors = _group_errors(group, before=None)
    if errors:
        raise ValidationError(errors)
    if group.allow_customers and not confirmed:
        raise ConfirmationRequired("Allow Customers can't be turned off once it's on.")
    _group_save(group)
    Membership.objects.create(group=group, user=actor, role=Membership.Role.OWNER)
    _audit(
        actor=actor,
        action="created",
        target=group,
        new=group.access_label,
        display=f'Created group "{group.name}" ({group.access_label})',
    )
    return group


@transaction.atomic
def group_update(*, actor: User, group: Group, confirmed: bool = True, **changes: Any) -> list[str]:
    """Change a group's settings ("Edit Group"); returns the labels that changed.

    "Allow Customers" can't be cleared, and while it's on the access type is fixed;
    turning it on unless ``confirmed`` raises ``ConfirmationRequired``, writing nothing.
    """
    unknown = set(changes) - set(GROUP_FIELDS)
    if unknown:
        raise TypeError(f"Not group settings: {sorted(unknown)}")
    _allow(_caps(actor, group).edit, "Only the group's owner and managers can edit it.")
    before = Group.objects.select_for_update().get(pk=group.pk)
    updated = copy.copy(before)  # validated and saved; ``before`` keeps the old values
    changed: list[tuple[str, Any, Any]] = []
    for field, value in changes.items():
        if isinstance(value, str):
            value = value.strip()
        if getattr(before, field) != value:
            setattr(updated, field, value)
            changed.append((field, getattr(before, field), value))
    if not changed:
        return []
    updated.full_clean(validate_constraints=False)
    errors = _group_errors(updated, before=before)
    if errors:
        raise ValidationError(errors)
    if updated.allow_customers and not before.allow_customers and not confirmed:
        raise ConfirmationRequired("Allow Customers can't be turned off once it's on.")
    _group_save(updated)
    # Archiving decides who may delete posts; both fragments follow the settings.
    shown_versions_bump(group_feed_key(group.pk), group_members_key(group.pk))
    labels = []
    for field, old, new in changed:
        label = str(getattr(Group._meta.get_field(field), "verbose_name", field))
        labels.append(label)
        shown_old, shown_new = (
            ("", "") if field.startswith(("description", "information")) else (old, new)
        )
        _audit(
            actor=actor,
            action="changed",
            target=updated,
            old=shown_old,
            new=shown_new,
            display=f'Changed "{label}" of group "{updated.name}"',
        )
    # The caller's object reflects the saved state.
    for field, _old, new in changed:
        setattr(group, field, new)
    group.updated_at = updated.updated_at
    return labels


@transaction.atomic
def group_delete(*, actor: User, group: Group) -> None:
    """Delete a group with its members and feed (its owner, or "Modify All Data")."""
    _allow(_caps(actor, group).delete, "Only the group's owner can delete it.")
    _audit(
        actor=actor,
        action="deleted",
        target=group,
        old=group.name,
        display=f'Deleted group "{group.name}"',
    )
    # The version rows stay: a later group given the same id (SQLite reuses the
    # highest one) starts above every version the deleted group was cached under.
    shown_versions_bump(group_feed_key(group.pk), group_members_key(group.pk))
    group.delete()


# --- Memberships ------------------------------------------------------------------------


def _membership_errors(*, group: Group, user: User, role: str) -> list[str]:
    errors = []
    if not user.is_active:
        errors.append(f"{user.name} is inactive.")
    if group.is_archived:
        errors.append("This group is archived.")
    if role == Membership.Role.OWNER:
        errors.append("A group's owner changes only by transferring ownership.")
    elif role not in (Membership.Role.MANAGER, Membership.Role.MEMBER):
        errors.append("Choose Manager or Member.")
    if user.is_customer and not group.allow_customers:
        errors.append(f"{user.name} is a customer; only groups that allow customers can add them.")
    return errors


def _membership_insert(*, group: Group, user: User, role: str) -> Membership:
    try:
        # A savepoint, so that a lost race leaves the caller's transaction usable.
        with transaction.atomic():
            membership = Membership.objects.create(
                group=group, user=user, role=role, is_customer=user.is_customer
            )
    except IntegrityError as exc:
        raise ValidationError(
            f"{user.name} is already a member of this group.", code="already_member"
        ) from exc
    _shown_members(group)
    # Someone who asked to join and is now in has had their request answered.
    JoinRequest.objects.filter(group=group, user=user, status=JoinRequest.Status.PENDING).update(
        status=JoinRequest.Status.ACCEPTED, decided_at=timezone.now()
    )
    return membership


@transaction.atomic
def membership_add(
    *,
    actor: User | None,
    group: Group,
    user: User,
    role: str = Membership.Role.MEMBER,
    check_permission: bool = True,
) -> Membership:
    """Add ``user`` to ``group`` as Member (or Manager); ``is_customer`` follows the user.

    With ``check_permission=False`` the caller has already authorised the
    addition (an invitation being accepted). Adding someone who is already a
    member raises ``ValidationError`` with code ``"already_member"`` and writes
    nothing; it never returns the existing membership.
    """
    if check_permission:
        _allow(
            actor is not None and _caps(actor, group).manage_members,
            "Only the group's owner and managers can add members.",
        )
    errors = _membership_errors(group=group, user=user, role=role)
    if errors:
        raise ValidationError(errors)
    if Membership.objects.filter(group=group, user=user).exists():
        raise ValidationError(
            f"{user.name} is already a member of this group.", code="already_member"
        )
    membership = _membership_insert(group=group, user=user, role=role)
    _audit(
        actor=actor,
        action="member_added",
        target=membership,
        new=role,
        display=f'Added {user.name} ({user.username}) to group "{group.name}" as {role}',
    )
    return membership


@transaction.atomic
def membership_remove(*, actor: User, membership: Membership) -> None:
    """Remove a member (owner and managers); the owner can't be removed."""
    group = membership.group
    _allow(
        _caps(actor, group).manage_members,
        "Only the group's owner and managers can remove members.",
    )
    if membership.role == Membership.Role.OWNER:
        raise ValidationError("The owner can't be removed. Transfer ownership first.")
    _audit(
        actor=actor,
        action="member_removed",
        target=membership,
        old=membership.role,
        display=f"Removed {membership.user.name} ({membership.user.username}) "
        f'from group "{group.name}"',
    )
    membership.delete()
    _shown_members(group)


@transaction.atomic
def membership_set_role(*, actor: User, membership: Membership, role: str) -> Membership:
    """Make a member a Manager or a Member ("Change Roles"); owners change by transfer."""
    group = membership.group
    _allow(
        _caps(actor, group).change_roles, "Only the group's owner and managers can change roles."
    )
    if membership.role == Membership.Role.OWNER or role == Membership.Role.OWNER:
        raise ValidationError("A group's owner changes only by transferring ownership.")
    if role not in (Membership.Role.MANAGER, Membership.Role.MEMBER):
        raise ValidationError("Choose Manager or Member.")
    if membership.role == role:
        return membership
    old = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    _shown_members(group)
    _audit(
        actor=actor,
        action="role_changed",
        target=membership,
        old=old,
        new=role,
        display=f'Changed the role of {membership.user.name} in group "{group.name}" '
        f"from {old} to {role}",
    )
    return membership


@transaction.atomic
def group_transfer_ownership(*, actor: User, group: Group, new_owner: User) -> Membership:
    """Make a member the owner; the previous owner stays on as a Manager.

    Only an active internal user allowed to own groups can become owner.
    """
    _allow(_caps(actor, group).transfer_ownership, "Only the group's owner can transfer ownership.")
    Group.objects.select_for_update().filter(pk=group.pk).first()  # serialise transfers
    target = Membership.objects.filter(group=group, user=new_owner).first()
    if target is None:
        raise ValidationError(f"{new_owner.name} must be a member of the group first.")
    if target.role == Membership.Role.OWNER:
        raise ValidationError(f"{new_owner.name} already owns this group.")
    if new_owner.is_customer:
        raise ValidationError("A customer can't own a group.")
    if not group_owner_allowed(new_owner):
        raise ValidationError(
            f"{new_owner.name} isn't allowed to own groups "
            '(needs "Create and Own New Chatter Groups").'
        )
    previous = Membership.objects.filter(group=group, role=Membership.Role.OWNER).first()
    if previous is not None:
        # Demote first: the database allows one owner per group at any moment.
        previous.role = Membership.Role.MANAGER
        previous.save(update_fields=["role"])
    target.role = Membership.Role.OWNER
    target.save(update_fields=["role"])
    _shown_members(group)
    _audit(
        actor=actor,
        action="owner_changed",
        target=group,
        old=previous.user.username if previous else "",
        new=new_owner.username,
        display=f'Changed the owner of group "{group.name}" to {new_owner.name}',
    )
    return target


@transaction.atomic
def group_join(*, actor: User, group: Group) -> Membership:
    """Join a Public group ("Join Group")."""
    caps = _caps(actor, group)
    if caps.is_member:
        raise ValidationError("You're already a member of this group.", code="already_member")
    _allow(caps.join, "Only internal users can join public groups.")
    membership = _membership_insert(group=group, user=actor, role=Membership.Role.MEMBER)
    _audit(
        actor=actor,
        action="joined",
        target=membership,
        new=Membership.Role.MEMBER,
        display=f'{actor.name} joined group "{group.name}"',
    )
    return membership


@transaction.atomic
def group_leave(*, actor: User, group: Group) -> None:
    """Leave a group ("Leave Group"); the owner must transfer ownership first."""
    caps = _caps(actor, group)
    membership = caps.membership
    if membership is None:
        raise ValidationError("You aren't a member of this group.")
    if membership.role == Membership.Role.OWNER:
        raise ValidationError("Transfer ownership before you leave the group.")
    _allow(caps.leave)
    _audit(
        actor=actor,
        action="left",
        target=membership,
        old=membership.role,
        display=f'{actor.name} left group "{group.name}"',
    )
    membership.delete()
    _shown_members(group)


# --- Join requests ----------------------------------------------------------------------


@transaction.atomic
def join_request_create(*, actor: User, group: Group) -> JoinRequest:
    """ "Ask to Join" a Private group; owner and managers then accept or decline."""
    caps = _caps(actor, group)
    if caps.is_member:
        raise ValidationError("You're already a member of this group.")
    _allow(caps.ask_to_join, "Only internal users can ask to join private groups.")
    if JoinRequest.objects.filter(
        group=group, user=actor, status=JoinRequest.Status.PENDING
    ).exists():
        raise ValidationError("You've already asked to join this group.")
    try:
        with transaction.atomic():
            join_request = JoinRequest.objects.create(group=group, user=actor)
    except IntegrityError as exc:
        raise ValidationError("You've already asked to join this group.") from exc
    request_id = join_request.pk
    # The owner and managers are emailed once the request is saved.
    transaction.on_commit(lambda: join_request_notices_send.enqueue(join_request_id=request_id))
    return join_request


def _join_request_decide(*, actor: User, join_request: JoinRequest) -> JoinRequest:
    group = join_request.group
    _allow(
        _caps(actor, group).manage_members,
        "Only the group's owner and managers can answer requests to join.",
    )
    locked = JoinRequest.objects.select_for_update().get(pk=join_request.pk)
    if locked.status != JoinRequest.Status.PENDING:
        raise ValidationError("This request has already been answered.")
    return locked


@transaction.atomic
def join_request_accept(*, actor: User, join_request: JoinRequest) -> Membership:
    """Accept an "Ask to Join" request: the requester becomes a Member."""
    locked = _join_request_decide(actor=actor, join_request=join_request)
    group, user = join_request.group, join_request.user
    errors = _membership_errors(group=group, user=user, role=Membership.Role.MEMBER)
    if Membership.objects.filter(group=group, user=user).exists():
        errors.append(f"{user.name} is already a member of this group.")
    if errors:
        raise ValidationError(errors)
    locked.status = JoinRequest.Status.ACCEPTED
    locked.decided_at = timezone.now()
    locked.decided_by = actor
    locked.save(update_fields=["status", "decided_at", "decided_by"])
    membership = _membership_insert(group=group, user=user, role=Membership.Role.MEMBER)
    _audit(
        actor=actor,
        action="member_added",
        target=membership,
        new=Membership.Role.MEMBER,
        display=f"Accepted the request of {user.name} ({user.username}) "
        f'to join group "{group.name}"',
    )
    join_request.status = locked.status
    _decision_notify(locked)
    return membership


@transaction.atomic
def join_request_decline(*, actor: User, join_request: JoinRequest) -> JoinRequest:
    """Decline an "Ask to Join" request; the requester may ask again later."""
    locked = _join_request_decide(actor=actor, join_request=join_request)
    locked.status = JoinRequest.Status.DECLINED
    locked.decided_at = timezone.now()
    locked.decided_by = actor
    locked.save(update_fields=["status", "decided_at", "decided_by"])
    _audit(
        actor=actor,
        action="join_request_declined",
        target=locked,
        display=f"Declined the request of {join_request.user.name} "
        f'to join group "{join_request.group.name}"',
    )
    _decision_notify(locked)
    return locked


def _decision_notify(join_request: JoinRequest) -> None:
    request_id = join_request.pk
    transaction.on_commit(lambda: join_request_decision_send.enqueue(join_request_id=request_id))


# --- Feed -------------------------------------------------------------------------------


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": "Write something first."})
    if len(body) > BODY_MAX:
        raise ValidationError({"body": f"Keep it under {BODY_MAX} characters."})
    return body


@transaction.atomic
def post_create(*, actor: User, group: Group, body: str) -> Post:
    """Share a post in the group's feed (members; owner and managers only if Broadcast Only)."""
    caps = _caps(actor, group)
    if group.is_archived and caps.is_member:
        raise PermissionDenied("This group is archived.")
    _allow(caps.post, "You can't post in this group.")
    post = Post.objects.create(group=group, author=actor, body=_clean_body(body))
    _shown_feed(group)
    return post


@transaction.atomic
def comment_create(*, actor: User, post: Post, body: str) -> Comment:
    """Comment on a post (members of its group)."""
    _allow(_caps(actor, post.group).comment, "You can't comment in this group.")
    comment = Comment.objects.create(post=post, author=actor, body=_clean_body(body))
    _shown_feed(post.group)
    return comment


@transaction.atomic
def post_delete(*, actor: User, post: Post) -> None:
    """Delete a post with its comments (its author, the owner and managers)."""
    caps = _caps(actor, post.group)
    _allow(post_deletable(user=actor, post=post, caps=caps), "You can't delete this post.")
    post.delete()
    _shown_feed(post.group)
