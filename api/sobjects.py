"""The org's sObjects: their describe metadata, records as JSON, and writes through actions.

Each object names its fields once (Salesforce name, type, length, whether
createable/updateable) and answers four questions for a viewer: which rows they
may see (the same selectors and access helpers as the UI), and how a create,
an update and a delete map onto the UI's actions. Nothing here decides a rule:
a refused action answers as the UI refuses it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from accounts.actions import (
    permission_set_assign,
    permission_set_unassign,
    user_create_internal,
    user_update_internal,
)
from accounts.models import PermissionSet, PermissionSetAssignment, Profile, User
from accounts.permissions import Perm, user_has_perm
from api.http import FIELD_API_NAMES, ApiError
from api.ids import MalformedId, sf_id, sf_pk
from groups.access import group_for_user, post_for_user, require
from groups.actions import (
    comment_create,
    group_create,
    group_delete,
    group_transfer_ownership,
    group_update,
    membership_add,
    membership_remove,
    membership_set_role,
    post_create,
    post_delete,
)
from groups.models import Comment, Group, Membership, Post
from groups.selectors import groups_visible_to, member_counts, people_visible_to
from invitations.access import invitation_cancel_allowed
from invitations.actions import invitation_cancel, invitations_send, invite_request_clean
from invitations.models import Invitation

Getter = Callable[[Any], Any]


def sf_datetime(value: datetime | None) -> str | None:
    """Salesforce's dateTime: ``2026-03-01T09:30:00.000+0000``."""
    if value is None:
        return None
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}+0000"


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    type: str  # id, string, textarea, email, boolean, picklist, reference, datetime, int
    get: Getter
    length: int = 0
    createable: bool = False
    updateable: bool = False
    nillable: bool = True
    picklist: tuple[str, ...] = ()
    reference_to: str = ""
    # Required on create (REQUIRED_FIELD_MISSING without it).
    required: bool = False

    def describe(self) -> dict[str, Any]:
        soap_types = {
            "id": "tns:ID",
            "reference": "tns:ID",
            "boolean": "xsd:boolean",
            "datetime": "xsd:dateTime",
            "int": "xsd:int",
        }
        return {
            "name": self.name,
            "label": self.label,
            "type": self.type,
            "length": self.length,
            "byteLength": self.length * 3,
            "digits": 9 if self.type == "int" else 0,
            "precision": 0,
            "scale": 0,
            "soapType": soap_types.get(self.type, "xsd:string"),
            "createable": self.createable,
            "updateable": self.updateable,
            "nillable": self.nillable and self.type != "boolean",
            "defaultedOnCreate": self.type == "boolean" or self.name in ("Id", "CreatedDate"),
            "filterable": True,
            "sortable": self.type != "textarea",
            "unique": self.name in ("Id", "Username"),
            "idLookup": self.name in ("Id", "Username"),
            "custom": False,
            "calculated": False,
            "autoNumber": False,
            "externalId": False,
            "nameField": self.name == "Name",
            "picklistValues": [
                {"active": True, "defaultValue": i == 0, "label": v, "validFor": None, "value": v}
                for i, v in enumerate(self.picklist)
            ],
            "referenceTo": [self.reference_to] if self.reference_to else [],
            "relationshipName": self.name[:-2] if self.reference_to else None,
        }


def _id_field(object_name: str) -> Field:
    return Field("Id", f"{object_name} ID", "id", lambda o: sf_id(object_name, o.pk), 18)


def _ref(name: str, label: str, to: str, get: Getter, **kw: Any) -> Field:
    return Field(name, label, "reference", lambda o: sf_id(to, get(o)), 18, reference_to=to, **kw)


def _created(attr: str = "created_at") -> Field:
    return Field("CreatedDate", "Created Date", "datetime", lambda o: sf_datetime(getattr(o, attr)))


def _perm_getter(get_perms: Getter, perm: Perm) -> Getter:
    return lambda row: perm.value in get_perms(row)


def _perm_fields(get_perms: Getter) -> list[Field]:
    return [
        Field(f"Permissions{p.value}", p.label, "boolean", _perm_getter(get_perms, p)) for p in Perm
    ]


