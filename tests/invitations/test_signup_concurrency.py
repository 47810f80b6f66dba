"""Sign-ups racing each other on separate database connections (PostgreSQL only).

SQLite serialises every writer at BEGIN (IMMEDIATE transactions), so it cannot
show a race; these tests run where rows are really locked concurrently. Each
thread has its own connection, closed when it finishes.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from accounts.models import User
from chatterorg.actions import NoLicenceLeft
from chatterorg.models import Licence
from chatterorg.selectors import org_get
from chatterorg.tokens import token_hash
from groups.models import Membership
from invitations.access import InvitationNotRedeemable
from invitations.join.actions import customer_signup
from invitations.models import Invitation
from tests.invitations.join_helpers import invitation_sent, signup_data

# Skipped at collection on SQLite, before any database setup: SQLite serialises
# writers, so no sign-ups can race there.
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises writers, so no sign-ups can race",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _race(calls: list[Callable[[], Any]]) -> list[str]:
    """Run the calls at the same moment, one thread and connection each; name each outcome."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = [""] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=30)
            call()
            outcomes[index] = "created"
        except Exception as exc:
            outcomes[index] = type(exc).__name__
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a sign-up never finished"
    return outcomes


def _signup_call(invitation: Invitation, raw: str, **overrides: str) -> Callable[[], User]:
    data = signup_data(**overrides)
    del data["password_confirm"]
    return lambda: customer_signup(
        invitation=invitation,
        token_hash=token_hash(raw),
        org=org_get(),
        **{"password_confirm": data.get("password", ""), **data},
    )


def test_ten_concurrent_sign_ups_with_three_licences_left_create_exactly_three_users(council):
    licence = Licence.objects.get(name="Chatter External")
    Licence.objects.filter(pk=licence.pk).update(total=licence.used + 3)
    invitations = [
        invitation_sent(group=council, inviter=council.morgan, email=f"guest{n}@globex.example")
        for n in range(10)
    ]

    outcomes = _race([_signup_call(invitation, raw) for invitation, raw in invitations])

    assert Counter(outcomes) == {"created": 3, NoLicenceLeft.__name__: 7}, outcomes
    licence.refresh_from_db()
    assert licence.used == licence.total
    assert User.objects.filter(email__endswith="@globex.example").count() == 3
    assert Membership.objects.filter(group=council, is_customer=True).count() == 3
    statuses = Counter(Invitation.objects.filter(group=council).values_list("status", flat=True))
    assert statuses == {Invitation.Status.ACCEPTED: 3, Invitation.Status.SENT: 7}


def test_the_same_invitation_submitted_twice_at_once_creates_one_user(council):
    invitation, raw = invitation_sent(
        group=council, inviter=council.morgan, email="jane@globex.example"
    )
    used = Licence.objects.get(name="Chatter External").used

    outcomes = _race(
        [
            _signup_call(invitation, raw),
            _signup_call(invitation, raw, first_name="Janet"),
        ]
    )

    assert sorted(outcomes) == sorted(["created", InvitationNotRedeemable.__name__]), outcomes
    assert User.objects.filter(email="jane@globex.example").count() == 1
    assert Licence.objects.get(name="Chatter External").used == used + 1
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED


def test_two_people_with_the_same_name_at_once_get_jane_and_jane2(council):
    first, first_raw = invitation_sent(
        group=council, inviter=council.morgan, email="jane@globex.example"
    )
    second, second_raw = invitation_sent(
        group=council, inviter=council.morgan, email="jane@initech.example"
    )

    outcomes = _race([_signup_call(first, first_raw), _signup_call(second, second_raw)])

    assert outcomes == ["created", "created"]
    usernames = set(
        User.objects.filter(email__startswith="jane@").values_list("username", flat=True)
    )
    assert usernames == {"jane@guest.acme.example", "jane2@guest.acme.example"}
