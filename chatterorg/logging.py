"""Keep secrets out of logs.

Join Now and password-reset links carry a token as a path segment
(``/join/<token>/``, ``/accounts/password/reset/<token>/``), and any log line may
quote such a URL: Django's "Not Found: …", "Method Not Allowed (POST): …" and
"Forbidden (CSRF cookie not set.): …", runserver's and gunicorn's access lines
(the request line and the Referer), a traceback. A link opened while it cannot
be redeemed (customer invitations switched off, say) is still a working link
later, so the log must never hold one.

``RedactTokensFilter`` sits on the handlers, not on loggers: a handler filter
sees every record the handler writes, whichever logger made it and however far
it propagated, whereas a logger's filter sees only the records made on that
very logger.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from django.http import HttpRequest
from django.http.request import HttpHeaders

REDACTED = "[redacted]"

# The segment after /join/ or /reset/, also percent-encoded (a ?next= or a quoted
# Referer). Tokens are token_urlsafe(32), 43 characters; the 16-character floor keeps
# /join/signup/ readable.
_TOKEN_IN_PATH = re.compile(
    r"((?:/|%2F)(?:join|reset)(?:/|%2F))[A-Za-z0-9_\-]{16,}",
    re.IGNORECASE,
)
_traceback_formatter = logging.Formatter()


def redact(text: str) -> str:
    """``text`` with every Join Now or password-reset token replaced by a placeholder."""
    return _TOKEN_IN_PATH.sub(rf"\1{REDACTED}", text)


class RedactTokensFilter(logging.Filter):
    """Replace tokens in a record's message, traceback, stack and request before it is written.

    The record is changed in place, so every later handler gets the redacted one too.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        self._redact_message(record)
        if record.exc_info:
            text = record.exc_text or _traceback_formatter.formatException(record.exc_info)
            redacted = redact(text)
            if redacted != text:
                # The formatter prints exc_text as it is; without exc_info it cannot
                # format the original traceback again.
                record.exc_text, record.exc_info = redacted, None
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        request = getattr(record, "request", None)
        if isinstance(request, HttpRequest) and not isinstance(request, RedactedRequest):
            record.request = RedactedRequest(request)
        return True

    @staticmethod
    def _redact_message(record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
        except Exception:
            # A malformed call (wrong arguments): logging would print msg and args
            # raw in its "--- Logging error ---" report, so flatten them here.
            message = f"{record.msg!s} {record.args!r}"
            record.msg, record.args = redact(message), None
            return
        redacted = redact(message)
        # Arguments the message does not show may still be printed by a formatter
        # that dumps them (gunicorn's access atoms hold every header and environ value).
        if redacted != message or (record.args and redact(repr(record.args)) != repr(record.args)):
            record.msg, record.args = redacted, None


class RedactedRequest:
    """A request as log handlers and formatters see it: path, URL, headers and repr redacted.

    Everything else is the request's own (``AdminEmailHandler`` reads its user,
    GET and POST for the error report). The request itself is not changed: the
    view and the middleware are still using it.
    """

    def __init__(self, request: HttpRequest) -> None:
        self._request = request

    def __getattr__(self, name: str) -> Any:
        return getattr(self._request, name)

    def __repr__(self) -> str:
        return redact(repr(self._request))

    __str__ = __repr__

    @property
    def path(self) -> str:
        return redact(self._request.path)

    @property
    def path_info(self) -> str:
        return redact(self._request.path_info)

    @property
    def META(self) -> dict[str, Any]:
        return {
            key: redact(value) if isinstance(value, str) else value
            for key, value in self._request.META.items()
        }

    @property
    def headers(self) -> HttpHeaders:
        return HttpHeaders(self.META)

    def get_full_path(self, force_append_slash: bool = False) -> str:
        return redact(self._request.get_full_path(force_append_slash))

    def build_absolute_uri(self, location: str | None = None) -> str:
        return redact(self._request.build_absolute_uri(location))
