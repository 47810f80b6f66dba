"""``{% record_id obj %}``: a record's 18-character Salesforce ID, for the line on its page."""

from __future__ import annotations

from django import template
from django.db.models import Model

from api.ids import sf_id

register = template.Library()

OBJECT_BY_MODEL = {
    "accounts.user": "User",
    "accounts.profile": "Profile",
    "accounts.permissionset": "PermissionSet",
    "groups.group": "CollaborationGroup",
    "groups.membership": "CollaborationGroupMember",
    "invitations.invitation": "CollaborationInvitation",
    "groups.post": "FeedItem",
    "groups.comment": "FeedComment",
}


@register.simple_tag
def record_id(obj: Model) -> str:
    return sf_id(OBJECT_BY_MODEL[obj._meta.label_lower], obj.pk) or ""
