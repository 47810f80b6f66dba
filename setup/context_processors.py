from typing import Any

from django.http import HttpRequest

from accounts.permissions import user_can_open_setup
from setup.access import setup_access_for


def setup_link(request: HttpRequest) -> dict[str, Any]:
    """Whether the header shows the Setup gear, and what its menu offers: the Setup gate's rules.

    The permissions are read once per request (``user_perms`` caches them on the user).
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user_can_open_setup(user):
        return {"show_setup_link": False, "setup_menu": None}
    return {"show_setup_link": True, "setup_menu": setup_access_for(user)}
