"""The invitations panel shown in a group's manager area, and the badges of an invitation's
status and delivery."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from chatterorg.selectors import org_get
from invitations.access import coworker_invite_allowed
from invitations.selectors import invitations_pending

if TYPE_CHECKING:
    from groups.access import GroupCapabilities
    from groups.models import Group

register = template.Library()

# The panel shows at most this many pending invitations; the full list page has the rest.
PANEL_LIMIT = 10


# SLDS badge themes, as Lightning list views colour a status.
_STATUS_BADGE = {
    "Sent": "slds-badge",
    "Expired": "slds-badge slds-theme_warning",
    "Accepted": "slds-badge slds-theme_success",
    "Canceled": "slds-badge slds-badge_inverse",
}
_DELIVERY_BADGE = {
    "queued": ("slds-badge slds-badge_lightest", "Queued"),
    "sent": ("slds-badge slds-theme_success", "Sent"),
    "failed": ("slds-badge slds-theme_error", "Failed"),
}


@register.filter
def status_badge(status: str) -> SafeString:
    """An invitation's ``display_status`` (Sent, Expired, Accepted, Canceled) as a badge."""
    return format_html(
        '<span class="{}">{}</span>', _STATUS_BADGE.get(status, "slds-badge"), status
    )


@register.filter
def delivery_badge(delivery_status: str) -> SafeString:
    """The last delivery of an invitation's email (queued, sent, failed) as a badge."""
    css, label = _DELIVERY_BADGE.get(delivery_status, _DELIVERY_BADGE["queued"])
    return format_html('<span class="{}">{}</span>', css, label)


@register.inclusion_tag("invitations/_group_panel.html", takes_context=True)
def invitation_panel(
    context: template.Context, group: Group, caps: GroupCapabilities
) -> dict[str, Any]:
    """The "Invite People" link and the pending invitations, as the capabilities allow.

    Fixed query count: one query (inviter joined) for up to PANEL_LIMIT + 1 rows.
    """
    request = context.get("request")
    pending: list[Any] = []
    more = False
    if caps.manage_members:
        rows = list(invitations_pending(group=group)[: PANEL_LIMIT + 1])
        more = len(rows) > PANEL_LIMIT
        pending = rows[:PANEL_LIMIT]
    return {
        "group": group,
        "caps": caps,
        "pending": pending,
        "more": more,
        "csrf_token": context.get("csrf_token"),
        # The base layout's org: "On hold" while customer invitations are off.
        "org": context.get("org"),
        "request": request,
        # Resend and Cancel come back to the page they were pressed on.
        "next_url": request.get_full_path() if request is not None else "",
    }


@register.simple_tag(takes_context=True)
def coworker_invite_link(context: template.Context) -> str:
    """The People page's "Invite Coworkers" button, for those ``coworker_invite_allowed`` lets."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    if not coworker_invite_allowed(user=user, org=org_get()):
        return ""
    return format_html(
        '<p><a class="button" href="{}">Invite Coworkers</a></p>',
        reverse("invitations:invite_coworkers"),
    )
