from collections.abc import Sequence

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "chatterorg/home.html")


def confirm_page(
    request: HttpRequest,
    *,
    title: str,
    lines: Sequence[str],
    action: str,
    fields: Sequence[tuple[str, object]],
    confirm_label: str,
    back_url: str,
    back_label: str = "Cancel",
) -> HttpResponse:
    """The server-side confirm page of a destructive action (GET; writes nothing).

    Its form POSTs ``fields`` to ``action``, the action's own view, which checks
    everything again; lightning.js shows the same page as a modal prompt.
    """
    return render(
        request,
        "confirm.html",
        {
            "title": title,
            "lines": lines,
            "action": action,
            "fields": fields,
            "confirm_label": confirm_label,
            "back_url": back_url,
            "back_label": back_label,
        },
    )