@dataclass
class SObject:
    """One object: metadata, the rows a viewer may see, and its writes."""

    name: str
    label: str
    label_plural: str
    fields: list[Field]
    visible: Callable[[User], QuerySet[Any]]
    fetch: Callable[[User, int], Model] | None = None
    create: Callable[[User, dict[str, Any]], Model] | None = None
    update: Callable[[User, Any, dict[str, Any]], None] | None = None
    delete: Callable[[User, Any], None] | None = None
    # Customers get 403 on org-wide objects (REFERENCE §8).
    internal_only: bool = False
    by_name: dict[str, Field] = field(init=False)

    def __post_init__(self) -> None:
        self.by_name = {f.name.lower(): f for f in self.fields}

    def field_named(self, name: str) -> Field:
        found = self.by_name.get(name.strip().lower())
        if found is None:
            raise ApiError(
                400,
                "INVALID_FIELD",
                f"No such column '{name}' on entity '{self.name}'. If you are attempting to use "
                "a custom field, be sure to append the '__c' after the custom field name.",
            )
        return found

    def check_access(self, viewer: User) -> None:
        if self.internal_only and viewer.is_customer:
            raise PermissionDenied

    def get(self, viewer: User, record_id: str) -> Model:
        """The row ``record_id`` names if ``viewer`` may see it; 404 alike otherwise."""
        self.check_access(viewer)
        pk = sf_pk(self.name, record_id)
        if self.fetch is not None:
            return self.fetch(viewer, pk)
        row = self.visible(viewer).filter(pk=pk).first()
        if row is None:
            raise Http404
        return row

    def record(self, row: Any, fields: list[Field] | None = None) -> dict[str, Any]:
        record_id = sf_id(self.name, row.pk)
        data: dict[str, Any] = {
            "attributes": {"type": self.name, "url": f"/sobjects/{self.name}/{record_id}"}
        }
        for f in fields or self.fields:
            data[f.name] = f.get(row)
        return data

    def writable(self, data: dict[str, Any], *, creating: bool) -> dict[str, Any]:
        """``data`` keyed by field name, every field known and writable (400 otherwise)."""
        values: dict[str, Any] = {}
        for key, value in data.items():
            if key == "attributes":
                continue
            f = self.field_named(key)
            if not (f.createable if creating else f.updateable):
                raise ApiError(
                    400,
                    "INVALID_FIELD_FOR_INSERT_UPDATE",
                    f"Unable to create/update fields: {f.name}. Please check the security "
                    "settings of this field and verify that it is read/write for your profile "
                    "or permission set.",
                    [f.name],
                )
            if f.type == "boolean" and not isinstance(value, bool):
                raise ApiError(
                    400, "JSON_PARSER_ERROR", f"Cannot deserialize {f.name}: not a boolean", []
                )
            if f.type in ("string", "textarea", "email", "picklist", "reference") and not (
                value is None or isinstance(value, str)
            ):
                raise ApiError(
                    400, "JSON_PARSER_ERROR", f"Cannot deserialize {f.name}: not a string", []
                )
            if f.picklist and value not in f.picklist:
                raise ApiError(
                    400,
                    "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                    f"{f.label}: bad value for restricted picklist field: {value}",
                    [f.name],
                )
            if f.length and isinstance(value, str) and len(value) > f.length:
                raise ApiError(
                    400,
                    "STRING_TOO_LONG",
                    f"{f.label}: data value too large: {value[:40]} (max length={f.length})",
                    [f.name],
                )
            values[f.name] = value
        if creating:
            missing = [
                f.name for f in self.fields if f.required and values.get(f.name) in (None, "")
            ]
            if missing:
                raise ApiError(
                    400,
                    "REQUIRED_FIELD_MISSING",
                    f"Required fields are missing: [{', '.join(missing)}]",
                    missing,
                )
        return values


def _reference(object_name: str, value: Any) -> int:
    """The primary key a reference field's value names (400 for a malformed or foreign ID)."""
    try:
        return sf_pk(object_name, value)
    except MalformedId:
        raise ApiError(
            400,
            "MALFORMED_ID",
            f"{object_name} ID: id value of incorrect type: {value}",
        ) from None


def _visible_user(viewer: User, value: Any, field_name: str) -> User:
    pk = _reference("User", value)
    user = people_visible_to(viewer).filter(pk=pk).first()
    if user is None:
        raise ApiError(
            400,
            "INVALID_CROSS_REFERENCE_KEY",
            f"invalid cross reference id: {value}",
            [field_name],
        )
    return user


