"""Setup › Apps: App Manager (connected apps) and Connected Apps OAuth Usage;
Setup › Security: Network Access and Session Settings (the API's org settings).

A new app's consumer key and secret are shown once, in the answer to the POST
that created it (never cached, never in a URL or the session); only their
hashes are kept. Every change is one call to ``accounts.oauth``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import AuthenticatedRequest
from accounts.models import ApiSession, ConnectedApp
from accounts.oauth import (
    api_session_revoke_by_admin,
    api_sessions_live,
    connected_app_create,
    connected_app_delete,
    connected_apps_list,
    org_api_settings_update,
)
from accounts.permissions import Perm, user_has_perm
from chatterorg.forms import form_refusal_add
from chatterorg.pagination import page_get
from chatterorg.selectors import org_get
from setup.access import setup_required
from setup.api_forms import ConnectedAppForm, NetworkAccessForm, SessionSettingsForm

OAUTH_USAGE_PAGE_SIZE = 50
customize_required = setup_required(Perm.CUSTOMIZE_APPLICATION)


# App Manager ----------------------------------------------------------------


@customize_required
@require_http_methods(["GET"])
def connected_apps(request: AuthenticatedRequest) -> HttpResponse:
    """App Manager: the connected apps, with New Connected App."""
    return render(request, "setup/connected_apps.html", {"apps": list(connected_apps_list())})


@customize_required
@require_http_methods(["GET", "POST"])
@sensitive_variables("key", "secret")
def connected_app_new(request: AuthenticatedRequest) -> HttpResponse:
    """New Connected App; the answer to a successful POST shows the key and secret once."""
    form = ConnectedAppForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            app, key, secret = connected_app_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_refusal_add(form, exc)
        else:
            return render(
                request,
                "setup/connected_app_created.html",
                {"app": app, "consumer_key": key, "consumer_secret": secret},
            )
    return render(request, "setup/connected_app_form.html", {"form": form})


@customize_required
@require_http_methods(["GET", "POST"])
def connected_app_delete_confirm(request: AuthenticatedRequest, app_id: int) -> HttpResponse:
    """Delete a connected app after a confirm page; its sessions end with it."""
    app = get_object_or_404(ConnectedApp, pk=app_id)
    if request.method == "POST":
        try:
            connected_app_delete(actor=request.user, app=app)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Connected app {app.name} deleted.")
        return redirect("setup:connected_apps")
    live = api_sessions_live().filter(app=app).count()
    return render(request, "setup/connected_app_delete.html", {"app": app, "live_sessions": live})


# Connected Apps OAuth Usage -------------------------------------------------


@setup_required(Perm.CUSTOMIZE_APPLICATION, Perm.MANAGE_USERS)
@require_http_methods(["GET"])
def oauth_usage(request: AuthenticatedRequest) -> HttpResponse:
    """Who is connected, through which app, last used when; Revoke for user managers."""
    page = page_get(api_sessions_live(), request.GET.get("page"), OAUTH_USAGE_PAGE_SIZE)
    return render(
        request,
        "setup/oauth_usage.html",
        {"page": page, "can_revoke": user_has_perm(request.user, Perm.MANAGE_USERS)},
    )


@setup_required(Perm.MANAGE_USERS)
@require_POST
def oauth_session_revoke(request: AuthenticatedRequest, session_id: int) -> HttpResponse:
    """Revoke one API session (its access and refresh tokens stop working)."""
    session = get_object_or_404(ApiSession.objects.select_related("user", "app"), pk=session_id)
    if api_session_revoke_by_admin(actor=request.user, session=session):
        messages.success(request, f"Revoked the API session of {session.user.name}.")
    else:
        messages.info(request, "That session had already ended.")
    return redirect("setup:oauth_usage")


# Security › Network Access and Session Settings -----------------------------


@customize_required
@require_http_methods(["GET", "POST"])
def network_access(request: AuthenticatedRequest) -> HttpResponse:
    """Trusted IP Ranges: API password logins from them may omit the security token."""
    org = org_get()
    form = NetworkAccessForm(
        request.POST or None, initial={"trusted_ip_ranges": "\n".join(org.trusted_ip_ranges)}
    )
    if request.method == "POST" and form.is_valid():
        try:
            org_api_settings_update(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_refusal_add(form, exc)
        else:
            messages.success(request, "Your Network Access settings have been saved.")
            return redirect("setup:network_access")
    return render(request, "setup/network_access.html", {"form": form})


@customize_required
@require_http_methods(["GET", "POST"])
def session_settings(request: AuthenticatedRequest) -> HttpResponse:
    """Timeout Value of API sessions and the org's daily API request limit."""
    org = org_get()
    form = SessionSettingsForm(request.POST or None, org=org)
    if request.method == "POST" and form.is_valid():
        try:
            org_api_settings_update(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_refusal_add(form, exc)
        else:
            messages.success(request, "Your Session Settings have been saved.")
            return redirect("setup:session_settings")
    return render(request, "setup/session_settings.html", {"form": form})
