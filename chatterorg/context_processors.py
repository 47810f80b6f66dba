from typing import Any

from django.http import HttpRequest

from chatterorg.outbox import outbox_open_to
from chatterorg.selectors import org_get


def org(request: HttpRequest) -> dict[str, Any]:
    """What the base layout needs on every page: the org and the Outbox link."""
    return {
        "org": org_get(),
        "show_outbox_link": outbox_open_to(request),
    }