def _group_with_caps(viewer: User, value: Any, field_name: str) -> Any:
    pk = _reference("CollaborationGroup", value)
    try:
        return group_for_user(viewer, pk)
    except Http404:
        raise ApiError(
            400,
            "INVALID_CROSS_REFERENCE_KEY",
            f"invalid cross reference id: {value}",
            [field_name],
        ) from None


# --- CollaborationGroup -----------------------------------------------------------------

GROUP_FIELD_NAMES = {
    "Name": "name",
    "Description": "description",
    "InformationTitle": "information_title",
    "InformationBody": "information_text",
    "CollaborationType": "access_type",
    "CanHaveGuests": "allow_customers",
    "IsBroadcast": "broadcast_only",
    "IsArchived": "is_archived",
}
GROUP_API_NAMES = {attr: name for name, attr in GROUP_FIELD_NAMES.items()}


def _owner_id(group: Group) -> int | None:
    owner = getattr(group, "owner_pk", None)
    if owner is None:
        owner = (
            Membership.objects.filter(group=group, role=Membership.Role.OWNER)
            .values_list("user_id", flat=True)
            .first()
        )
    return owner


def _member_count(group: Group) -> int:
    count = getattr(group, "member_count", None)
    if count is None:
        count = member_counts([group.pk])[group.pk][1]
    return int(count)


def _group_fetch(viewer: User, pk: int) -> Group:
    group, _caps = group_for_user(viewer, pk)
    return group


def _group_create(viewer: User, values: dict[str, Any]) -> Group:
    changes = {GROUP_FIELD_NAMES[k]: v for k, v in values.items() if k in GROUP_FIELD_NAMES}
    changes.pop("is_archived", None)
    group = group_create(actor=viewer, **changes)
    if values.get("IsArchived"):
        group_update(actor=viewer, group=group, is_archived=True)
    return group


def _group_update(viewer: User, group: Group, values: dict[str, Any]) -> None:
    changes = {GROUP_FIELD_NAMES[k]: v for k, v in values.items() if k in GROUP_FIELD_NAMES}
    if "OwnerId" in values:
        new_owner = _visible_user(viewer, values["OwnerId"], "OwnerId")
        if new_owner.pk != _owner_id(group):
            group_transfer_ownership(actor=viewer, group=group, new_owner=new_owner)
    if changes:
        group_update(actor=viewer, group=group, **changes)


COLLABORATION_GROUP = SObject(
    name="CollaborationGroup",
    label="Group",
    label_plural="Groups",
    fields=[
        _id_field("CollaborationGroup"),
        Field("Name", "Name", "string", lambda g: g.name, 40, True, True, False, required=True),
        Field("Description", "Description", "textarea", lambda g: g.description, 1000, True, True),
        Field(
            "InformationTitle",
            "Information Title",
            "string",
            lambda g: g.information_title,
            100,
            True,
            True,
        ),
        Field(
            "InformationBody",
            "Information Body",
            "textarea",
            lambda g: g.information_text,
            4000,
            True,
            True,
        ),
        Field(
            "CollaborationType",
            "Access Type",
            "picklist",
            lambda g: g.access_type,
            40,
            True,
            True,
            False,
            ("Public", "Private", "Unlisted"),
        ),
        Field(
            "CanHaveGuests",
            "Allow Customers",
            "boolean",
            lambda g: g.allow_customers,
            0,
            True,
            True,
        ),
        Field(
            "IsBroadcast", "Broadcast Only", "boolean", lambda g: g.broadcast_only, 0, True, True
        ),
        Field("IsArchived", "Archived", "boolean", lambda g: g.is_archived, 0, True, True),
        _ref("OwnerId", "Owner ID", "User", _owner_id, updateable=True),
        Field("MemberCount", "Member Count", "int", _member_count),
        _created(),
        Field(
            "LastModifiedDate",
            "Last Modified Date",
            "datetime",
            lambda g: sf_datetime(g.updated_at),
        ),
    ],
    visible=groups_visible_to,
    fetch=_group_fetch,
    create=_group_create,
    update=_group_update,
    delete=lambda viewer, group: group_delete(actor=viewer, group=group),
)


# --- CollaborationGroupMember -------------------------------------------------------------

ROLE_TO_SF = {"Owner": "Admin", "Manager": "Admin", "Member": "Standard"}


