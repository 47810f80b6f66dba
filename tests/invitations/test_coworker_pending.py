"""People › Invite Coworkers lists the sender's pending coworker invitations, with Resend and
Cancel: Setup › Invitations' own actions, allowed by ``invitation_change_allowed``."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from chatterorg.models import AuditEvent
from chatterorg.tokens import token_new
from invitations.models import Invitation, RetiredLink
from tests.chatterorg.fixtures import user_manager
from tests.factories import CustomerFactory, InvitationFactory, UserFactory

INVITE_URL = reverse("invitations:invite_coworkers")

__all__ = ["user_manager"]  # a fixture: a Chatter Free user with "Manage Users"


@pytest.fixture
def coworkers_on(org):
    org.allow_coworker_invitations = True
    org.company_email_domains = "acme.example"
    org.save()
    return org


@pytest.fixture
def sender(db):
    return UserFactory(username="morgan@acme.example", email="morgan@acme.example")


def _coworker_invitation(inviter, email="new.hire@acme.example", **fields) -> Invitation:
    _raw, digest = token_new()
    return InvitationFactory(
        kind=Invitation.Kind.COWORKER,
        group=None,
        inviter=inviter,
        email=email,
        token_hash=digest,
        delivery_status=Invitation.Delivery.SENT,
        **fields,
    )


def _resend(invitation: Invitation) -> str:
    return reverse("invitations:coworker_resend", args=[invitation.pk])


def _cancel(invitation: Invitation) -> str:
    return reverse("invitations:coworker_cancel", args=[invitation.pk])


def _confirm(invitation: Invitation) -> str:
    return reverse("invitations:coworker_cancel_confirm", args=[invitation.pk])


def _unchanged(invitation: Invitation) -> None:
    before = (invitation.status, invitation.token_hash, invitation.sent_at, invitation.inviter_id)
    invitation.refresh_from_db()
    assert (
        invitation.status,
        invitation.token_hash,
        invitation.sent_at,
        invitation.inviter_id,
    ) == before
    assert not AuditEvent.objects.exists()
    assert not RetiredLink.objects.exists()


# The list ---------------------------------------------------------------------------------------


def test_the_sender_sees_their_pending_coworker_invitations_with_resend_and_cancel(
    client, coworkers_on, sender
):
    mine = _coworker_invitation(sender)
    _coworker_invitation(UserFactory(), email="not.mine@acme.example")
    _coworker_invitation(sender, email="gone@acme.example", status=Invitation.Status.CANCELED)
    client.force_login(sender)

    response = client.get(INVITE_URL)

    assert [inv.email for inv in response.context["page"].object_list] == [mine.email]
    html = response.content.decode()
    assert "<caption>Your pending invitations</caption>" in html
    assert f'action="{_resend(mine)}"' in html
    assert f'aria-label="Resend invitation to {mine.email}"' in html
    # Cancel asks first: a GET to its confirm page, shown as a modal with JavaScript.
    assert f'action="{_confirm(mine)}" class="inline-form" data-confirm>' in html
    assert "not.mine@acme.example" not in html and "gone@acme.example" not in html


def test_the_page_queries_do_not_grow_with_the_pending_invitations(
    client, coworkers_on, sender, django_assert_num_queries
):
    _coworker_invitation(sender)
    client.force_login(sender)
    client.get(INVITE_URL)  # the session, once

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(INVITE_URL)
    for n in range(30):
        _coworker_invitation(sender, email=f"hire{n}@acme.example")
    with django_assert_num_queries(len(few)):
        client.get(INVITE_URL)


# Resend -----------------------------------------------------------------------------------------


def test_resend_sends_a_new_link_and_records_the_audit_event(
    client, coworkers_on, sender, mailoutbox, django_capture_on_commit_callbacks
):
    invitation = _coworker_invitation(sender)
    old_hash = invitation.token_hash
    client.force_login(sender)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_resend(invitation), {"next": INVITE_URL})

    assert response.status_code == 302 and response["Location"] == INVITE_URL
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.SENT
    assert invitation.token_hash not in (None, old_hash)  # the email task made a new link
    assert RetiredLink.objects.get(token_hash=old_hash).reason == RetiredLink.Reason.SUPERSEDED
    event = AuditEvent.objects.get(action="invitation.resent")
    assert event.actor_id == sender.pk
    assert event.display == f"Resent 1 invitation from Invite Coworkers: {invitation.email}"
    assert [message.to for message in mailoutbox] == [[invitation.email]]
    page = client.get(INVITE_URL).content.decode()
    assert f"Invitation resent to {invitation.email}." in page


def test_resend_waits_while_coworker_invitations_are_off_but_cancel_does_not(
    client, coworkers_on, sender
):
    invitation = _coworker_invitation(sender)
    coworkers_on.allow_coworker_invitations = False
    coworkers_on.save()
    client.force_login(sender)

    assert client.post(_resend(invitation)).status_code == 403
    _unchanged(invitation)
    assert client.post(_cancel(invitation)).status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.CANCELED


# Cancel -----------------------------------------------------------------------------------------


def test_the_confirm_page_asks_first_and_writes_nothing(client, coworkers_on, sender):
    invitation = _coworker_invitation(sender)
    client.force_login(sender)

    response = client.get(_confirm(invitation), {"next": INVITE_URL})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Cancel Invitation?" in html
    assert f"{invitation.email} won&#x27;t be able to join" in html
    assert f'action="{_cancel(invitation)}"' in html
    assert f'name="next" value="{INVITE_URL}"' in html
    assert ">Cancel Invitation</button>" in html and ">Keep Invitation</a>" in html
    _unchanged(invitation)


def test_cancel_ends_the_link_and_records_the_audit_event(client, coworkers_on, sender):
    invitation = _coworker_invitation(sender)
    client.force_login(sender)

    response = client.post(_cancel(invitation), {"next": "https://evil.example/"})

    assert response.status_code == 302 and response["Location"] == INVITE_URL
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.CANCELED
    assert invitation.token_hash is None and invitation.canceled_at is not None
    event = AuditEvent.objects.get(action="invitation.canceled")
    assert event.actor_id == sender.pk
    assert event.display == f"Canceled 1 invitation from Invite Coworkers: {invitation.email}"
    assert f"Invitation to {invitation.email} canceled." in client.get(INVITE_URL).content.decode()


def test_an_invitation_no_longer_pending_is_left_as_it_is(client, coworkers_on, sender):
    invitation = _coworker_invitation(sender, status=Invitation.Status.CANCELED)
    client.force_login(sender)

    response = client.post(_resend(invitation), follow=True)

    assert f"The invitation to {invitation.email} is no longer pending." in (
        response.content.decode()
    )
    _unchanged(invitation)


# Who may ----------------------------------------------------------------------------------------


def test_another_users_coworker_invitation_is_refused_and_nothing_written(
    client, coworkers_on, sender
):
    invitation = _coworker_invitation(sender)
    client.force_login(UserFactory())

    assert client.post(_resend(invitation)).status_code == 403
    assert client.post(_cancel(invitation)).status_code == 403
    assert client.get(_confirm(invitation)).status_code == 403
    _unchanged(invitation)


def test_a_user_with_manage_users_may_cancel_anyones_as_in_setup(
    client, coworkers_on, sender, user_manager
):
    invitation = _coworker_invitation(sender)
    client.force_login(user_manager)

    assert client.post(_cancel(invitation)).status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.CANCELED


@pytest.mark.parametrize("kind", ["unknown", "customer invitation", "customer user"])
def test_what_is_no_coworker_invitation_of_the_viewer_is_not_found(
    client, coworkers_on, sender, kind
):
    coworker = _coworker_invitation(sender)
    target = coworker
    if kind == "unknown":
        target = Invitation(pk=coworker.pk + 1000)
    elif kind == "customer invitation":
        target = InvitationFactory(inviter=sender)
    client.force_login(CustomerFactory() if kind == "customer user" else sender)

    for response in (
        client.post(_resend(target)),
        client.post(_cancel(target)),
        client.get(_confirm(target)),
    ):
        assert response.status_code == 404
    assert not AuditEvent.objects.exists()


def test_resend_and_cancel_take_only_a_post(client, coworkers_on, sender):
    invitation = _coworker_invitation(sender)
    client.force_login(sender)

    assert client.get(_resend(invitation)).status_code == 405
    assert client.get(_cancel(invitation)).status_code == 405
    _unchanged(invitation)


def test_a_post_without_the_csrf_token_is_refused(coworkers_on, sender):
    invitation = _coworker_invitation(sender)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(sender)

    assert browser.post(_cancel(invitation)).status_code == 403
    assert browser.post(_resend(invitation)).status_code == 403
    _unchanged(invitation)
