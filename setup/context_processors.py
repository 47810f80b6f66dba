from typing import Any

from django.http import HttpRequest

from accounts.permissions import user_can_open_setup


def setup_link(request: HttpRequest) -> dict[str, Any]:
    """Whether the header shows the Setup link: the same rule as the Setup gate."""
    user = getattr(request, "user", None)
    return {"show_setup_link": bool(user and user.is_authenticated and user_can_open_setup(user))}
