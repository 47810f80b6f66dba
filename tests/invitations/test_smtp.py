"""A real SMTP conversation: invitations go out over SMTP and each link opens the sign-up page."""

from __future__ import annotations

import email
import email.policy
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller
from django.urls import reverse

from invitations.actions import invitations_send, invite_request_clean
from invitations.models import Invitation

JOIN_LINK = re.compile(r"http://testserver(/join/[A-Za-z0-9_\-]{43}/)")


@dataclass
class Collector:
    """An aiosmtpd handler that keeps every envelope it receives."""

    envelopes: list = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's hook name
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(settings) -> Iterator[Collector]:
    collector = Collector()
    port = _free_port()
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    # Django's test setup swaps MAILERS for the in-memory backend; put real SMTP back.
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 10},
        }
    }
    settings.SITE_URL = "http://testserver"
    try:
        yield collector
    finally:
        controller.stop()


def test_three_invitees_each_get_one_message_with_their_own_working_join_now_link(
    client, council, smtp_server, django_capture_on_commit_callbacks
):
    addresses = ["jane@globex.example", "raj@initech.example", "ann@umbrella.example"]

    with django_capture_on_commit_callbacks(execute=True):
        invitations_send(
            actor=council.morgan,
            group=council,
            invite=invite_request_clean(addresses=addresses, message="Welcome!"),
        )

    assert sorted(rcpt for e in smtp_server.envelopes for rcpt in e.rcpt_tos) == sorted(addresses)
    assert all(len(e.rcpt_tos) == 1 for e in smtp_server.envelopes)
    links: dict[str, str] = {}
    for envelope in smtp_server.envelopes:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert message["To"] == envelope.rcpt_tos[0]
        assert message["Subject"] == (
            "Morgan Lee invited you to join Customer Success Council in Chatter"
        )
        text = message.get_body(preferencelist=("plain",)).get_content()
        html = message.get_body(preferencelist=("html",)).get_content()
        [path] = set(JOIN_LINK.findall(text))
        assert path in html
        links[envelope.rcpt_tos[0]] = path
    assert len(set(links.values())) == 3
    assert set(Invitation.objects.values_list("delivery_status", flat=True)) == {"sent"}

    for address, path in links.items():
        client.cookies.clear()
        opened = client.get(path)
        assert opened.status_code == 302
        assert opened.url == reverse("join:signup")
        signup = client.get(opened.url)
        assert signup.status_code == 200
        page = signup.content.decode()
        assert "Create Account" in page
        assert "Customer Success Council" in page
        assert Invitation.objects.get(email=address).status == "Sent"
