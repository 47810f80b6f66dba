"""The reminder before an invitation expires: once per invitation, only for live links."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from chatterorg.tokens import token_new
from invitations.access import invitation_for_token
from invitations.actions import invitation_cancel, invitation_resend
from invitations.lifecycle import invitation_reminders_send
from invitations.models import Invitation
from tests.factories import InvitationFactory

START = "2026-03-01 09:00Z"


@pytest.fixture
def reminders_on(org, customers_allowed):
    org.invitation_reminders = True
    org.invitation_reminder_days = 3
    org.save()
    return org


def _sent(council, days: int = 10, **fields) -> tuple[Invitation, str]:
    raw, digest = token_new()
    now = timezone.now()
    invitation = InvitationFactory(
        group=council,
        inviter=council.morgan,
        sent_at=now,
        expires_at=now + timedelta(days=days),
        token_hash=digest,
        delivery_status=Invitation.Delivery.SENT,
        **fields,
    )
    return invitation, raw


def test_one_reminder_goes_out_within_the_days_before_expiry(
    reminders_on, council, mailoutbox, time_machine
):
    time_machine.move_to(START, tick=False)
    invitation, old_raw = _sent(council)

    time_machine.shift(timedelta(days=6, hours=23))
    assert invitation_reminders_send() == 0

    time_machine.shift(timedelta(hours=2))
    assert invitation_reminders_send() == 1
    assert invitation_reminders_send() == 0  # exactly one
    time_machine.shift(timedelta(days=1))
    assert invitation_reminders_send() == 0

    assert len(mailoutbox) == 1
    reminder = mailoutbox[0]
    assert reminder.to == [invitation.email]
    assert reminder.subject.startswith("Reminder: Morgan Lee invited you to join")
    new_raw = reminder.body.split("/join/")[1].split("/")[0]
    assert invitation_for_token(new_raw) is not None
    assert invitation_for_token(old_raw) is None  # the reminder's link replaces the first one


def test_reminders_are_off_by_default(org, customers_allowed, council, mailoutbox, time_machine):
    time_machine.move_to(START, tick=False)
    _sent(council)
    time_machine.shift(timedelta(days=9))
    assert invitation_reminders_send() == 0
    assert mailoutbox == []


def test_a_canceled_expired_or_accepted_invitation_gets_no_reminder(
    reminders_on, council, mailoutbox, time_machine
):
    time_machine.move_to(START, tick=False)
    canceled, _ = _sent(council)
    invitation_cancel(actor=council.morgan, invitation=canceled)
    _sent(council, status=Invitation.Status.ACCEPTED, accepted_user=council.casey)
    _sent(council, days=1, email="expired@globex.example")
    live, _ = _sent(council, days=2)
    time_machine.shift(timedelta(days=1, hours=1))  # the 1-day one has expired

    assert invitation_reminders_send() == 1
    assert [message.to for message in mailoutbox] == [[live.email]]


def test_customers_turned_off_means_no_reminders(reminders_on, council, mailoutbox, time_machine):
    time_machine.move_to(START, tick=False)
    _sent(council)
    reminders_on.allow_customer_invitations = False
    reminders_on.save()
    time_machine.shift(timedelta(days=8))
    assert invitation_reminders_send() == 0


def test_a_resend_starts_a_new_reminder_cycle(
    reminders_on, council, mailoutbox, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(START, tick=False)
    invitation, _ = _sent(council)
    time_machine.shift(timedelta(days=8))
    assert invitation_reminders_send() == 1

    with django_capture_on_commit_callbacks(execute=True):
        invitation_resend(actor=council.morgan, invitation=invitation)
    invitation.refresh_from_db()
    assert invitation.reminded_at is None

    time_machine.shift(timedelta(days=7, hours=1))
    assert invitation_reminders_send() == 1


def test_a_failed_reminder_keeps_the_old_link_and_is_tried_again(
    reminders_on, council, time_machine, monkeypatch, mailoutbox
):
    time_machine.move_to(START, tick=False)
    _invitation, raw = _sent(council)
    time_machine.shift(timedelta(days=8))

    def broken(**kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr("invitations.lifecycle.email_send", broken)
    assert invitation_reminders_send() == 0
    assert invitation_for_token(raw) is not None
    monkeypatch.undo()
    assert invitation_reminders_send() == 1


def test_the_command_runs_once_for_cron(reminders_on, council, mailoutbox, time_machine):
    time_machine.move_to(START, tick=False)
    _sent(council)
    time_machine.shift(timedelta(days=8))
    out = StringIO()

    call_command("lifecycle_run", stdout=out)

    assert "Invitation reminders sent: 1" in out.getvalue()
    assert len(mailoutbox) == 1


def test_the_command_loops_until_interrupted_and_stops_cleanly(reminders_on, monkeypatch):
    ticks: list[int] = []

    def sleep(seconds: float) -> None:
        ticks.append(int(seconds))
        if len(ticks) == 2:
            raise KeyboardInterrupt  # Ctrl-C under make run

    monkeypatch.setattr("invitations.management.commands.lifecycle_run.time.sleep", sleep)
    monkeypatch.setattr(
        "invitations.management.commands.lifecycle_run.close_old_connections", lambda: None
    )

    call_command("lifecycle_run", "--every", "60", stdout=StringIO())

    assert ticks == [60, 60]