def _group_content_q(viewer: User, group: str) -> Q:
    """The rows whose group (reached by the path ``group``) shows ``viewer`` its content,
    its members and its feed: members see it, and for Public groups every internal user;
    the outside of a Private group shows none.

    An internal user sees every Public group, so the rows come by a join on their own
    group, not by a list of every Public group's id: a query with ``ORDER BY … LIMIT``
    can then read the newest rows off an index and stop.
    """
    mine = Membership.objects.filter(user_id=viewer.pk).values("group_id")
    if viewer.is_customer or not viewer.is_active:
        return Q(**{f"{group}__in": groups_visible_to(viewer)})
    return Q(**{f"{group}__access_type": Group.AccessType.PUBLIC}) | Q(**{f"{group}__in": mine})


def _memberships_visible(viewer: User) -> QuerySet[Membership]:
    return Membership.objects.filter(_group_content_q(viewer, "group"))


def _membership_fetch(viewer: User, pk: int) -> Membership:
    membership = Membership.objects.select_related("group", "user").filter(pk=pk).first()
    if membership is None:
        raise Http404
    group, caps = group_for_user(viewer, membership.group_id)
    if not caps.view_content:
        raise Http404
    membership.group = group
    return membership


def _membership_create(viewer: User, values: dict[str, Any]) -> Membership:
    group, _caps = _group_with_caps(viewer, values["CollaborationGroupId"], "CollaborationGroupId")
    user = _visible_user(viewer, values["MemberId"], "MemberId")
    role = (
        Membership.Role.MANAGER
        if values.get("CollaborationRole") == "Admin"
        else Membership.Role.MEMBER
    )
    return membership_add(actor=viewer, group=group, user=user, role=role)


def _membership_update(viewer: User, membership: Membership, values: dict[str, Any]) -> None:
    if "CollaborationRole" in values:
        if membership.role == Membership.Role.OWNER and values["CollaborationRole"] == "Admin":
            return
        role = (
            Membership.Role.MANAGER
            if values["CollaborationRole"] == "Admin"
            else Membership.Role.MEMBER
        )
        membership_set_role(actor=viewer, membership=membership, role=role)


COLLABORATION_GROUP_MEMBER = SObject(
    name="CollaborationGroupMember",
    label="Group Member",
    label_plural="Group Members",
    fields=[
        _id_field("CollaborationGroupMember"),
        _ref(
            "CollaborationGroupId",
            "Group ID",
            "CollaborationGroup",
            lambda m: m.group_id,
            createable=True,
            nillable=False,
            required=True,
        ),
        _ref(
            "MemberId",
            "Member ID",
            "User",
            lambda m: m.user_id,
            createable=True,
            nillable=False,
            required=True,
        ),
        Field(
            "CollaborationRole",
            "Collaboration Role",
            "picklist",
            lambda m: ROLE_TO_SF[m.role],
            40,
            True,
            True,
            True,
            ("Standard", "Admin"),
        ),
        Field(
            "NotificationFrequency",
            "Notification Frequency",
            "picklist",
            lambda m: "N",
            40,
            picklist=("P", "D", "W", "N"),
        ),
        _created("joined_at"),
    ],
    visible=_memberships_visible,
    fetch=_membership_fetch,
    create=_membership_create,
    update=_membership_update,
    delete=lambda viewer, membership: membership_remove(actor=viewer, membership=membership),
)


# --- User ---------------------------------------------------------------------------------

USER_FIELD_NAMES = {
    "Username": "username",
    "Email": "email",
    "FirstName": "first_name",
    "LastName": "last_name",
    "CompanyName": "company_name",
    "Department": "department",
    "Title": "title",
}
USER_API_NAMES = {attr: name for name, attr in USER_FIELD_NAMES.items()} | {
    "is_active": "IsActive",
    "profile": "ProfileId",
}


def _require_manage_users(viewer: User) -> None:
    require(user_has_perm(viewer, Perm.MANAGE_USERS))


def _profile(value: Any) -> Profile:
    profile = (
        Profile.objects.select_related("licence").filter(pk=_reference("Profile", value)).first()
    )
    if profile is None:
        raise ApiError(
            400,
            "INVALID_CROSS_REFERENCE_KEY",
            f"invalid cross reference id: {value}",
            ["ProfileId"],
        )
    return profile


def _user_create(viewer: User, values: dict[str, Any]) -> User:
    _require_manage_users(viewer)
    fields: dict[str, Any] = {
        USER_FIELD_NAMES[k]: v or "" for k, v in values.items() if k in USER_FIELD_NAMES
    }
    return user_create_internal(
        actor=viewer,
        profile=_profile(values["ProfileId"]),
        is_active=values.get("IsActive", True),
        **fields,
    )


