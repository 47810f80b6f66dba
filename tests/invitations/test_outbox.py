"""email_send and the developer outbox (chatterorg.mail, chatterorg.outbox)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from chatterorg.mail import email_send
from invitations.tasks import invitation_emails_send
from tests.factories import InvitationFactory


@pytest.fixture
def outbox_dir(db, settings, tmp_path):
    settings.DEBUG = True
    settings.DEV_OUTBOX_DIR = tmp_path / "outbox"
    return settings.DEV_OUTBOX_DIR


def _send(to="jane@globex.example", name="Jane"):
    email_send(
        to=to,
        subject=f"Hello\n{name}",
        template="member_added",
        context={
            "actor": {"name": "Morgan Lee", "company_name": "Acme"},
            "group": {"name": "Customer Success Council"},
            "message": "<b>hi</b>",
            "quoted_message": "> <b>hi</b>",
            "group_url": "http://testserver/groups/1/",
        },
    )


def test_email_send_sends_a_text_and_an_html_part_through_the_default_mailer(mailoutbox):
    _send()

    [message] = mailoutbox
    assert message.to == ["jane@globex.example"]
    assert message.subject == "Hello Jane"  # a line break cannot reach a header
    assert "> <b>hi</b>" in message.body  # plain text is not HTML-escaped
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert "&lt;b&gt;hi&lt;/b&gt;" in html


def test_email_send_keeps_no_copy_without_an_outbox_dir(settings, tmp_path, mailoutbox):
    settings.DEV_OUTBOX_DIR = None

    _send()

    assert list(tmp_path.iterdir()) == []


def test_email_send_keeps_a_copy_of_each_message_in_the_outbox_dir(outbox_dir, mailoutbox):
    _send()
    _send(to="raj@initech.example")

    files = sorted(outbox_dir.iterdir())
    assert len(files) == 2
    assert all(f.suffix == ".eml" for f in files)
    assert b"To: raj@initech.example" in files[1].read_bytes()


@pytest.mark.parametrize("debug, configured", [(False, True), (True, False)])
def test_the_outbox_does_not_exist_outside_development(
    db, client, settings, tmp_path, debug, configured
):
    settings.DEBUG = debug
    settings.DEV_OUTBOX_DIR = tmp_path if configured else None

    assert client.get(reverse("outbox")).status_code == 404
    name = "20260101T000000000000-0123abcd.eml"
    (tmp_path / name).write_bytes(b"To: x@example.com\n\nhi\n")
    assert client.get(reverse("outbox_message", args=[name])).status_code == 404


def test_the_outbox_lists_sent_emails_newest_first_to_anyone(client, outbox_dir, mailoutbox):
    _send(to="first@globex.example", name="First")
    _send(to="second@globex.example", name="Second")
    (outbox_dir / "notes.txt").write_text("not an email")

    response = client.get(reverse("outbox"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Outbox</h1>" in page
    assert page.index("second@globex.example") < page.index("first@globex.example")
    assert "Hello Second" in page
    assert "notes.txt" not in page


def test_an_empty_outbox_says_so(client, outbox_dir):
    assert "No emails have been sent yet." in client.get(reverse("outbox")).content.decode()


def test_an_invitation_in_the_outbox_shows_a_clickable_join_now_link_and_a_sandboxed_html_part(
    client, council, outbox_dir, settings, mailoutbox
):
    settings.SITE_URL = "http://testserver"
    invitation = InvitationFactory(
        group=council, inviter=council.morgan, message='<script>alert("x")</script>'
    )
    invitation_emails_send.call(invitation_ids=[invitation.pk])
    [name] = [p.name for p in outbox_dir.iterdir()]

    listing = client.get(reverse("outbox")).content.decode()
    assert reverse("outbox_message", args=[name]) in listing
    response = client.get(reverse("outbox_message", args=[name]))

    assert response.status_code == 200
    page = response.content.decode()
    link = mailoutbox[0].body.split("Join Now:\n")[1].split("\n")[0]
    assert f'<a href="{link}"' in page
    preview = reverse("outbox_message_html", args=[name])
    assert f'<iframe title="HTML part of the email" src="{preview}" sandbox="' in page
    # The email's markup appears only escaped (inside srcdoc and the source view).
    assert "<script>" not in page
    assert "Morgan Lee invited you to join Customer Success Council in Chatter" in page
    # Following the link from the outbox opens the sign-up page.
    assert client.get(link.removeprefix("http://testserver")).url == reverse("join:signup")


@pytest.mark.parametrize(
    "name",
    [
        "..",
        "...eml",
        "20260101T000000000000-0123abcd.txt",
        "20260101T000000000000-0123ABCD.eml",
        "20260101T000000000000-0123abcd.eml.bak",
        "%2e%2e%2fsettings.py",
    ],
)
def test_the_outbox_opens_only_names_it_writes(client, outbox_dir, name):
    outbox_dir.mkdir(parents=True, exist_ok=True)

    assert client.get(f"/outbox/{name}/").status_code == 404


def test_a_well_formed_name_that_does_not_exist_is_404(client, outbox_dir):
    outbox_dir.mkdir(parents=True, exist_ok=True)

    response = client.get(reverse("outbox_message", args=["20260101T000000000000-0123abcd.eml"]))

    assert response.status_code == 404
