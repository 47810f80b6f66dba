"""The invitations panel shown in a group's manager area, and the badges of an invitation's
status and delivery."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import template
from django.template.defaulttags import CsrfTokenNode
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString

from chatterorg.selectors import org_get
from chatterorg.templatetags.chatter import id_url
from invitations.access import coworker_invite_allowed
from invitations.selectors import invitations_pending

if TYPE_CHECKING:
    from groups.access import GroupCapabilities
    from groups.models import Group

register = template.Library()

# Where ``invitation_actions`` keeps what every row of one render shares.
_ACTIONS_SHARED = "invitations.actions.shared"

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


@register.simple_tag(takes_context=True)
def invitation_actions(
    context: template.Context,
    invitation: Any,
    *,
    resend: bool,
    resend_route: str,
    cancel_route: str,
    small: bool = False,
) -> SafeString:
    """Resend and Cancel of one pending invitation, for every list that shows them.

    ``resend``: whether Resend shows; the routes take the invitation's id; ``small``:
    the small buttons of a narrow card. Both come back to the context's ``next_url``.
    Written here rather than as an include: a list shows it on every row, and an
    include costs about 60 µs a row against a tenth of that.
    """
    size = " slds-button_small" if small else ""
    # Rendered once a page, not once a row. Keyed on the token in the context: inside a
    # cached fragment it is the fragment's mark, which must never meet the viewer's own.
    token, back_to = str(context.get("csrf_token")), str(context.get("next_url", ""))
    key = f"{_ACTIONS_SHARED}:{token}:{back_to}"
    shared = context.render_context.get(key)
    if shared is None:
        shared = (CsrfTokenNode().render(context), escape(back_to))
        context.render_context[key] = shared
    csrf_input, next_url = shared
    email = escape(invitation.email)
    back = f'<input type="hidden" name="next" value="{next_url}">'
    html = ""
    if resend:
        html = (
            f'<form method="post" action="{id_url(resend_route, invitation.pk)}" '
            f'class="inline-form">{csrf_input}{back}'
            f'<button type="submit" class="slds-button slds-button_neutral{size}" '
            f'aria-label="Resend invitation to {email}">Resend</button></form>'
        )
    return SafeString(
        f'{html}<form method="get" action="{id_url(cancel_route, invitation.pk)}" '
        f'class="inline-form" data-confirm>{back}'
        f'<button type="submit" class="slds-button slds-button_text-destructive{size} '
        f'slds-m-left_xx-small" aria-label="Cancel invitation to {email}">Cancel</button></form>'
    )


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