def _user_update(viewer: User, user: User, values: dict[str, Any]) -> None:
    _require_manage_users(viewer)
    changes: dict[str, Any] = {
        USER_FIELD_NAMES[k]: v or "" for k, v in values.items() if k in USER_FIELD_NAMES
    }
    if "IsActive" in values:
        changes["is_active"] = values["IsActive"]
    if "ProfileId" in values:
        changes["profile"] = _profile(values["ProfileId"])
    user_update_internal(actor=viewer, user=user, **changes)


def _users_visible(viewer: User) -> QuerySet[User]:
    # Admins who manage users see deactivated users too (to reactivate them).
    if user_has_perm(viewer, Perm.MANAGE_USERS):
        return User.objects.all()
    return people_visible_to(viewer)


USER = SObject(
    name="User",
    label="User",
    label_plural="Users",
    fields=[
        _id_field("User"),
        Field(
            "Username",
            "Username",
            "string",
            lambda u: u.username,
            80,
            True,
            True,
            False,
            required=True,
        ),
        Field("Email", "Email", "email", lambda u: u.email, 240, True, True, False, required=True),
        Field("FirstName", "First Name", "string", lambda u: u.first_name, 40, True, True),
        Field(
            "LastName",
            "Last Name",
            "string",
            lambda u: u.last_name,
            80,
            True,
            True,
            False,
            required=True,
        ),
        Field("Name", "Full Name", "string", lambda u: u.name, 121),
        Field("CompanyName", "Company Name", "string", lambda u: u.company_name, 80, True, True),
        Field("Department", "Department", "string", lambda u: u.department, 80, True, True),
        Field("Title", "Title", "string", lambda u: u.title, 80, True, True),
        Field(
            "UserType",
            "User Type",
            "picklist",
            lambda u: u.user_type,
            40,
            picklist=tuple(User.UserType.values),
        ),
        Field("IsActive", "Active", "boolean", lambda u: u.is_active, 0, True, True),
        _ref(
            "ProfileId",
            "Profile ID",
            "Profile",
            lambda u: u.profile_id,
            createable=True,
            updateable=True,
            nillable=False,
            required=True,
        ),
        _created("date_joined"),
    ],
    visible=_users_visible,
    create=_user_create,
    update=_user_update,
)


# --- Profile, PermissionSet, PermissionSetAssignment --------------------------------------

PROFILE = SObject(
    name="Profile",
    label="Profile",
    label_plural="Profiles",
    fields=[
        _id_field("Profile"),
        Field("Name", "Name", "string", lambda p: p.name, 255),
        Field("Description", "Description", "string", lambda p: p.description, 255),
        Field(
            "UserType",
            "User Type",
            "picklist",
            lambda p: {"Chatter External": "ChatterGuest", "Chatter Free": "CsnOnly"}.get(
                p.licence.name, "Standard"
            ),
            40,
        ),
        *_perm_fields(lambda p: p.permissions),
    ],
    visible=lambda viewer: Profile.objects.select_related("licence"),
    internal_only=True,
)

PERMISSION_SET = SObject(
    name="PermissionSet",
    label="Permission Set",
    label_plural="Permission Sets",
    fields=[
        _id_field("PermissionSet"),
        Field("Name", "Name", "string", lambda p: p.api_name, 80),
        Field("Label", "Label", "string", lambda p: p.label, 80),
        Field("Description", "Description", "textarea", lambda p: p.description, 255),
        Field("IsOwnedByProfile", "Is Owned By Profile", "boolean", lambda p: False),
        *_perm_fields(lambda p: p.permissions),
    ],
    visible=lambda viewer: PermissionSet.objects.all(),
    internal_only=True,
)


def _assignment_create(viewer: User, values: dict[str, Any]) -> PermissionSetAssignment:
    _require_manage_users(viewer)
    user = _visible_user(viewer, values["AssigneeId"], "AssigneeId")
    permission_set = PermissionSet.objects.filter(
        pk=_reference("PermissionSet", values["PermissionSetId"])
    ).first()
    if permission_set is None:
        raise ApiError(
            400,
            "INVALID_CROSS_REFERENCE_KEY",
            f"invalid cross reference id: {values['PermissionSetId']}",
            ["PermissionSetId"],
        )
    if not permission_set_assign(actor=viewer, user=user, permission_set=permission_set):
        raise ApiError(
            400,
            "DUPLICATE_VALUE",
            "Duplicate PermissionSetAssignment. Assignee: " + str(values["AssigneeId"]),
        )
    return PermissionSetAssignment.objects.get(user=user, permission_set=permission_set)


