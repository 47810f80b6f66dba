"""What SOQL knows of each sObject: its fields as ORM expressions, its parent
relationships (``Owner``, ``Member``) and its child relationships (``GroupMembers``).

The fields themselves (names, types, references) are ``api.sobjects``'s; this module
adds only how each one is read in the database, so a query reads exactly the values
the sObject endpoints answer. Every expression is built from a path prefix (``""`` on
the queried object, ``"user__"`` through a relationship), so the same field is read
the same way wherever a query reaches it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Concat, Trim

from accounts.permissions import Perm
from api.sobjects import SOBJECTS, Field, SObject
from groups.models import Membership
from groups.selectors import active_member_count

Expression = Any
ExprFor = Callable[[str], Expression]


@dataclass(frozen=True)
class Column:
    """One field: how it is read under a path prefix, and how a row's value is shown."""

    meta: Field
    expr: ExprFor
    filterable: bool = True
    # Turns the database value into the API's (before the type's own formatting).
    convert: Callable[[Any], Any] | None = None
    # A stored text column of the same row that always contains this one's text
    # (User.search_name holds the first name, last name and username): a LIKE looks
    # its longest literal up there first, where a trigram index answers it.
    contained_in: str = ""


@dataclass(frozen=True)
class Parent:
    """A relationship to one parent row: ``Owner`` (User) of a CollaborationGroup.

    Most follow a foreign key (``path``). ``via`` is for a parent no foreign key names
    (a group's owner is its Owner membership): a correlated subquery whose rows reach
    the parent through ``via_path``.
    """

    name: str
    target: str
    id_field: str
    path: str = ""
    via: Callable[[str], QuerySet[Any]] | None = None
    via_path: str = ""


@dataclass(frozen=True)
class Child:
    """A relationship to child rows: ``GroupMembers`` of a CollaborationGroup."""

    name: str
    target: str
    # The child's field that names the parent (CollaborationGroupId).
    parent_field: str


@dataclass
class Entity:
    sobject: SObject
    columns: dict[str, Column]
    parents: dict[str, Parent]
    children: dict[str, Child]

    @property
    def name(self) -> str:
        return self.sobject.name


def _path(attr: str) -> ExprFor:
    return lambda prefix: F(prefix + attr)


def _const(value: Any, output: Any) -> ExprFor:
    return lambda prefix: Value(value, output_field=output)


def _user_name(prefix: str) -> Expression:
    return Trim(
        Concat(
            F(prefix + "first_name"),
            Value(" "),
            F(prefix + "last_name"),
            output_field=CharField(),
        )
    )


def _group_owner(prefix: str) -> QuerySet[Membership]:
    return Membership.objects.filter(group=OuterRef(prefix + "pk"), role=Membership.Role.OWNER)


def _group_owner_id(prefix: str) -> Expression:
    return Subquery(_group_owner(prefix).values("user_id")[:1], output_field=IntegerField())


def _group_member_count(prefix: str) -> Expression:
    # As the sObject endpoints and the Groups tab count: active members only.
    return active_member_count(prefix + "pk")


def _membership_role(prefix: str) -> Expression:
    return Case(
        When(
            **{f"{prefix}role__in": [Membership.Role.OWNER, Membership.Role.MANAGER]},
            then=Value("Admin"),
        ),
        default=Value("Standard"),
        output_field=CharField(),
    )


def _profile_user_type(prefix: str) -> Expression:
    return Case(
        When(**{f"{prefix}licence__name": "Chatter External"}, then=Value("ChatterGuest")),
        When(**{f"{prefix}licence__name": "Chatter Free"}, then=Value("CsnOnly")),
        default=Value("Standard"),
        output_field=CharField(),
    )


def _perm_columns(sobject: SObject) -> dict[str, tuple[ExprFor, bool, Callable[[Any], Any]]]:
    # Permissions are a JSON list on the row: read whole, answered per permission, and
    # not filterable (JSON containment differs across databases).
    return {
        f"Permissions{p.value}": (
            _path("permissions"),
            False,
            (lambda perm: lambda value: perm in (value or []))(p.value),
        )
        for p in Perm
    }


IS_DELETED = Field("IsDeleted", "Deleted", "boolean", lambda row: False)

