"""Template helpers for group pages: the group photo, page links, Home panels."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.http import urlencode

from groups import selectors
from groups.models import Group

register = template.Library()


@register.inclusion_tag("groups/_photo.html")
def group_photo(group: Group, small: bool = False) -> dict[str, Any]:
    """The photo placeholder; groups that allow customers get the orange corner."""
    return {"group": group, "small": small, "initial": (group.name[:1] or "?").upper()}


@register.simple_tag(takes_context=True)
def page_url(context: template.Context, param: str, number: int) -> str:
    """``?…`` for page ``number`` of the list paged by ``param``, keeping other filters."""
    request = context["request"]
    query = request.GET.copy()
    query[param] = str(number)
    return "?" + urlencode(sorted(query.items()))


@register.simple_tag
def home_groups(user: Any) -> selectors.HomeGroups:
    """``{% home_groups user as home %}``: Home's groups and its recent posts' key."""
    return selectors.home_groups(user)


@register.inclusion_tag("groups/_home_groups.html")
def my_groups_panel(user: Any, groups: list[Group]) -> dict[str, Any]:
    """Home: the groups the user belongs to, with member counts (``home_groups``)."""
    return {"groups": groups, "user": user}


@register.inclusion_tag("groups/_home_posts.html")
def recent_posts_panel(user: Any) -> dict[str, Any]:
    """Home: the newest posts in the user's groups (one query; cached under
    ``home_groups``' key, so it runs only when that key is new)."""
    return {"posts": selectors.recent_posts_for(user)}


# Home lists at most this many requests; the group pages have the rest.
JOIN_REQUESTS_SHOWN = 10


@register.inclusion_tag("groups/_home_join_requests.html")
def join_requests_panel(user: Any) -> dict[str, Any]:
    """Home: "Requests to join (N)" for owners and managers (a capped count and one page)."""
    if not getattr(user, "is_authenticated", False) or user.is_customer:
        return {"count": 0, "requests": []}
    pending = selectors.join_requests_to_answer(user)
    requests = list(pending[: JOIN_REQUESTS_SHOWN + 1])
    count = len(requests) if len(requests) <= JOIN_REQUESTS_SHOWN else pending.count()
    return {"count": count, "requests": requests[:JOIN_REQUESTS_SHOWN]}
