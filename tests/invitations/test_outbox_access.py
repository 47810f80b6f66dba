"""Who may read the developer outbox, and how its HTML preview is framed (chatterorg.outbox)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.password_reset import password_reset_deliver
from chatterorg.mail import OUTBOX_TEMPLATE_HEADER, OUTBOX_USERNAME_HEADER
from invitations.tasks import invitation_emails_send
from tests.factories import InvitationFactory, UserFactory

OUTBOX = reverse("outbox")


@pytest.fixture
def outbox_dir(db, settings, tmp_path):
    settings.DEBUG = True
    settings.DEV_OUTBOX_DIR = tmp_path / "outbox"
    settings.SITE_URL = "http://testserver"
    return settings.DEV_OUTBOX_DIR


def _only_file(outbox_dir) -> str:
    [name] = [path.name for path in outbox_dir.iterdir()]
    return name


@pytest.fixture
def invitation_email(council, outbox_dir, mailoutbox) -> str:
    invitation = InvitationFactory(group=council, inviter=council.morgan)
    invitation_emails_send.call(invitation_ids=[invitation.pk])
    return _only_file(outbox_dir)


@pytest.fixture
def reset_email(outbox_dir, mailoutbox) -> str:
    """A password reset email of a user who has a usable password."""
    UserFactory(username="jane@acme.example", email="jane@acme.example")
    password_reset_deliver.call(username="jane@acme.example")
    return _only_file(outbox_dir)


def _pages(name: str) -> list[str]:
    return [
        OUTBOX,
        reverse("outbox_message", args=[name]),
        reverse("outbox_message_html", args=[name]),
    ]


# Loopback only, DEBUG only ---------------------------------------------------------------


@pytest.mark.parametrize("address", ["10.0.0.5", "192.168.1.20", "2001:db8::1", "::ffff:10.0.0.5"])
def test_the_outbox_answers_404_to_any_other_address(outbox_dir, invitation_email, address):
    client = Client(REMOTE_ADDR=address)

    for url in _pages(invitation_email):
        assert client.get(url).status_code == 404, url


def test_a_forwarded_for_header_does_not_make_a_remote_client_local(outbox_dir, invitation_email):
    client = Client(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="127.0.0.1")

    assert client.get(OUTBOX).status_code == 404


@pytest.mark.parametrize("address", ["127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"])
def test_the_outbox_works_from_loopback_with_debug_on(outbox_dir, invitation_email, address):
    client = Client(REMOTE_ADDR=address)

    for url in _pages(invitation_email):
        assert client.get(url).status_code == 200, url


def test_with_debug_off_the_outbox_answers_404_even_from_loopback(
    outbox_dir, invitation_email, settings
):
    settings.DEBUG = False
    client = Client(REMOTE_ADDR="127.0.0.1")

    for url in _pages(invitation_email):
        assert client.get(url).status_code == 404, url


def test_the_header_links_to_the_outbox_only_where_it_opens(outbox_dir, user):
    local, remote = Client(), Client(REMOTE_ADDR="10.0.0.5")
    local.force_login(user)
    remote.force_login(user)

    assert f'href="{OUTBOX}"' in local.get(reverse("home")).content.decode()
    assert f'href="{OUTBOX}"' not in remote.get(reverse("home")).content.decode()


# Password reset emails ------------------------------------------------------------------


def test_the_outbox_copy_records_its_template_and_username_but_the_sent_email_does_not(
    outbox_dir, reset_email, mailoutbox
):
    data = (outbox_dir / reset_email).read_bytes()

    assert f"{OUTBOX_TEMPLATE_HEADER}: password_reset".encode() in data
    assert f"{OUTBOX_USERNAME_HEADER}: jane@acme.example".encode() in data
    sent = mailoutbox[0].message().as_bytes()
    assert OUTBOX_TEMPLATE_HEADER.encode() not in sent
    assert OUTBOX_USERNAME_HEADER.encode() not in sent


def test_a_reset_email_of_a_user_with_a_password_is_hidden_from_anonymous_visitors(
    client, reset_email
):
    assert "Reset your Chatter password" not in client.get(OUTBOX).content.decode()
    for url in _pages(reset_email)[1:]:
        assert client.get(url).status_code == 404, url


def test_a_reset_email_is_hidden_from_a_signed_in_non_admin(client, user, reset_email):
    client.force_login(user)

    assert "Reset your Chatter password" not in client.get(OUTBOX).content.decode()
    for url in _pages(reset_email)[1:]:
        assert client.get(url).status_code == 404, url


def test_an_admin_sees_and_opens_reset_emails(client, admin_user, reset_email):
    client.force_login(admin_user)

    listing = client.get(OUTBOX).content.decode()

    assert "Reset your Chatter password" in listing
    assert reverse("outbox_message", args=[reset_email]) in listing
    for url in _pages(reset_email)[1:]:
        assert client.get(url).status_code == 200, url


def test_a_reset_email_of_a_user_without_a_usable_password_is_listed(
    client, outbox_dir, mailoutbox
):
    newcomer = UserFactory(username="newcomer@acme.example")
    newcomer.set_unusable_password()
    newcomer.save()
    password_reset_deliver.call(username="newcomer@acme.example")
    name = _only_file(outbox_dir)

    assert "Reset your Chatter password" in client.get(OUTBOX).content.decode()
    assert client.get(reverse("outbox_message", args=[name])).status_code == 200


def test_an_invitation_email_is_listed_and_opened_for_anyone(client, invitation_email):
    listing = client.get(OUTBOX).content.decode()

    assert reverse("outbox_message", args=[invitation_email]) in listing
    assert client.get(reverse("outbox_message", args=[invitation_email])).status_code == 200


def test_an_email_without_a_recorded_template_is_kept_to_admins(client, admin_user, outbox_dir):
    outbox_dir.mkdir(parents=True)
    name = "20260101T000000000000-0123abcd.eml"
    (outbox_dir / name).write_bytes(b"To: jane@acme.example\nSubject: Old email\n\nhi\n")

    assert "Old email" not in client.get(OUTBOX).content.decode()
    assert client.get(reverse("outbox_message", args=[name])).status_code == 404
    client.force_login(admin_user)
    assert "Old email" in client.get(OUTBOX).content.decode()


def test_hidden_emails_take_no_place_on_a_page(client, outbox_dir, reset_email, mailoutbox):
    listing = client.get(OUTBOX).content.decode()

    assert "No emails have been sent yet." in listing


# The HTML preview ---------------------------------------------------------------------


def test_the_html_preview_allows_the_emails_inline_styles_and_nothing_else(
    client, invitation_email
):
    response = client.get(reverse("outbox_message_html", args=[invitation_email]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in response["Content-Security-Policy"].split(";")
    )
    assert policy == {
        "default-src": "'none'",
        "style-src": "'unsafe-inline'",
        "base-uri": "'none'",
        "form-action": "'none'",
        "frame-ancestors": "'self'",
    }
    assert "script-src" not in policy  # scripts fall back to default-src 'none'
    assert response["X-Frame-Options"] == "SAMEORIGIN"


def test_the_html_preview_opens_links_in_the_top_window(client, invitation_email, mailoutbox):
    html = client.get(reverse("outbox_message_html", args=[invitation_email])).content.decode()

    assert '<head><base target="_top">' in html
    join_url = mailoutbox[0].body.split("Join Now:\n")[1].split("\n")[0]
    assert f'<a href="{join_url}"' in html
    assert 'style="display: inline-block;' in html


def test_the_message_page_keeps_the_strict_policy_and_frames_the_preview_in_a_sandbox(
    client, invitation_email
):
    response = client.get(reverse("outbox_message", args=[invitation_email]))

    policy = response["Content-Security-Policy"]
    assert "style-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"
    page = response.content.decode()
    assert (
        f'src="{reverse("outbox_message_html", args=[invitation_email])}" '
        'sandbox="allow-popups allow-popups-to-escape-sandbox '
        'allow-top-navigation-by-user-activation"'
    ) in page
    assert "srcdoc" not in page


def test_a_message_without_an_html_part_has_no_preview(client, outbox_dir):
    outbox_dir.mkdir(parents=True)
    name = "20260101T000000000000-0123abcd.eml"
    (outbox_dir / name).write_bytes(
        f"{OUTBOX_TEMPLATE_HEADER}: member_added\nTo: x@example.com\n\nhi\n".encode()
    )

    assert client.get(reverse("outbox_message", args=[name])).status_code == 200
    assert client.get(reverse("outbox_message_html", args=[name])).status_code == 404
