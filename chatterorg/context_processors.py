from typing import Any

from django.conf import settings
from django.http import HttpRequest

from chatterorg.selectors import org_get


def org(request: HttpRequest) -> dict[str, Any]:
    """What the base layout needs on every page: the org and the Outbox link."""
    return {
        "org": org_get(),
        "show_outbox_link": settings.DEBUG and settings.DEV_OUTBOX_DIR is not None,
    }
