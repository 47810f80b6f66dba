"""No raw Join Now or password-reset token in any log line, from any logger.

These tests read what the configured handlers really write (their stream is
swapped for a buffer), not pytest's ``caplog``, which listens beside the
handlers and would pass even if the handlers wrote the token.
"""

from __future__ import annotations

import io
import logging
import runpy
import secrets
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings
from django.test import Client, RequestFactory

from chatterorg.logging import REDACTED, RedactTokensFilter
from tests.invitations.join_helpers import invitation_sent

REPO = Path(__file__).resolve().parents[2]


def _token() -> str:
    """A token shaped like the real ones (token_urlsafe(32): 43 characters)."""
    return secrets.token_urlsafe(32)


JOIN = "/join/{token}/"
RESET = "/accounts/password/reset/{token}/"


def _configured_handlers() -> list[logging.Handler]:
    """The handlers of the project's LOGGING, as the root logger holds them."""
    names = set(django_settings.LOGGING["handlers"])
    handlers = [h for h in logging.getLogger().handlers if h.get_name() in names]
    assert handlers, "the root logger holds none of LOGGING's handlers"
    return handlers


def _handlers_reached_from(name: str) -> list[logging.Handler]:
    """Every handler a record made on logger ``name`` reaches, as logging walks up
    the propagation chain; pytest's own capturing handlers left out."""
    handlers: list[logging.Handler] = []
    logger: logging.Logger | None = logging.getLogger(name)
    while logger is not None:
        handlers += [h for h in logger.handlers if not type(h).__module__.startswith("_pytest")]
        logger = logger.parent if logger.propagate else None
    return handlers


@pytest.fixture(params=[True, False], ids=["DEBUG on", "DEBUG off"])
def log_output(request, settings) -> Iterator[io.StringIO]:
    """What the configured handlers write during the test, with DEBUG on and off."""
    settings.DEBUG = request.param
    buffer = io.StringIO()
    handlers = [h for h in _configured_handlers() if isinstance(h, logging.StreamHandler)]
    previous = [handler.setStream(buffer) for handler in handlers]
    try:
        yield buffer
    finally:
        for handler, stream in zip(handlers, previous, strict=True):
            handler.setStream(stream)


@pytest.mark.parametrize(
    "name",
    [
        "django.request",
        "django.security.csrf",
        "django.server",
        "django.db.backends",
        "invitations.join_views",
        "anything.at.all",
    ],
)
def test_every_handler_a_record_reaches_redacts_tokens(name):
    # Django's own default handlers (left on the "django" logger unless LOGGING
    # names it) would write the token unfiltered.
    handlers = _handlers_reached_from(name)

    assert handlers
    assert all(any(isinstance(f, RedactTokensFilter) for f in h.filters) for h in handlers)


@pytest.mark.django_db
@pytest.mark.parametrize("shape", [JOIN, RESET], ids=["join", "reset"])
def test_a_not_found_link_is_logged_without_its_token(client, log_output, shape):
    token = _token()

    response = client.get(shape.format(token=token))

    assert response.status_code == 404
    written = log_output.getvalue()
    assert f"Not Found: {shape.format(token=REDACTED)}" in written
    assert token not in written


@pytest.mark.django_db
@pytest.mark.parametrize("shape", [JOIN, RESET], ids=["join", "reset"])
def test_a_post_to_a_link_is_logged_without_its_token(client, log_output, shape):
    token = _token()

    response = client.post(shape.format(token=token))

    assert response.status_code == 405
    written = log_output.getvalue()
    assert f"Method Not Allowed (POST): {shape.format(token=REDACTED)}" in written
    assert token not in written


@pytest.mark.django_db
@pytest.mark.parametrize("shape", [JOIN, RESET], ids=["join", "reset"])
def test_a_csrf_refusal_on_a_link_is_logged_without_its_token(log_output, shape):
    token = _token()

    response = Client(enforce_csrf_checks=True).post(shape.format(token=token))

    assert response.status_code == 403
    written = log_output.getvalue()
    assert f"Forbidden (CSRF cookie not set.): {shape.format(token=REDACTED)}" in written
    assert token not in written


