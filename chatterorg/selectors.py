"""Reads of org-wide things."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

from chatterorg.models import Licence, Organization

# The org as read during the current request: every page needs it (the layout,
# the access rules), and it is read once per request, not once per caller.
_request_org: ContextVar[list[Organization] | None] = ContextVar("request_org", default=None)


def org_get() -> Organization:
    """The deployment's one org, created with defaults on first use.

    Inside a request (see ``OrgPerRequestMiddleware``) the first read is kept
    for the rest of the request; outside one (tasks, commands) it is read each time.
    """
    kept = _request_org.get()
    if kept:
        return kept[0]
    org, _ = Organization.objects.get_or_create(pk=1)
    if kept is not None:
        kept.append(org)
    return org


def licence_get(name: str) -> Licence:
    return Licence.objects.get(name=name)


class OrgPerRequestMiddleware:
    """Let ``org_get`` read the org once per request (a request never outlives its org read)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _request_org.set([])
        try:
            return self.get_response(request)
        finally:
            _request_org.reset(token)