# Per object: field name → ORM attribute, or (expression, filterable, convert).
_MAPPING: dict[str, dict[str, Any]] = {
    "CollaborationGroup": {
        "Id": "pk",
        "Name": "name",
        "Description": "description",
        "InformationTitle": "information_title",
        "InformationBody": "information_text",
        "CollaborationType": "access_type",
        "CanHaveGuests": "allow_customers",
        "IsBroadcast": "broadcast_only",
        "IsArchived": "is_archived",
        "OwnerId": _group_owner_id,
        "MemberCount": _group_member_count,
        "CreatedDate": "created_at",
        "LastModifiedDate": "updated_at",
    },
    "CollaborationGroupMember": {
        "Id": "pk",
        "CollaborationGroupId": "group_id",
        "MemberId": "user_id",
        "CollaborationRole": _membership_role,
        "NotificationFrequency": _const("N", CharField()),
        "CreatedDate": "joined_at",
    },
    "User": {
        "Id": "pk",
        "Username": "username",
        "Email": "email",
        "FirstName": "first_name",
        "LastName": "last_name",
        "Name": _user_name,
        "CompanyName": "company_name",
        "Department": "department",
        "Title": "title",
        "UserType": "user_type",
        "IsActive": "is_active",
        "ProfileId": "profile_id",
        "CreatedDate": "date_joined",
    },
    "Profile": {
        "Id": "pk",
        "Name": "name",
        "Description": "description",
        "UserType": _profile_user_type,
    },
    "PermissionSet": {
        "Id": "pk",
        "Name": "api_name",
        "Label": "label",
        "Description": "description",
        "IsOwnedByProfile": _const(False, BooleanField()),
    },
    "PermissionSetAssignment": {
        "Id": "pk",
        "AssigneeId": "user_id",
        "PermissionSetId": "permission_set_id",
        "SystemModstamp": "assigned_at",
    },
    "CollaborationInvitation": {
        "Id": "pk",
        "SharedEntityId": "group_id",
        "InvitedUserEmail": "email",
        "InvitedUserEmailNormalized": "email_key",
        "InviterId": "inviter_id",
        "OptionalMessage": "message",
        "Status": "status",
        "CreatedDate": "sent_at",
    },
    "FeedItem": {
        "Id": "pk",
        "ParentId": "group_id",
        "Body": "body",
        "Type": _const("TextPost", CharField()),
        "CreatedById": "author_id",
        "CreatedDate": "created_at",
    },
    "FeedComment": {
        "Id": "pk",
        "FeedItemId": "post_id",
        "ParentId": "post__group_id",
        "CommentBody": "body",
        "CreatedById": "author_id",
        "CreatedDate": "created_at",
    },
}

_PARENTS: dict[str, list[Parent]] = {
    "CollaborationGroup": [
        Parent("Owner", "User", "OwnerId", via=_group_owner, via_path="user__"),
    ],
    "CollaborationGroupMember": [
        Parent("CollaborationGroup", "CollaborationGroup", "CollaborationGroupId", "group__"),
        Parent("Member", "User", "MemberId", "user__"),
    ],
    "User": [Parent("Profile", "Profile", "ProfileId", "profile__")],
    "PermissionSetAssignment": [
        Parent("Assignee", "User", "AssigneeId", "user__"),
        Parent("PermissionSet", "PermissionSet", "PermissionSetId", "permission_set__"),
    ],
    "CollaborationInvitation": [
        Parent("SharedEntity", "CollaborationGroup", "SharedEntityId", "group__"),
        Parent("Inviter", "User", "InviterId", "inviter__"),
    ],
    "FeedItem": [
        Parent("Parent", "CollaborationGroup", "ParentId", "group__"),
        Parent("CreatedBy", "User", "CreatedById", "author__"),
    ],
    "FeedComment": [
        Parent("FeedItem", "FeedItem", "FeedItemId", "post__"),
        Parent("Parent", "CollaborationGroup", "ParentId", "post__group__"),
        Parent("CreatedBy", "User", "CreatedById", "author__"),
    ],
}

_CHILDREN: dict[str, list[Child]] = {
    "CollaborationGroup": [
        Child("GroupMembers", "CollaborationGroupMember", "CollaborationGroupId"),
    ],
    "User": [
        Child("GroupMemberships", "CollaborationGroupMember", "MemberId"),
        Child("PermissionSetAssignments", "PermissionSetAssignment", "AssigneeId"),
    ],
    "PermissionSet": [Child("Assignments", "PermissionSetAssignment", "PermissionSetId")],
    "FeedItem": [Child("FeedComments", "FeedComment", "FeedItemId")],
}


def _column(meta: Field, spec: Any) -> Column:
    if isinstance(spec, str):
        return Column(meta, _path(spec))
    if isinstance(spec, tuple):
        expr, filterable, convert = spec
        return Column(meta, expr, filterable, convert)
    return Column(meta, spec)


# Which columns a stored search column contains (``Column.contained_in``).
_CONTAINED_IN: dict[str, dict[str, str]] = {
    "User": {name: "search_name" for name in ("Name", "FirstName", "LastName", "Username")},
}


def _entity(sobject: SObject) -> Entity:
    mapping: dict[str, Any] = dict(_MAPPING[sobject.name])
    if sobject.name in ("Profile", "PermissionSet"):
        mapping.update(_perm_columns(sobject))
    contained = _CONTAINED_IN.get(sobject.name, {})
    columns = {
        f.name.lower(): replace(_column(f, mapping[f.name]), contained_in=contained.get(f.name, ""))
        for f in sobject.fields
        if f.name in mapping
    }
    columns["isdeleted"] = Column(IS_DELETED, _const(False, BooleanField()))
    return Entity(
        sobject=sobject,
        columns=columns,
        parents={p.name.lower(): p for p in _PARENTS.get(sobject.name, [])},
        children={c.name.lower(): c for c in _CHILDREN.get(sobject.name, [])},
    )


ENTITIES: dict[str, Entity] = {key: _entity(s) for key, s in SOBJECTS.items()}


def entity_named(name: str) -> Entity | None:
    return ENTITIES.get(name.lower())


def child_relationships(sobject_name: str) -> list[dict[str, Any]]:
    """``childRelationships`` of ``sobject_name``'s describe, from the same table."""
    return [
        {
            "cascadeDelete": True,
            "childSObject": c.target,
            "deprecatedAndHidden": False,
            "field": c.parent_field,
            "relationshipName": c.name,
            "restrictedDelete": False,
        }
        for c in _CHILDREN.get(sobject_name, [])
    ]
