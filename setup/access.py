"""The Setup gate: who may open which Setup page.

Every Setup view is wrapped in ``setup_required``: anonymous users are sent to
the login page, customers get 404 ("Data Not Available", as every org page
they may not see answers them), other users without the permission get 403.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache

from accounts.http import AuthenticatedRequest
from accounts.models import User
from accounts.permissions import Perm, user_has_perm

View = Callable[..., HttpResponse]


@dataclass(frozen=True)
class SetupAccess:
    """Which parts of Setup the signed-in user may open (drives the left-hand tree)."""

    customize: bool
    manage_users: bool


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
        def guarded(request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.user.is_customer:
                raise Http404("Setup does not exist for customers.")
            if not any(user_has_perm(request.user, perm) for perm in perms):
                raise PermissionDenied
            request.setup_access = setup_access_for(request.user)  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        return login_required(never_cache(guarded))

    return decorator
