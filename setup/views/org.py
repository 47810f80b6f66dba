"""Setup home, Chatter Settings, Company Information and the Setup Audit Trail."""

from __future__ import annotations

import copy

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedRequest
from accounts.permissions import Perm
from chatterorg.actions import org_settings_update
from chatterorg.models import AuditEvent, Licence
from chatterorg.pagination import page_get
from chatterorg.selectors import org_get
from setup.access import setup_required
from setup.forms import ChatterSettingsForm

AUDIT_TRAIL_PAGE_SIZE = 50


@setup_required(Perm.CUSTOMIZE_APPLICATION, Perm.MANAGE_USERS)
@require_http_methods(["GET"])
def setup_home(request: AuthenticatedRequest) -> HttpResponse:
    return render(request, "setup/home.html")


@setup_required(Perm.CUSTOMIZE_APPLICATION)
@require_http_methods(["GET", "POST"])
def chatter_settings(request: AuthenticatedRequest) -> HttpResponse:
    """Setup › Customize › Chatter › Settings."""
    # The form writes its values into its instance: give it a copy, not the request's org.
    org = copy.copy(org_get())
    if request.method == "POST":
        form = ChatterSettingsForm(request.POST, instance=org)
        if form.is_valid():
            org_settings_update(actor=request.user, **form.cleaned_data)
            messages.success(request, "Your Chatter settings have been saved.")
            return redirect("setup:chatter_settings")
    else:
        form = ChatterSettingsForm(instance=org)
    return render(request, "setup/chatter_settings.html", {"form": form})


@setup_required(Perm.CUSTOMIZE_APPLICATION, Perm.MANAGE_USERS)
@require_http_methods(["GET"])
def company_information(request: AuthenticatedRequest) -> HttpResponse:
    """The org's name and, for each licence, how many are used and left."""
    return render(
        request, "setup/company_information.html", {"licences": list(Licence.objects.all())}
    )


@setup_required(Perm.CUSTOMIZE_APPLICATION)
@require_http_methods(["GET"])
def audit_trail(request: AuthenticatedRequest) -> HttpResponse:
    """Setup Audit Trail, newest first.

    The actors come in a second query (by primary key) rather than a join: the
    page is then read off ``audit_newest_idx`` whatever the planner believes
    about who wrote the newest events.
    """
    events = AuditEvent.objects.prefetch_related("actor").order_by("-created_at", "-id")
    page = page_get(events, request.GET.get("page"), AUDIT_TRAIL_PAGE_SIZE)
    return render(request, "setup/audit_trail.html", {"page": page})
