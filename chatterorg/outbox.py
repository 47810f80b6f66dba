"""The developer outbox: the emails the app sent, readable in the browser.

A development tool, and it holds live links, so it is open only when all of
these hold; otherwise every page of it answers 404:

- DEBUG is on and DEV_OUTBOX_DIR is set;
- the request comes from the loopback address (127.0.0.0/8, ::1), judged by
  ``REMOTE_ADDR`` alone (never X-Forwarded-For). Behind a reverse proxy on the
  same host every request looks local: do not put a DEBUG server behind one.

No login is needed, because an invited customer in the demo has no account
yet and needs the Join Now link. A password reset link, though, would hand
over an existing account: reset emails for users who have a usable password
are listed and opened only for a signed-in admin (``is_superuser``, the
System Administrator). Emails written before the outbox recorded their
template (``X-Chatter-Template``) are treated the same way.

The HTML part is shown in a sandboxed frame loaded from its own URL, whose
Content Security Policy allows the email's inline styles and nothing else;
its links open in the top window.
"""

from __future__ import annotations

import email.parser
import email.policy
import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.csp import CSP
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_GET

from chatterorg.mail import OUTBOX_NAME, OUTBOX_TEMPLATE_HEADER, OUTBOX_USERNAME_HEADER

PAGE_SIZE = 50
RESET_TEMPLATE = "password_reset"
# The HTML preview's own policy: the email's inline styles, nothing else; framed
# only by the outbox's own message page.
HTML_PREVIEW_CSP = {
    "default-src": [CSP.NONE],
    "style-src": [CSP.UNSAFE_INLINE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.NONE],
    "frame-ancestors": [CSP.SELF],
}
_HEAD = re.compile(r"<head\b[^>]*>", re.IGNORECASE)


@dataclass(frozen=True)
class OutboxEntry:
    name: str
    to: str
    subject: str
    date: str


def _from_loopback(request: HttpRequest) -> bool:
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def outbox_open_to(request: HttpRequest) -> bool:
    """Whether this request may see the outbox at all (the header link asks too)."""
    return bool(settings.DEBUG and settings.DEV_OUTBOX_DIR and _from_loopback(request))


def _outbox_dir(request: HttpRequest) -> Path:
    if not outbox_open_to(request):
        raise Http404("The outbox exists only in development.")
    return Path(str(settings.DEV_OUTBOX_DIR))


def _read(path: Path, *, headers_only: bool = False) -> EmailMessage:
    parser = email.parser.BytesParser(policy=email.policy.default)
    with path.open("rb") as handle:
        return parser.parse(handle, headersonly=headers_only)  # type: ignore[return-value]


def _viewer_check(request: HttpRequest) -> Callable[[EmailMessage], bool]:
    """A test of whether this request may see a message (usernames looked up once each)."""
    if getattr(getattr(request, "user", None), "is_superuser", False):
        return lambda message: True
    without_password: dict[str, bool] = {}

    def user_has_no_password(username: str) -> bool:
        if username not in without_password:
            manager = get_user_model()._default_manager
            try:
                user = manager.get_by_natural_key(username)  # type: ignore[attr-defined]
            except get_user_model().DoesNotExist:
                without_password[username] = False
            else:
                without_password[username] = not user.has_usable_password()
        return without_password[username]

    def may_see(message: EmailMessage) -> bool:
        template = message.get(OUTBOX_TEMPLATE_HEADER)
        if template is None:
            return False  # written before templates were recorded: could be a reset
        if str(template) != RESET_TEMPLATE:
            return True
        # A reset link of an account that has no password yet takes over nothing.
        username = str(message.get(OUTBOX_USERNAME_HEADER, ""))
        return bool(username) and user_has_no_password(username)

    return may_see


def _message_get(request: HttpRequest, name: str) -> EmailMessage:
    """The message this request may open, or 404 alike for missing and withheld ones."""
    directory = _outbox_dir(request)
    # Only names the app itself writes: no separators, no "..", nothing outside the folder.
    if not OUTBOX_NAME.match(name):
        raise Http404("No such message.")
    path = directory / name
    if not path.is_file():
        raise Http404("No such message.")
    message = _read(path)
    if not _viewer_check(request)(message):
        raise Http404("No such message.")
    return message


@never_cache
@require_GET
def outbox_list(request: HttpRequest) -> HttpResponse:
    """Sent emails this request may see, newest first (file names start with the time sent)."""
    directory = _outbox_dir(request)
    names = (
        sorted(
            (path.name for path in directory.iterdir() if OUTBOX_NAME.match(path.name)),
            reverse=True,
        )
        if directory.is_dir()
        else []
    )
    may_see = _viewer_check(request)
    headers = ((name, _read(directory / name, headers_only=True)) for name in names)
    visible = [(name, message) for name, message in headers if may_see(message)]
    page = Paginator(visible, PAGE_SIZE).get_page(request.GET.get("page"))
    entries = [
        OutboxEntry(
            name=name,
            to=str(message.get("To", "")),
            subject=str(message.get("Subject", "")),
            date=str(message.get("Date", "")),
        )
        for name, message in page.object_list
    ]
    return render(request, "chatterorg/outbox.html", {"page": page, "entries": entries})


def _html_part(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    return part.get_content() if part is not None else ""  # type: ignore[attr-defined]


@never_cache
@require_GET
def outbox_message(request: HttpRequest, name: str) -> HttpResponse:
    """One email: its headers, its text part (links clickable) and its HTML part."""
    message = _message_get(request, name)
    text_part = message.get_body(preferencelist=("plain",))
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
            "html": _html_part(message),
        },
    )


@never_cache
@require_GET
@xframe_options_sameorigin
@csp_override(HTML_PREVIEW_CSP)
def outbox_message_html(request: HttpRequest, name: str) -> HttpResponse:
    """The email's HTML part as a page of its own, for the message page's sandboxed frame.

    A ``<base target="_top">`` makes its links (Join Now) open in the top
    window rather than inside the frame.
    """
    html = _html_part(_message_get(request, name))
    if not html:
        raise Http404("This message has no HTML part.")
    base = '<base target="_top">'
    html, found = _HEAD.subn(lambda head: head.group(0) + base, html, count=1)
    if not found:
        html = base + html
    return HttpResponse(html, content_type="text/html; charset=utf-8")
