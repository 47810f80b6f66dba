from typing import Any

from django.conf import settings
from django.http import HttpRequest

from accounts.permissions import user_can_open_setup


def org(request: HttpRequest) -> dict[str, Any]:
    """What the base layout needs on every page: the org name and the header links."""
    from chatterorg.selectors import org_get

    user = getattr(request, "user", None)
    return {
        "org": org_get(),
        "show_setup_link": bool(user and user.is_authenticated and user_can_open_setup(user)),
        "show_outbox_link": settings.DEBUG and settings.DEV_OUTBOX_DIR is not None,
    }
