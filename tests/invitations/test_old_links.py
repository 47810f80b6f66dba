"""Old links explain themselves: "You've already joined", "A newer invitation was sent to
you"; every other bad link keeps the one uniform page."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from invitations.actions import invitation_cancel, invitation_resend
from invitations.lifecycle import invitation_reminders_send
from invitations.models import Invitation, RetiredLink
from tests.invitations.join_helpers import invitation_sent, join_open, join_submit

INVALID_TEXT = "This invitation is no longer valid"


def _invited(council, email="jane@globex.example"):
    return invitation_sent(group=council, inviter=council.morgan, email=email)


def test_a_used_link_says_already_joined_with_the_username_filled_in(client, council):
    _invitation, raw = _invited(council)
    assert join_submit(client, raw).status_code == 302
    username = User.objects.get(email="jane@globex.example").username
    client.logout()

    response = join_open(client, raw)

    page = response.content.decode()
    assert response.status_code == 200
    assert "ve already joined Customer Success Council</h1>" in page
    assert f'value="{username}"' in page
    assert "Log In" in page


def test_a_link_replaced_by_a_resend_says_use_the_latest_email(client, council):
    invitation, raw = _invited(council)
    invitation_resend(actor=council.morgan, invitation=invitation)

    response = join_open(client, raw)

    assert response.status_code == 200
    page = response.content.decode()
    assert "A newer invitation was sent to you" in page
    assert "Use the link in the latest email." in page


def test_after_a_resend_and_an_accept_the_old_link_says_already_joined(client, council):
    invitation, old_raw = _invited(council)
    invitation_resend(actor=council.morgan, invitation=invitation)
    Invitation.objects.filter(pk=invitation.pk).update(
        status=Invitation.Status.ACCEPTED, accepted_user=council.casey, accepted_at=timezone.now()
    )
    assert "already joined" in join_open(client, old_raw).content.decode()


def test_a_replaced_link_of_a_canceled_invitation_gets_the_uniform_page(client, council):
    invitation, raw = _invited(council)
    invitation_resend(actor=council.morgan, invitation=invitation)
    invitation_cancel(actor=council.morgan, invitation=Invitation.objects.get(pk=invitation.pk))

    canceled = join_open(client, raw)
    unknown = join_open(client, "y" * 43)

    assert canceled.status_code == unknown.status_code == 404
    assert canceled.content == unknown.content
    assert INVALID_TEXT in canceled.content.decode()


def test_a_replaced_link_of_an_expired_invitation_gets_the_uniform_page(client, council):
    invitation, raw = _invited(council)
    invitation_resend(actor=council.morgan, invitation=invitation)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert join_open(client, raw).content == join_open(client, "z" * 43).content


def test_a_link_replaced_by_a_reminder_says_use_the_latest_email(
    client, council, org, time_machine
):
    time_machine.move_to("2026-03-01 09:00Z", tick=False)
    org.invitation_reminders = True
    org.save()
    invitation, raw = _invited(council)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() + timedelta(days=2)
    )

    assert invitation_reminders_send() == 1

    assert RetiredLink.objects.filter(invitation=invitation, reason="superseded").exists()
    assert "A newer invitation was sent to you" in join_open(client, raw).content.decode()


def test_cancel_records_no_retired_link(council):
    invitation, _raw = _invited(council)
    invitation_cancel(actor=council.morgan, invitation=invitation)
    assert not RetiredLink.objects.exists()