def _assignment_delete(viewer: User, assignment: PermissionSetAssignment) -> None:
    _require_manage_users(viewer)
    permission_set_unassign(
        actor=viewer, user=assignment.user, permission_set=assignment.permission_set
    )


PERMISSION_SET_ASSIGNMENT = SObject(
    name="PermissionSetAssignment",
    label="Permission Set Assignment",
    label_plural="Permission Set Assignments",
    fields=[
        _id_field("PermissionSetAssignment"),
        _ref(
            "AssigneeId",
            "Assignee ID",
            "User",
            lambda a: a.user_id,
            createable=True,
            nillable=False,
            required=True,
        ),
        _ref(
            "PermissionSetId",
            "Permission Set ID",
            "PermissionSet",
            lambda a: a.permission_set_id,
            createable=True,
            nillable=False,
            required=True,
        ),
        Field(
            "SystemModstamp", "System Modstamp", "datetime", lambda a: sf_datetime(a.assigned_at)
        ),
    ],
    visible=lambda viewer: PermissionSetAssignment.objects.select_related("user", "permission_set"),
    create=_assignment_create,
    delete=_assignment_delete,
    internal_only=True,
)


# --- CollaborationInvitation --------------------------------------------------------------


def _invitations_visible(viewer: User) -> QuerySet[Invitation]:
    # The pending list of a group is shown to its managers; an inviter sees their own.
    managed = Membership.objects.filter(
        user_id=viewer.pk, role__in=[Membership.Role.OWNER, Membership.Role.MANAGER]
    ).values("group_id")
    if viewer.is_customer:
        return Invitation.objects.none()
    return Invitation.objects.filter(group_id__in=managed) | Invitation.objects.filter(
        inviter_id=viewer.pk, kind=Invitation.Kind.CUSTOMER
    )


def _invitation_fetch(viewer: User, pk: int) -> Invitation:
    invitation = Invitation.objects.filter(pk=pk).first()
    # A coworker invitation has no group: it is no CollaborationInvitation.
    if invitation is None or invitation.group_id is None:
        raise Http404
    group, caps = group_for_user(viewer, invitation.group_id)
    if not invitation_cancel_allowed(user=viewer, invitation=invitation, caps=caps):
        raise Http404
    invitation.group = group
    return invitation


def _invitation_create(viewer: User, values: dict[str, Any]) -> Invitation:
    group, _caps = _group_with_caps(viewer, values["SharedEntityId"], "SharedEntityId")
    invite = invite_request_clean(
        addresses=[values["InvitedUserEmail"]], message=values.get("OptionalMessage") or ""
    )
    outcome = invitations_send(actor=viewer, group=group, invite=invite)[0]
    if outcome.invitation_id is None:
        raise ApiError(
            400,
            "FIELD_INTEGRITY_EXCEPTION",
            f"{outcome.email}: {outcome.label}. No invitation was needed.",
            ["InvitedUserEmail"],
        )
    return Invitation.objects.get(pk=outcome.invitation_id)


def _invitation_delete(viewer: User, invitation: Invitation) -> None:
    invitation_cancel(actor=viewer, invitation=invitation)


COLLABORATION_INVITATION = SObject(
    name="CollaborationInvitation",
    label="Chatter Invitation",
    label_plural="Chatter Invitations",
    fields=[
        _id_field("CollaborationInvitation"),
        _ref(
            "SharedEntityId",
            "Shared Entity ID",
            "CollaborationGroup",
            lambda i: i.group_id,
            createable=True,
            nillable=False,
            required=True,
        ),
        Field(
            "InvitedUserEmail",
            "Invited User Email",
            "email",
            lambda i: i.email,
            240,
            True,
            False,
            False,
            required=True,
        ),
        Field(
            "InvitedUserEmailNormalized",
            "Normalized Invited User Email",
            "email",
            lambda i: i.email_key,
            240,
        ),
        _ref("InviterId", "Inviter ID", "User", lambda i: i.inviter_id),
        Field("OptionalMessage", "Optional Message", "textarea", lambda i: i.message, 255, True),
        Field(
            "Status",
            "Status",
            "picklist",
            lambda i: i.status,
            40,
            picklist=tuple(Invitation.Status.values),
        ),
        _created("sent_at"),
    ],
    visible=_invitations_visible,
    fetch=_invitation_fetch,
    create=_invitation_create,
    delete=_invitation_delete,
)