@pytest.mark.django_db
def test_a_valid_link_opened_while_invitations_are_off_leaves_no_working_link_in_the_log(
    client, org, log_output
):
    org.allow_customer_invitations = True
    org.save()
    _, token = invitation_sent()
    org.allow_customer_invitations = False
    org.save()

    refused = client.get(JOIN.format(token=token))

    assert refused.status_code == 404
    written = log_output.getvalue()
    assert f"Not Found: {JOIN.format(token=REDACTED)}" in written
    assert token not in written
    # The same link works once the setting is back on: it is a secret worth keeping out.
    org.allow_customer_invitations = True
    org.save()
    assert Client().get(JOIN.format(token=token)).status_code == 302


def test_a_logger_of_any_name_is_redacted_in_message_arguments_and_traceback(log_output):
    token = _token()
    url = f"https://chatter.example.com/join/{token}/"
    logger = logging.getLogger("anything.at.all")

    logger.warning("Could not deliver %s", url)
    logger.warning(f"Referer was {url}")
    try:
        raise RuntimeError(f"bounced: {url}")
    except RuntimeError:
        logger.exception("Delivery failed")
    logger.warning("Quoted link /join%%2F%s%%2F", token)

    written = log_output.getvalue()
    assert token not in written
    assert f"Could not deliver https://chatter.example.com/join/{REDACTED}/" in written
    assert f"RuntimeError: bounced: https://chatter.example.com/join/{REDACTED}/" in written
    assert f"/join%2F{REDACTED}%2F" in written


def test_arguments_the_message_does_not_show_are_dropped_when_they_hold_a_token():
    token = _token()
    record = logging.LogRecord(
        "gunicorn.access",
        logging.INFO,
        __file__,
        1,
        "%(s)s",
        {"s": 404, "u": f"/join/{token}/"},
        None,
    )

    RedactTokensFilter().filter(record)

    assert record.getMessage() == "404"
    assert token not in repr(record.args)


def test_the_request_attribute_a_formatter_may_print_is_redacted():
    token = _token()
    request = RequestFactory().get(
        f"/join/{token}/", HTTP_REFERER=f"http://127.0.0.1:8000/accounts/password/reset/{token}/"
    )
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Not Found: %s", (request.path,), None
    )
    record.request = request
    formatter = logging.Formatter("%(message)s | %(request)s | %(path)s %(full)s %(referer)s")

    RedactTokensFilter().filter(record)
    record.path = record.request.path
    record.full = record.request.get_full_path()
    record.referer = record.request.headers["Referer"] + record.request.META["HTTP_REFERER"]
    line = formatter.format(record)

    assert token not in line
    assert f"<WSGIRequest: GET '/join/{REDACTED}/'>" in line
    # The view's own request is untouched.
    assert request.path == f"/join/{token}/"


def test_a_gunicorn_access_line_is_redacted(tmp_path):
    from gunicorn.config import Config

    token = _token()
    access_log, error_log = tmp_path / "access.log", tmp_path / "error.log"
    cfg = Config()
    # gunicorn.conf.py, as `gunicorn chatterorg.wsgi` reads it from the working directory.
    for name, value in runpy.run_path(str(REPO / "gunicorn.conf.py")).items():
        if name in cfg.settings:
            cfg.set(name, value)
    cfg.set("accesslog", str(access_log))
    cfg.set("errorlog", str(error_log))
    logger = cfg.logger_class(cfg)
    environ = {
        "REMOTE_ADDR": "127.0.0.1",
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/join/{token}/",
        "PATH_INFO": f"/join/{token}/",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": f"http://127.0.0.1:8000/accounts/password/reset/{token}/",
        "HTTP_USER_AGENT": "Mail scanner",
    }
    response = SimpleNamespace(status="302 Found", sent=0, headers=[])
    request = SimpleNamespace(headers=[])

    try:
        logger.access(response, request, environ, timedelta(milliseconds=5))
        logger.error("Error handling request /join/%s/", token)
    finally:
        for log in (logger.access_log, logger.error_log):
            for handler in log.handlers:
                handler.close()
            log.handlers.clear()

    line = access_log.read_text()
    assert token not in line
    assert f'"GET /join/{REDACTED}/ HTTP/1.1" 302' in line
    assert f'"http://127.0.0.1:8000/accounts/password/reset/{REDACTED}/"' in line
    errors = error_log.read_text()
    assert token not in errors
    assert f"Error handling request /join/{REDACTED}/" in errors
