"""The app's own error pages, also with DEBUG on, unless a developer asks for Django's.

``make run`` serves with DEBUG on, and Django then answers a customer who opens
another group's URL with its technical 404 (every URL pattern of the project)
and an uncaught exception with the traceback, its local variables and the
request. With DEBUG on and ``DJANGO_DEBUG_PAGES`` off, the customer gets what
production shows: "Data Not Available" (404), "Insufficient Privileges" (403,
which Django shows under DEBUG already) and "There was a problem with our
server" (500), through the URLconf's handlers, with the same status codes and
the same log lines. ``DJANGO_DEBUG_PAGES=1`` brings the technical pages back.

Two seams, because Django has two: Http404 never reaches a reporter, so the
middleware answers it (raised by a view, or a URL that matches no pattern);
every other technical page is rendered by the exception reporter, which only
swaps the page and leaves Django's logging and signals as they are.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import BadRequest, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import Resolver404, get_resolver, get_urlconf
from django.utils.safestring import SafeString, mark_safe
from django.views.debug import ExceptionReporter

logger = logging.getLogger(__name__)


def app_error_pages() -> bool:
    """Whether this request gets the app's error pages where Django would show technical ones."""
    return settings.DEBUG and not getattr(settings, "DEBUG_PAGES", False)


def _error_response(
    request: HttpRequest, status: int, exception: BaseException | None
) -> HttpResponse:
    """The project's handler for ``status`` (handler404 of the URLconf, else Django's default)."""
    urlconf = getattr(request, "urlconf", None) or get_urlconf()
    handler: Callable[..., Any] = get_resolver(urlconf).resolve_error_handler(status)
    if status == 500:
        return handler(request)
    return handler(request, exception=exception)


class AppErrorPagesMiddleware:
    """Under DEBUG, answer Http404 with the app's 404 page instead of Django's technical one.

    Listed last in MIDDLEWARE, so that the page has the user, the session and
    the CSP nonce, like every other page.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if app_error_pages():
            # A URL that matches no pattern fails before any view, where no
            # middleware sees the exception: resolve it here first (DEBUG only).
            urlconf = getattr(request, "urlconf", None)
            try:
                get_resolver(urlconf).resolve(request.path_info)
            except Resolver404 as exc:
                return _error_response(request, 404, exc)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if app_error_pages() and isinstance(exception, Http404):
            return _error_response(request, 404, exception)
        return None


class AppErrorPageReporter(ExceptionReporter):
    """Django's exception reporter, whose page under DEBUG is the app's 500 (or 400) page.

    Django renders a reporter's page only with DEBUG on (technical_500_response);
    with DEBUG off the reporter writes the admins' error emails, unchanged.
    """

    def _app_page(self) -> HttpResponse:
        status = 400 if isinstance(self.exc_value, (BadRequest, SuspiciousOperation)) else 500
        assert self.request is not None
        return _error_response(self.request, status, self.exc_value)

    def get_traceback_html(self) -> SafeString:
        if self.request is None or not app_error_pages():
            return super().get_traceback_html()
        try:
            # The handler rendered it from the app's template, escaped as every page is.
            return mark_safe(self._app_page().content.decode())  # noqa: S308
        except Exception:
            # The error page itself failed: a page with no template behind it.
            logger.exception("The app's error page failed to render")
            return mark_safe(
                "<!DOCTYPE html><title>Server Error</title><h1>Server Error (500)</h1>"
            )

    def get_traceback_text(self) -> SafeString:
        if self.request is None or not app_error_pages():
            return super().get_traceback_text()
        return mark_safe("There was a problem with our server.\n")
