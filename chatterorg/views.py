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


CONFIRM_FIELD = "confirm"


def form_confirmed(request: HttpRequest) -> bool:
    """Whether a form's POST comes from its confirm page (or the modal): ``confirm=1``."""
    return request.POST.get(CONFIRM_FIELD) == "1"


def confirm_resubmit_page(
    request: HttpRequest,
    *,
    title: str,
    lines: Sequence[str],
    confirm_label: str,
    back_url: str,
) -> HttpResponse:
    """The confirm page of a form whose POST can't be undone (nothing written yet).

    Its form posts every field of the POST again to the same URL, with ``confirm=1``;
    the view runs every check again before it writes.
    """
    fields: list[tuple[str, object]] = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in ("csrfmiddlewaretoken", CONFIRM_FIELD)
        for value in values
    ]
    fields.append((CONFIRM_FIELD, "1"))
    return confirm_page(
        request,
        title=title,
        lines=lines,
        action=request.get_full_path(),
        fields=fields,
        confirm_label=confirm_label,
        back_url=back_url,
    )
