"""The end-to-end harness.

Once per session: a fresh SQLite database in a temporary folder, ``migrate`` and
``seed_demo`` into it, an SMTP server (aiosmtpd) on a free port, then the app as
real processes on another free port: ``runserver`` and the ``db_worker`` task
worker, as ``make run`` starts them. One Chromium (Debian's) serves every test.

Tests talk to the app over HTTP only (never through the ORM: pytest-django's
test database is not the one the server uses). When a failure path needs the
database changed behind the app's back, ``app.shell(code)`` runs a small
``manage.py shell -c`` against the e2e database.
"""

from __future__ import annotations

import email
import email.policy
import logging
import os
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.helpers import REPO, allow_customer_invitations, log_in
from tests.live import WORKER_ARGS, LiveApp, free_port, live_env

# Debian's Chromium; E2E_CHROMIUM points elsewhere (used to check the skip and the CI failure).
CHROMIUM = Path(os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOT_DIR = REPO / "docs" / "screenshots"
# Generous enough for a cold first request, short enough that a missing label fails fast.
ACTION_TIMEOUT_MS = 10_000
MAIL_TIMEOUT_S = 15.0


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


# --- SMTP ---------------------------------------------------------------------------


@dataclass
class Received:
    recipients: list[str]
    message: EmailMessage


@dataclass
class Mailbox:
    """Every message the SMTP server accepted, in arrival order (aiosmtpd handler)."""

    received: list[Received] = field(default_factory=list)
    port: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        recipients = [address.lower() for address in envelope.rcpt_tos]
        with self.lock:
            self.received.append(Received(recipients=recipients, message=message))
        return "250 Message accepted for delivery"

    def messages_for(self, address: str) -> list[EmailMessage]:
        address = address.lower()
        with self.lock:
            return [item.message for item in self.received if address in item.recipients]

    def wait_for(
        self,
        address: str,
        *,
        count: int = 1,
        timeout: float = MAIL_TIMEOUT_S,
        subject_contains: str = "",
    ) -> list[EmailMessage]:
        """Poll (bounded) until ``count`` messages reached ``address``; then a short settle
        so that a duplicate sent right behind the first one is counted too."""

        def matching() -> list[EmailMessage]:
            return [
                message
                for message in self.messages_for(address)
                if subject_contains in str(message.get("Subject", ""))
            ]

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(matching()) >= count:
                time.sleep(0.5)
                return matching()
            time.sleep(0.1)
        return matching()


@pytest.fixture(scope="session")
def mailbox() -> Iterator[Mailbox]:
    from aiosmtpd.controller import Controller

    # aiosmtpd logs every connection at INFO; only its problems belong in a test report.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    box.port = controller.port
    try:
        yield box
    finally:
        controller.stop()


# --- The app --------------------------------------------------------------------------

App = LiveApp


def _wait_until_answering(app: App, path: str, timeout: float = 45.0) -> None:
    deadline = time.monotonic() + timeout
    last_error = ""
    while time.monotonic() < deadline:
        app.assert_running()
        try:
            with urllib.request.urlopen(app.url + path, timeout=5) as response:
                if response.status == 200:
                    return
        except urllib.error.HTTPError as error:
            last_error = f"HTTP {error.code}"
        except OSError as error:
            last_error = str(error)
        time.sleep(0.2)
    pytest.fail(f"{app.url}{path} did not answer 200 ({last_error}):\n{app.log_tail('server')}")


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    """Debian's Chromium. Missing: a skip on a developer machine, a failure in CI."""
    if not CHROMIUM.exists():
        reason = (
            f"{CHROMIUM} is missing: the browser tests need Debian's Chromium "
            "(apt-get install chromium)."
        )
        if _in_ci():
            pytest.fail(reason + " CI=true, so this is a failure, not a skip.")
        pytest.skip(reason)
    return CHROMIUM


@pytest.fixture(scope="session")
def app(
    chromium_path: Path, mailbox: Mailbox, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[App]:
    workdir = tmp_path_factory.mktemp("e2e")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = live_env(
        workdir=workdir,
        database="e2e.sqlite3",
        DJANGO_SITE_URL=url,
        EMAIL_URL=f"smtp://127.0.0.1:{mailbox.port}",
    )
    application = App(url=url, env=env, workdir=workdir)
    application.prepare()
    try:
        manage = [sys.executable, "manage.py"]
        application.start("server", [*manage, "runserver", "--noreload", f"127.0.0.1:{port}"])
        application.start("worker", [*manage, *WORKER_ARGS])
        _wait_until_answering(application, "/accounts/login/")
        application.assert_running()
        yield application
    finally:
        application.stop()


# --- The browser ----------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser(chromium_path: Path) -> Iterator[Any]:
    from playwright.sync_api import expect, sync_playwright

    # Assertions wait as long as actions do: a loaded CI machine is slow, not wrong.
    expect.set_options(timeout=ACTION_TIMEOUT_MS)
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=str(chromium_path), headless=True, args=CHROMIUM_ARGS
        )
    except Exception:
        playwright.stop()
        raise
    try:
        yield chromium
    finally:
        chromium.close()
        playwright.stop()


@dataclass
class People:
    """Opens browser contexts for people: anonymous, or logged in as a demo user.

    A person logs in through the login form once per run; later they come back with
    their session cookie, as a returning browser would (an Argon2 login costs seconds)."""

    app: App
    browser: Any
    sessions: dict[str, Any] = field(default_factory=dict)

    def open(self, username: str | None = None, *, bypass_csp: bool = False) -> Any:
        """A fresh context (cookies of its own) and its page; close ``page.context``."""
        context = self.browser.new_context(
            base_url=self.app.url,
            viewport={"width": 1280, "height": 900},
            bypass_csp=bypass_csp,
            storage_state=self.sessions.get(username) if username else None,
        )
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        page = context.new_page()
        errors: list[str] = []
        page.on(
            "console",
            lambda message: errors.append(message.text) if message.type == "error" else None,
        )
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.console_errors = errors
        if username and username in self.sessions:
            page.goto("/")
        elif username:
            log_in(page, username)
            self.sessions[username] = context.storage_state()
        return page


@pytest.fixture(scope="session")
def people(app: App, browser: Any) -> People:
    return People(app=app, browser=browser)


@pytest.fixture
def open_browser(people: People) -> Iterator[Callable[..., Any]]:
    """``open_browser()`` gives a fresh page in a fresh context (a different person);
    ``open_browser("morgan@acme.example")`` gives that person, logged in. All closed
    at the end of the test."""
    pages: list[Any] = []

    def open_(username: str | None = None, *, bypass_csp: bool = False) -> Any:
        page = people.open(username, bypass_csp=bypass_csp)
        pages.append(page)
        return page

    yield open_
    for page in pages:
        page.context.close()


@pytest.fixture(scope="session")
def customer_invitations_allowed(people: People) -> None:
    """The admin has ticked "Allow Customer Invitations" (through Setup, once per run)."""
    admin = people.open("admin@acme.example")
    try:
        allow_customer_invitations(admin)
    finally:
        admin.context.close()


@pytest.fixture
def screenshot() -> Callable[[Any, str], None]:
    """With SCREENSHOTS=1, save a full-page PNG as docs/screenshots/<name>.png."""
    enabled = os.environ.get("SCREENSHOTS") == "1"
    if enabled:
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)

    def take(page: Any, name: str) -> None:
        if enabled:
            page.screenshot(path=str(SCREENSHOT_DIR / f"{name}.png"), full_page=True)

    return take
