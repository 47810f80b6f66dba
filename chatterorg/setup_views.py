"""Setup pages of the org: Setup home, Chatter Settings, Company Information, Audit Trail.

Every Setup view, in any app, is wrapped in ``setup_required``: anonymous users
are sent to the login page, signed-in users without the permission get 403.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import TYPE_CHECKING, Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.permissions import Perm, user_has_perm
from chatterorg.actions import org_settings_update
from chatterorg.forms import ChatterSettingsForm
from chatterorg.models import AuditEvent, Licence
from chatterorg.pagination import page_get
from chatterorg.selectors import org_get

if TYPE_CHECKING:
    from accounts.models import User

View = Callable[..., HttpResponse]
AUDIT_TRAIL_PAGE_SIZE = 50


@dataclass(frozen=True)
class SetupAccess:
    """Which parts of Setup the signed-in user may open (drives the left-hand tree)."""

    customize: bool
    manage_users: bool


def setup_actor(request: HttpRequest) -> User:
    """The signed-in user of a Setup request (``setup_required`` lets no one else in)."""
    return cast("User", request.user)


def setup_access_for(user: User) -> SetupAccess:
    return SetupAccess(
        customize=user_has_perm(user, Perm.CUSTOMIZE_APPLICATION),
        manage_users=user_has_perm(user, Perm.MANAGE_USERS),
    )


def setup_required(*perms: Perm) -> Callable[[View], View]:
    """Open the view to users holding any of ``perms``; others get 403.

    Anonymous users are sent to the login page. The user's ``SetupAccess`` is
    kept on ``request.setup_access`` so that the Setup tree shows exactly the
    pages this check lets through.
    """
    if not perms:
        raise TypeError("setup_required needs at least one permission")

    def decorator(view: View) -> View:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = setup_actor(request)
            if not any(user_has_perm(user, perm) for perm in perms):
                raise PermissionDenied
            request.setup_access = setup_access_for(user)  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        return login_required(never_cache(guarded))

    return decorator


def paginate(request: HttpRequest, queryset: QuerySet[Any], per_page: int) -> Page:
    """The requested page of ``queryset`` (counted up to a cap); a bad number gives the nearest."""
    return page_get(queryset, request.GET.get("page"), per_page)


@setup_required(Perm.CUSTOMIZE_APPLICATION, Perm.MANAGE_USERS)
@require_http_methods(["GET"])
def setup_home(request: HttpRequest) -> HttpResponse:
    return render(request, "setup/home.html")


@setup_required(Perm.CUSTOMIZE_APPLICATION)
@require_http_methods(["GET", "POST"])
def chatter_settings(request: HttpRequest) -> HttpResponse:
    """Setup › Customize › Chatter › Settings."""
    org = org_get()
    if request.method == "POST":
        form = ChatterSettingsForm(request.POST, instance=org)
        if form.is_valid():
            org_settings_update(actor=setup_actor(request), **form.cleaned_data)
            messages.success(request, "Your Chatter settings have been saved.")
            return redirect("setup:chatter_settings")
    else:
        form = ChatterSettingsForm(instance=org)
    return render(request, "setup/chatter_settings.html", {"form": form})


@setup_required(Perm.CUSTOMIZE_APPLICATION, Perm.MANAGE_USERS)
@require_http_methods(["GET"])
def company_information(request: HttpRequest) -> HttpResponse:
    """The org's name and, for each licence, how many are used and left."""
    return render(
        request, "setup/company_information.html", {"licences": list(Licence.objects.all())}
    )


@setup_required(Perm.CUSTOMIZE_APPLICATION)
@require_http_methods(["GET"])
def audit_trail(request: HttpRequest) -> HttpResponse:
    """Setup Audit Trail, newest first.

    The actors come in a second query (by primary key) rather than a join: the
    page is then read off ``audit_newest_idx`` whatever the planner believes
    about who wrote the newest events.
    """
    events = AuditEvent.objects.prefetch_related("actor").order_by("-created_at", "-id")
    page = paginate(request, events, AUDIT_TRAIL_PAGE_SIZE)
    return render(request, "setup/audit_trail.html", {"page": page})
