"""The invitation email task: token creation, delivery state, and the email itself."""

from __future__ import annotations

import re
import socket
from datetime import timedelta

import pytest
from django.utils import timezone

from chatterorg.tokens import token_hash
from invitations.access import invitation_for_token
from invitations.models import Invitation
from invitations.tasks import invitation_emails_send
from tests.factories import InvitationFactory

JOIN_LINK = re.compile(r"http://testserver/join/([A-Za-z0-9_\-]+)/")


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "http://testserver"


@pytest.fixture
def invitation(council):
    return InvitationFactory(
        group=council,
        inviter=council.morgan,
        email="jane@globex.example",
        message='Looking forward to it <script>alert("x")</script>\nSecond line',
        expires_at=timezone.make_aware(timezone.datetime(2031, 3, 4, 15, 30)),
    )


def _deliver(*invitations) -> None:
    invitation_emails_send.call(invitation_ids=[i.pk for i in invitations])


def test_delivery_creates_the_link_stores_only_its_hash_and_records_success(invitation, mailoutbox):
    _deliver(invitation)

    assert len(mailoutbox) == 1
    raw = JOIN_LINK.search(mailoutbox[0].body).group(1)
    invitation.refresh_from_db()
    assert invitation.token_hash == token_hash(raw)
    assert invitation.delivery_status == Invitation.Delivery.SENT
    assert invitation.delivery_attempts == 1
    assert invitation.delivered_at is not None
    assert invitation_for_token(raw) == invitation


def test_the_email_says_who_invited_to_which_group_until_when_and_what_they_will_see(
    invitation, mailoutbox
):
    _deliver(invitation)

    message = mailoutbox[0]
    assert message.to == ["jane@globex.example"]
    assert message.subject == "Morgan Lee invited you to join Customer Success Council in Chatter"
    text = message.body
    assert (
        'Morgan Lee (Acme Corporation) invited you to join the group "Customer Success Council"'
        in (text)
    )
    assert '> Looking forward to it <script>alert("x")</script>\n> Second line' in text
    assert "Join Now:\nhttp://testserver/join/" in text
    assert "March 4, 2031" in text
    assert (
        "You'll be able to see and post in this group only; other Acme Corporation content "
        "stays private." in text
    )


def test_the_html_part_escapes_the_message_and_links_join_now(invitation, mailoutbox):
    _deliver(invitation)

    [(html, mimetype)] = mailoutbox[0].alternatives
    assert mimetype == "text/html"
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert re.search(r"<blockquote[^>]*>Looking forward to it", html)
    raw = JOIN_LINK.search(mailoutbox[0].body).group(1)
    assert f'<a href="http://testserver/join/{raw}/"' in html
    assert ">Join Now</a>" in html
    assert "March 4, 2031" in html


def test_without_a_message_the_email_has_no_quote(council, mailoutbox):
    invitation = InvitationFactory(group=council, inviter=council.morgan, message="")

    _deliver(invitation)

    assert "wrote:" not in mailoutbox[0].body
    assert "<blockquote" not in mailoutbox[0].alternatives[0].content


def test_each_invitation_of_a_batch_gets_its_own_link(council, mailoutbox):
    first, second = InvitationFactory.create_batch(2, group=council, inviter=council.morgan)

    _deliver(first, second)

    links = [JOIN_LINK.search(m.body).group(1) for m in mailoutbox]
    assert [m.to for m in mailoutbox] == [[first.email], [second.email]]
    assert links[0] != links[1]
    assert invitation_for_token(links[0]) == first
    assert invitation_for_token(links[1]) == second


def test_running_the_task_twice_sends_once(invitation, mailoutbox):
    _deliver(invitation)
    _deliver(invitation)

    assert len(mailoutbox) == 1
    invitation.refresh_from_db()
    assert invitation.delivery_attempts == 1


@pytest.mark.parametrize(
    "change",
    [
        {"status": "Canceled"},
        {"status": "Accepted"},
        {"token_hash": "a" * 64},  # another run of the task holds this send
    ],
    ids=["canceled", "accepted", "claimed"],
)
def test_an_invitation_no_longer_waiting_for_its_email_is_skipped(invitation, change, mailoutbox):
    if change.get("status") == "Accepted":
        change = {**change, "accepted_user": invitation.inviter}
    Invitation.objects.filter(pk=invitation.pk).update(**change)

    _deliver(invitation)

    assert mailoutbox == []


def test_no_link_goes_out_while_customer_invitations_are_off(
    invitation, customers_allowed, mailoutbox
):
    customers_allowed.allow_customer_invitations = False
    customers_allowed.save()

    _deliver(invitation)

    assert mailoutbox == []
    invitation.refresh_from_db()
    assert invitation.token_hash is None
    assert invitation.delivery_status == Invitation.Delivery.FAILED
    assert invitation.delivery_error == "Not sent: customer invitations are turned off."


def test_no_link_goes_out_for_an_invitation_that_expired_in_the_queue(council, mailoutbox):
    invitation = InvitationFactory(group=council, expires_at=timezone.now() - timedelta(seconds=1))

    _deliver(invitation)

    assert mailoutbox == []
    invitation.refresh_from_db()
    assert invitation.delivery_error == "Not sent: the invitation had expired."


@pytest.fixture
def refused_port() -> int:
    """A local port nobody listens on: connecting to it fails at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_failed_send_is_recorded_and_leaves_no_usable_link(
    invitation, settings, refused_port, caplog
):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": refused_port, "timeout": 5},
        }
    }

    _deliver(invitation)

    invitation.refresh_from_db()
    assert invitation.delivery_status == Invitation.Delivery.FAILED
    assert invitation.delivery_error.startswith("ConnectionRefusedError")
    assert invitation.delivery_attempts == 1
    assert invitation.token_hash is None
    assert invitation.delivered_at is None
    assert f"Invitation {invitation.pk}: email not sent" in caplog.text


def test_a_failed_invitation_can_be_resent_and_then_delivered(
    invitation, settings, refused_port, mailoutbox, django_capture_on_commit_callbacks
):
    from invitations.actions import invitation_resend

    locmem = settings.MAILERS
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": refused_port, "timeout": 5},
        }
    }
    _deliver(invitation)
    settings.MAILERS = locmem

    with django_capture_on_commit_callbacks(execute=True):
        invitation_resend(actor=invitation.inviter, invitation=invitation)

    invitation.refresh_from_db()
    assert invitation.delivery_status == Invitation.Delivery.SENT
    assert invitation.delivery_error == ""
    assert len(mailoutbox) == 1
    assert invitation_for_token(JOIN_LINK.search(mailoutbox[0].body).group(1)) == invitation


def test_a_cancel_during_the_send_wins_over_the_delivery_record(invitation, monkeypatch):
    from invitations import tasks

    def send_while_canceled(**kwargs):
        Invitation.objects.filter(pk=invitation.pk).update(status="Canceled", token_hash=None)

    monkeypatch.setattr(tasks, "email_send", send_while_canceled)

    _deliver(invitation)

    invitation.refresh_from_db()
    assert invitation.status == "Canceled"
    assert invitation.token_hash is None
    assert invitation.delivery_status == Invitation.Delivery.QUEUED
