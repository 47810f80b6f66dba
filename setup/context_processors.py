from typing import Any

from django.http import HttpRequest

from accounts.permissions import user_can_open_setup
from setup.access import setup_access_for


def setup_link(request: HttpRequest) -> dict[str, Any]:
    """Whether the header shows the Setup gear, and what its menu offers: the Setup gate's rules.

    The permissions are read once per request (``user_perms`` caches them on the user).
    """
    user = getattr(request, "user", None)
    shown = bool(user and user.is_authenticated and user_can_open_setup(user))
    return {"show_setup_link": shown, "setup_menu": setup_access_for(user) if shown else None}
