"""Two reminder runs at once on separate connections (PostgreSQL only): no reminder twice."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from chatterorg.models import Organization
from chatterorg.tokens import token_new
from invitations.lifecycle import invitation_reminders_send
from invitations.models import Invitation
from tests.factories import InvitationFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises writers, so no runs can race",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_two_concurrent_runs_send_each_reminder_exactly_once(council, mailoutbox, time_machine):
    time_machine.move_to("2026-03-01 09:00Z", tick=False)
    Organization.objects.update(invitation_reminders=True, invitation_reminder_days=3)
    now = timezone.now()
    for n in range(40):
        InvitationFactory(
            group=council,
            inviter=council.morgan,
            email=f"guest{n}@globex.example",
            sent_at=now - timedelta(days=58),
            expires_at=now + timedelta(days=2),
            token_hash=token_new()[1],
            delivery_status=Invitation.Delivery.SENT,
        )
    barrier = threading.Barrier(2)
    counts: list[int] = [0, 0]

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            counts[index] = invitation_reminders_send()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert sum(counts) == 40, counts
    recipients = Counter(message.to[0] for message in mailoutbox)
    assert len(recipients) == 40 and set(recipients.values()) == {1}
    assert not Invitation.objects.filter(reminded_at__isnull=True).exists()
