"""Opening the Join Now link: valid links move into the session, bad ones all look alike."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from chatterorg.tokens import token_hash
from groups.models import Group
from invitations.access import JOIN_SESSION_KEY
from invitations.models import Invitation
from tests.factories import CustomerFactory, UserFactory
from tests.invitations.join_helpers import invitation_sent, join_open, signup_data

INVALID_TEXT = "This invitation is no longer valid"


@pytest.fixture
def invitation(council):
    return invitation_sent(group=council, inviter=council.morgan, email="jane@globex.example")


def test_a_valid_link_keeps_the_invitation_in_the_session_and_redirects(client, invitation):
    invitation, raw = invitation

    response = join_open(client, raw)

    assert response.status_code == 302
    assert response["Location"] == reverse("join:signup")
    stored = client.session[JOIN_SESSION_KEY]
    assert stored == {"id": invitation.pk, "token_hash": token_hash(raw), "confirmed": False}
    assert raw not in str(dict(client.session.items()))


def test_the_link_and_the_form_are_never_cached_nor_sent_as_referrer(client, invitation):
    _, raw = invitation

    opened = join_open(client, raw)
    form = client.get(reverse("join:signup"))

    for response in (opened, form):
        assert response["Referrer-Policy"] == "same-origin"
        assert "no-store" in response["Cache-Control"]


def test_opening_the_link_creates_nothing(client, invitation):
    invitation, raw = invitation
    users = User.objects.count()

    join_open(client, raw)
    client.head(reverse("join:open", kwargs={"token": raw}))
    client.get(reverse("join:signup"))

    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.SENT
    assert invitation.token_hash == token_hash(raw)
    assert User.objects.count() == users


def test_the_link_only_answers_get(client, invitation):
    _, raw = invitation

    response = client.post(reverse("join:open", kwargs={"token": raw}))

    assert response.status_code == 405
    assert JOIN_SESSION_KEY not in client.session


def _bad_links(council) -> dict[str, str]:
    """One raw token for each way a link can go bad."""
    links = {"unknown": "x" * 43}
    expired, raw = invitation_sent(group=council, inviter=council.morgan, email="e@globex.example")
    Invitation.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    links["expired"] = raw
    canceled, raw = invitation_sent(group=council, inviter=council.morgan, email="c@globex.example")
    Invitation.objects.filter(pk=canceled.pk).update(
        status=Invitation.Status.CANCELED, canceled_at=timezone.now()
    )
    links["canceled"] = raw
    accepted, raw = invitation_sent(group=council, inviter=council.morgan, email="a@globex.example")
    # An accepted invitation keeps no hash; a raw token for it can only be stale.
    Invitation.objects.filter(pk=accepted.pk).update(
        status=Invitation.Status.ACCEPTED, accepted_user=CustomerFactory(), token_hash=None
    )
    links["used"] = raw
    return links


def test_every_bad_link_gets_the_same_status_and_the_same_bytes(client, council, org):
    links = _bad_links(council)
    responses = {kind: join_open(client, raw) for kind, raw in links.items()}
    # A good link goes bad when the org turns customer invitations off...
    _, raw = invitation_sent(group=council, inviter=council.morgan, email="g@globex.example")
    org.allow_customer_invitations = False
    org.save()
    responses["setting off"] = join_open(client, raw)
    # ...or when its group no longer allows customers.
    org.allow_customer_invitations = True
    org.save()
    Group.objects.filter(pk=council.pk).update(allow_customers=False)
    responses["group closed to customers"] = join_open(client, raw)

    statuses = {kind: response.status_code for kind, response in responses.items()}
    assert set(statuses.values()) == {404}, statuses
    bodies = {response.content for response in responses.values()}
    assert len(bodies) == 1
    assert INVALID_TEXT in bodies.pop().decode()
    assert JOIN_SESSION_KEY not in client.session


def test_the_invalid_page_asks_for_a_new_invitation(client, db):
    response = join_open(client, "no-such-token-at-all-0123456789")

    html = response.content.decode()
    assert "<h1>This invitation is no longer valid</h1>" in html
    assert "Ask the person who invited you" in html
    assert "csrfmiddlewaretoken" not in html


def test_a_signed_in_visitor_sees_the_very_same_invalid_page(client, db):
    anonymous = join_open(client, "no-such-token-at-all-0123456789").content
    client.force_login(UserFactory())

    signed_in = join_open(client, "no-such-token-at-all-0123456789").content

    assert signed_in == anonymous


def test_the_sign_up_page_without_an_opened_link_is_the_invalid_page(client, council):
    bad = join_open(client, "no-such-token-at-all-0123456789")

    response = client.get(reverse("join:signup"))
    posted = client.post(reverse("join:signup"), signup_data())

    assert (response.status_code, response.content) == (bad.status_code, bad.content)
    assert (posted.status_code, posted.content) == (bad.status_code, bad.content)


def test_a_link_that_expires_after_opening_can_no_longer_be_used(client, invitation):
    invitation, raw = invitation
    join_open(client, raw)

    with time_machine.travel(invitation.expires_at + timedelta(seconds=1)):
        response = client.post(reverse("join:signup"), signup_data())

    assert response.status_code == 404
    assert INVALID_TEXT in response.content.decode()
    assert not User.objects.filter(email="jane@globex.example").exists()


def test_turning_customer_invitations_off_stops_an_opened_link(client, invitation, org):
    invitation, raw = invitation
    join_open(client, raw)
    org.allow_customer_invitations = False
    org.save()

    response = client.post(reverse("join:signup"), signup_data())

    assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.SENT
    assert not User.objects.filter(email="jane@globex.example").exists()


def test_a_link_canceled_after_opening_can_no_longer_be_used(client, invitation):
    invitation, raw = invitation
    join_open(client, raw)
    Invitation.objects.filter(pk=invitation.pk).update(
        status=Invitation.Status.CANCELED, canceled_at=timezone.now(), token_hash=None
    )

    response = client.get(reverse("join:signup"))

    assert response.status_code == 404
    assert INVALID_TEXT in response.content.decode()
