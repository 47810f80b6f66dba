"""Setup › Invitations: every invitation of the org, its filters, bulk actions and CSV export.

Open to "Manage Users". The page's query count does not depend on how many
invitations the org has: a capped count per status (four queries, each read off
an index), the capped count of the list and one page of rows with group and
inviter joined.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import AuthenticatedRequest
from accounts.permissions import Perm
from chatterorg.pagination import page_get
from chatterorg.views import confirm_resubmit_page, form_confirmed
from invitations.org_actions import (
    invitations_cancel_selected,
    invitations_resend_selected,
)
from invitations.selectors import (
    LIST_STATUSES,
    invitation_status_counts,
    invitations_org_filtered,
)
from setup.access import setup_required
from setup.invitation_forms import InvitationFilterForm

PAGE_SIZE = 50
EXPORT_CHUNK = 2000
EXPORT_HEADER = [
    "Email",
    "Status",
    "Group",
    "Invited By",
    "Sent",
    "Expires",
    "Accepted",
    "Canceled",
    "Accepted User",
    "Delivery",
    "Delivery Error",
]
manage_users_required = setup_required(Perm.MANAGE_USERS)


def _query_without(request: AuthenticatedRequest, *names: str) -> str:
    """The current query string without ``names`` (to add a page or a status to it)."""
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


@manage_users_required
@require_http_methods(["GET"])
def invitations(request: AuthenticatedRequest) -> HttpResponse:
    """Every invitation of the org, newest first, with counts per status."""
    form = InvitationFilterForm(request.GET)
    filters = form.filters()
    counts = invitation_status_counts(filters=filters)
    found = invitations_org_filtered(filters=filters).select_related(
        "group", "inviter", "accepted_user"
    )
    page = page_get(found, request.GET.get("page"), PAGE_SIZE)
    return render(
        request,
        "setup/invitations.html",
        {
            "form": form,
            "filters": filters,
            "page": page,
            "counts": [(status, counts.counts[status]) for status in LIST_STATUSES],
            "counts_capped": counts.capped,
            "total": counts.total,
            "query_without_page": _query_without(request, "page"),
            "query_without_status": _query_without(request, "page", "status"),
            "next_url": request.get_full_path(),
        },
    )


@manage_users_required
@require_POST
def invitations_bulk(request: AuthenticatedRequest) -> HttpResponse:
    """Resend or Cancel the selected invitations, then back to the same filtered page."""
    ids = [int(value) for value in request.POST.getlist("invitation") if value.isdigit()]
    operation = request.POST.get("operation")
    action = {"resend": invitations_resend_selected, "cancel": invitations_cancel_selected}.get(
        operation or ""
    )
    target = request.POST.get("next", "")
    if not target.startswith("/setup/invitations/"):
        target = "setup:invitations"
    if action is None:
        messages.error(request, "Choose Resend or Cancel.")
        return redirect(target)
    if operation == "cancel" and ids and not form_confirmed(request):
        # Canceling can't be undone: a confirm page first, which posts the same selection.
        count = len(set(ids))
        return confirm_resubmit_page(
            request,
            title=f"Cancel {count} invitation{'s' if count != 1 else ''}?",
            lines=[
                "The Join Now links in their emails stop working. This can't be undone.",
                "Invitations that are no longer pending are left as they are.",
            ],
            confirm_label="Cancel Invitations",
            back_url=resolve_url(target),
        )
    try:
        outcome = action(actor=request.user, invitation_ids=ids)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(target)
    verb = "Resent" if operation == "resend" else "Canceled"
    if outcome.changed:
        messages.success(request, f"{verb} {len(outcome.changed)}: {', '.join(outcome.changed)}.")
    if outcome.skipped:
        messages.warning(
            request,
            f"Not pending, so left as they are: {', '.join(outcome.skipped)}.",
        )
    return redirect(target)


def _cell(value: Any) -> str:
    """A CSV cell that a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def _when(value: Any) -> str:
    return timezone.localtime(value).isoformat() if value is not None else ""


class _Echo:
    """A file-like object whose ``write`` hands the line back, for ``csv.writer``."""

    def write(self, value: str) -> str:
        return value


def _export_rows(rows: Iterator[tuple[Any, ...]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(EXPORT_HEADER)
    now = timezone.now()
    for row in rows:
        (email, status, expires_at, sent_at, accepted_at, canceled_at, group, inviter,
         accepted_user, delivery, delivery_error) = row  # fmt: skip
        shown = "Expired" if status == "Sent" and expires_at < now else status
        yield writer.writerow(
            [
                _cell(email),
                shown,
                _cell(group) if group is not None else "Coworker (no group)",
                _cell(inviter),
                _when(sent_at),
                _when(expires_at),
                _when(accepted_at),
                _when(canceled_at),
                _cell(accepted_user),
                delivery,
                _cell(delivery_error),
            ]
        )


@manage_users_required
@require_http_methods(["GET"])
def invitations_export(request: AuthenticatedRequest) -> HttpResponse:
    """The filtered list as CSV, streamed: one query read in chunks, whatever its size."""
    filters = InvitationFilterForm(request.GET).filters()
    rows = (
        invitations_org_filtered(filters=filters)
        .values_list(
            "email",
            "status",
            "expires_at",
            "sent_at",
            "accepted_at",
            "canceled_at",
            "group__name",
            "inviter__username",
            "accepted_user__username",
            "delivery_status",
            "delivery_error",
        )
        .iterator(chunk_size=EXPORT_CHUNK)
    )
    response = StreamingHttpResponse(_export_rows(rows), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="invitations-{stamp}.csv"'
    return response  # type: ignore[return-value]  # a streaming response is a response
