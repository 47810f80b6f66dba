"""The developer outbox: the emails the app sent, readable in the browser.

Only with DEBUG on and DEV_OUTBOX_DIR set; otherwise these pages do not exist
(404). Anyone may open them then, signed in or not, because an invited
customer in the demo has no account yet and needs the Join Now link.
"""

from __future__ import annotations

import email.parser
import email.policy
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from chatterorg.mail import OUTBOX_NAME

PAGE_SIZE = 50


@dataclass(frozen=True)
class OutboxEntry:
    name: str
    to: str
    subject: str
    date: str


def _outbox_dir() -> Path:
    directory = settings.DEV_OUTBOX_DIR
    if not settings.DEBUG or not directory:
        raise Http404("The outbox exists only in development.")
    return Path(directory)


def _read(path: Path, *, headers_only: bool = False) -> EmailMessage:
    parser = email.parser.BytesParser(policy=email.policy.default)
    with path.open("rb") as handle:
        return parser.parse(handle, headersonly=headers_only)  # type: ignore[return-value]


@never_cache
@require_GET
def outbox_list(request: HttpRequest) -> HttpResponse:
    """Sent emails, newest first (file names start with the time sent)."""
    directory = _outbox_dir()
    names = (
        sorted(
            (path.name for path in directory.iterdir() if OUTBOX_NAME.match(path.name)),
            reverse=True,
        )
        if directory.is_dir()
        else []
    )
    page = Paginator(names, PAGE_SIZE).get_page(request.GET.get("page"))
    entries = []
    for name in page.object_list:
        message = _read(directory / name, headers_only=True)
        entries.append(
            OutboxEntry(
                name=name,
                to=str(message.get("To", "")),
                subject=str(message.get("Subject", "")),
                date=str(message.get("Date", "")),
            )
        )
    return render(request, "chatterorg/outbox.html", {"page": page, "entries": entries})


@never_cache
@require_GET
def outbox_message(request: HttpRequest, name: str) -> HttpResponse:
    """One email: its headers, its text part (links clickable) and its HTML part."""
    directory = _outbox_dir()
    # Only names the app itself writes: no separators, no "..", nothing outside the folder.
    if not OUTBOX_NAME.match(name):
        raise Http404("No such message.")
    path = directory / name
    if not path.is_file():
        raise Http404("No such message.")
    message = _read(path)
    text_part = message.get_body(preferencelist=("plain",))
    html_part = message.get_body(preferencelist=("html",))
    return render(
        request,
        "chatterorg/outbox_message.html",
        {
            "name": name,
            "to": str(message.get("To", "")),
            "sender": str(message.get("From", "")),
            "subject": str(message.get("Subject", "")),
            "date": str(message.get("Date", "")),
            "text": text_part.get_content() if text_part is not None else "",  # type: ignore[attr-defined]
            "html": html_part.get_content() if html_part is not None else "",  # type: ignore[attr-defined]
        },
    )
