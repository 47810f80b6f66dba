"""``/<id>``: a record's 15- or 18-character ID opens the record's page, as in Salesforce.

Whether the viewer may see the record is the API's own rule for the object
(the UI's access helpers): a record the viewer may not see answers 404 exactly
like one that does not exist, and so does anything that is not an ID.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_safe

from accounts.http import AuthenticatedRequest
from api.http import ApiError
from api.ids import MalformedId, sf_id_parse
from api.sobjects import SOBJECTS


def _page_of(name: str, row: Any) -> str:
    """The UI page of a record: people and groups their own, group records their group's."""
    if name == "User":
        return reverse("groups:profile", args=[row.pk])
    if name == "CollaborationGroup":
        return reverse("groups:detail", args=[row.pk])
    if name in ("CollaborationGroupMember", "CollaborationInvitation", "FeedItem"):
        return reverse("groups:detail", args=[row.group_id])
    if name == "FeedComment":
        return reverse("groups:detail", args=[row.post.group_id])
    if name == "Profile":
        return reverse("setup:profile_detail", args=[row.pk])
    if name == "PermissionSet":
        return reverse("setup:permission_set_detail", args=[row.pk])
    if name == "PermissionSetAssignment":
        return reverse("setup:user_detail", args=[row.user_id])
    raise Http404


@login_required
@require_safe
def record_redirect(request: AuthenticatedRequest, record_id: str) -> HttpResponse:
    try:
        name, _pk = sf_id_parse(record_id)
    except MalformedId:
        raise Http404 from None
    if name == "Organization":
        if request.user.is_customer:
            raise Http404
        return redirect("setup:company_information")
    sobject = SOBJECTS.get(name.lower())
    if sobject is None:
        raise Http404
    try:
        row = sobject.get(request.user, record_id)
    except (PermissionDenied, MalformedId, ApiError):
        raise Http404 from None
    return redirect(_page_of(name, row))