# --- FeedItem, FeedComment ----------------------------------------------------------------


def _feed_visible(viewer: User) -> QuerySet[Post]:
    return Post.objects.filter(_group_content_q(viewer, "group"))


def _post_fetch(viewer: User, pk: int) -> Post:
    post, _caps = post_for_user(viewer, pk)
    return post


def _post_create(viewer: User, values: dict[str, Any]) -> Post:
    group, _caps = _group_with_caps(viewer, values["ParentId"], "ParentId")
    return post_create(actor=viewer, group=group, body=values.get("Body") or "")


def _comment_fetch(viewer: User, pk: int) -> Comment:
    comment = Comment.objects.filter(pk=pk).first()
    if comment is None:
        raise Http404
    comment.post, _caps = post_for_user(viewer, comment.post_id)
    return comment


def _comment_create(viewer: User, values: dict[str, Any]) -> Comment:
    try:
        post, _caps = post_for_user(viewer, _reference("FeedItem", values["FeedItemId"]))
    except Http404:
        raise ApiError(
            400,
            "INVALID_CROSS_REFERENCE_KEY",
            f"invalid cross reference id: {values['FeedItemId']}",
            ["FeedItemId"],
        ) from None
    return comment_create(actor=viewer, post=post, body=values.get("CommentBody") or "")


FEED_ITEM = SObject(
    name="FeedItem",
    label="Feed Item",
    label_plural="Feed Items",
    fields=[
        _id_field("FeedItem"),
        _ref(
            "ParentId",
            "Parent ID",
            "CollaborationGroup",
            lambda p: p.group_id,
            createable=True,
            nillable=False,
            required=True,
        ),
        Field("Body", "Body", "textarea", lambda p: p.body, 10000, True, False, required=True),
        Field(
            "Type", "Feed Item Type", "picklist", lambda p: "TextPost", 40, picklist=("TextPost",)
        ),
        _ref("CreatedById", "Created By ID", "User", lambda p: p.author_id),
        _created(),
    ],
    visible=_feed_visible,
    fetch=_post_fetch,
    create=_post_create,
    delete=lambda viewer, post: post_delete(actor=viewer, post=post),
)

FEED_COMMENT = SObject(
    name="FeedComment",
    label="Feed Comment",
    label_plural="Feed Comments",
    fields=[
        _id_field("FeedComment"),
        _ref(
            "FeedItemId",
            "Feed Item ID",
            "FeedItem",
            lambda c: c.post_id,
            createable=True,
            nillable=False,
            required=True,
        ),
        _ref("ParentId", "Parent ID", "CollaborationGroup", lambda c: c.post.group_id),
        Field(
            "CommentBody",
            "Comment Body",
            "textarea",
            lambda c: c.body,
            10000,
            True,
            False,
            False,
            required=True,
        ),
        _ref("CreatedById", "Created By ID", "User", lambda c: c.author_id),
        _created(),
    ],
    visible=lambda viewer: Comment.objects.filter(
        _group_content_q(viewer, "post__group")
    ).select_related("post"),
    fetch=_comment_fetch,
    create=_comment_create,
)

SOBJECTS: dict[str, SObject] = {
    s.name.lower(): s
    for s in (
        USER,
        PROFILE,
        PERMISSION_SET,
        PERMISSION_SET_ASSIGNMENT,
        COLLABORATION_GROUP,
        COLLABORATION_GROUP_MEMBER,
        COLLABORATION_INVITATION,
        FEED_ITEM,
        FEED_COMMENT,
    )
}

# The action field names a refusal names, as the API calls them.
API_FIELD_NAMES: dict[str, str] = {
    **GROUP_API_NAMES,
    **USER_API_NAMES,
    "body": "Body",
    "addresses": "InvitedUserEmail",
    "message": "OptionalMessage",
}


def sobject_get(name: str) -> SObject:
    found = SOBJECTS.get(name.lower())
    if found is None:
        raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
    return found


FIELD_API_NAMES.update(API_FIELD_NAMES)
