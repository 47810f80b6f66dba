"""Two scheduled runs at once on separate connections (PostgreSQL only): nothing done twice."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection, connections
from django.utils import timezone

from accounts.models import User
from chatterorg.models import AuditEvent, Licence, Organization
from chatterorg.tokens import token_new
from invitations.lifecycle import customer_access_run, invitation_reminders_send
from invitations.models import Invitation
from tests.factories import CustomerFactory, InvitationFactory, UserFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises writers, so no runs can race",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _race(call: Callable[[], Any]) -> list[Any]:
    """Run ``call`` twice at the same moment, one thread and connection each."""
    barrier = threading.Barrier(2)
    results: list[Any] = [None, None]

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = call()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a run never finished"
    return results


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
    counts = _race(invitation_reminders_send)

    assert sum(counts) == 40, counts
    recipients = Counter(message.to[0] for message in mailoutbox)
    assert len(recipients) == 40 and set(recipients.values()) == {1}
    assert not Invitation.objects.filter(reminded_at__isnull=True).exists()


def test_two_concurrent_runs_end_each_access_once(db, mailoutbox, time_machine):
    time_machine.move_to("2026-03-10 09:00Z", tick=False)
    sponsor = UserFactory()
    for _ in range(20):
        CustomerFactory(sponsor=sponsor, access_ends_on=date(2026, 3, 10))
    licence = Licence.objects.get(name=Licence.Name.CHATTER_EXTERNAL)
    used = licence.used

    results = _race(customer_access_run)

    assert sum(ended for _warned, ended in results) == 20, results
    licence.refresh_from_db()
    assert licence.used == used - 20
    assert not User.objects.filter(user_type="ChatterGuest", is_active=True).exists()
    assert AuditEvent.objects.filter(action="user.access_ended").count() == 20
    assert len(mailoutbox) == 20
