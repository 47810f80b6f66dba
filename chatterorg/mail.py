"""The one way the app sends email."""

from __future__ import annotations

import os
import re
import secrets
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.template.loader import render_to_string
from django.utils import timezone

# Outbox files are named "<UTC timestamp>-<random>.eml"; the outbox pages open
# nothing else, which keeps their file access inside DEV_OUTBOX_DIR.
OUTBOX_NAME = re.compile(r"\A\d{8}T\d{12}-[0-9a-f]{8}\.eml\Z")
OUTBOX_TEMPLATE_HEADER = "X-Chatter-Template"
OUTBOX_USERNAME_HEADER = "X-Chatter-Username"


def email_send(*, to: str, subject: str, template: str, context: dict[str, Any]) -> None:
    """Render ``templates/emails/<template>.txt`` and ``.html`` and send them to ``to``.

    Goes through the default mailer (``MAILERS``, from ``EMAIL_URL``) and
    raises on failure, so the caller can record it. With DEV_OUTBOX_DIR set,
    a copy of each sent message is kept there for the developer outbox.
    """
    text = render_to_string(f"emails/{template}.txt", context)
    html = render_to_string(f"emails/{template}.html", context)
    message = EmailMultiAlternatives(
        # Header values must be one line; user-provided names could carry breaks.
        subject=" ".join(subject.split()),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
    )
    message.attach_alternative(html, "text/html")
    with mailers.default as connection:
        connection.send_messages([message])
    if settings.DEV_OUTBOX_DIR:
        # The outbox copy (only) says which template it is and whose account it
        # is about, so the outbox can keep password reset links to admins.
        copy = message.message()
        copy[OUTBOX_TEMPLATE_HEADER] = template
        if context.get("username"):
            copy[OUTBOX_USERNAME_HEADER] = str(context["username"])
        _outbox_write(Path(settings.DEV_OUTBOX_DIR), copy.as_bytes())


def _outbox_write(directory: Path, data: bytes) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    name = f"{timezone.now():%Y%m%dT%H%M%S%f}-{secrets.token_hex(4)}.eml"
    # Write then rename, so the outbox page never reads a half-written file.
    fd, temp = tempfile.mkstemp(dir=directory, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temp, directory / name)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
