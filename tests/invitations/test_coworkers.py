"""Coworker invitations: People › Invite Coworkers, and the Chatter Free sign-up."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.models import Profile, User
from chatterorg.models import AuditEvent, Licence
from chatterorg.tokens import token_new
from invitations.actions import invite_request_clean
from invitations.coworkers import coworker_invitations_send
from invitations.models import Invitation
from tests.factories import CustomerFactory, InvitationFactory, UserFactory
from tests.invitations.join_helpers import SIGNUP_PASSWORD, join_open

INVITE_URL = reverse("invitations:invite_coworkers")


@pytest.fixture
def coworkers_on(org):
    org.allow_coworker_invitations = True
    org.company_email_domains = "acme.example\n*.acme.example"
    org.save()
    return org


def _send(actor, *addresses):
    invite = invite_request_clean(addresses=list(addresses), message="Welcome aboard")
    return {o.email: o.status for o in coworker_invitations_send(actor=actor, invite=invite)}


def _coworker_invitation(email="new.hire@acme.example") -> tuple[Invitation, str]:
    raw, digest = token_new()
    invitation = InvitationFactory(
        kind=Invitation.Kind.COWORKER,
        group=None,
        email=email,
        token_hash=digest,
        delivery_status="sent",
    )
    return invitation, raw


# Inviting ---------------------------------------------------------------------


def test_a_coworker_in_a_company_domain_is_invited_without_a_group(coworkers_on, user):
    assert _send(user, "new.hire@acme.example", "x@eu.acme.example") == {
        "new.hire@acme.example": "Invited",
        "x@eu.acme.example": "Invited",
    }
    invitation = Invitation.objects.get(email="new.hire@acme.example")
    assert invitation.kind == Invitation.Kind.COWORKER and invitation.group is None
    assert AuditEvent.objects.filter(action="invitation.sent").count() == 1


def test_an_address_outside_the_company_domains_is_refused_and_nothing_written(coworkers_on, user):
    with pytest.raises(ValidationError, match=r"jane@globex\.example"):
        _send(user, "new.hire@acme.example", "jane@globex.example")
    assert not Invitation.objects.exists()
    assert not AuditEvent.objects.exists()


def test_an_existing_user_needs_nothing_and_a_pending_invitation_is_resent(coworkers_on, user):
    UserFactory(email="pat@acme.example")
    _send(user, "new.hire@acme.example")

    assert _send(user, "pat@acme.example", "new.hire@acme.example") == {
        "pat@acme.example": "NoActionNeededUser",
        "new.hire@acme.example": "Resent",
    }
    assert Invitation.objects.count() == 1


def test_with_coworker_invitations_off_nobody_may_invite(org, user):
    org.allow_coworker_invitations = False
    org.company_email_domains = "acme.example"
    org.save()
    with pytest.raises(PermissionDenied):
        _send(user, "new.hire@acme.example")


def test_without_chatter_free_licences_no_coworker_is_invited(coworkers_on, user):
    Licence.objects.filter(name=Licence.Name.CHATTER_FREE).update(total=0, used=0)
    with pytest.raises(ValidationError, match="No Chatter Free licenses"):
        _send(user, "new.hire@acme.example")
    assert not Invitation.objects.exists()


def test_the_people_page_shows_invite_coworkers_only_when_allowed(client, coworkers_on, user):
    client.force_login(user)
    assert INVITE_URL in client.get(reverse("groups:people")).content.decode()
    coworkers_on.allow_coworker_invitations = False
    coworkers_on.save()
    assert INVITE_URL not in client.get(reverse("groups:people")).content.decode()
    assert client.get(INVITE_URL).status_code == 403


def test_a_customer_gets_data_not_available(client, coworkers_on):
    client.force_login(CustomerFactory())
    assert client.get(INVITE_URL).status_code == 404


def test_the_page_invites_and_lists_the_outcomes(client, coworkers_on, user):
    client.force_login(user)
    response = client.post(INVITE_URL, {"addresses": "new.hire@acme.example"}, follow=True)
    assert "new.hire@acme.example" in response.content.decode()
    assert Invitation.objects.filter(kind=Invitation.Kind.COWORKER).count() == 1


def test_the_page_says_why_a_customer_address_is_refused(client, coworkers_on, user):
    client.force_login(user)
    response = client.post(INVITE_URL, {"addresses": "jane@globex.example"})
    assert "Not in your company" in response.content.decode()
    assert not Invitation.objects.exists()


# Signing up -------------------------------------------------------------------


def _coworker_form(**overrides):
    data = {
        "first_name": "New",
        "last_name": "Hire",
        "password": SIGNUP_PASSWORD,
        "password_confirm": SIGNUP_PASSWORD,
    }
    data.update(overrides)
    return data


def test_a_coworker_signs_up_as_a_chatter_free_user(client, coworkers_on):
    invitation, raw = _coworker_invitation()
    used_before = Licence.objects.get(name=Licence.Name.CHATTER_FREE).used
    assert join_open(client, raw).status_code == 302

    page = client.get(reverse("join:signup")).content.decode()
    assert "Company Name" not in page and "Security Question" not in page
    response = client.post(reverse("join:signup"), _coworker_form())

    assert response.status_code == 302
    user = User.objects.get(username="new.hire@acme.example")
    assert user.profile.name == Profile.CHATTER_FREE_USER
    assert user.user_type == User.UserType.CHATTER_FREE
    assert user.check_password(SIGNUP_PASSWORD)
    assert Licence.objects.get(name=Licence.Name.CHATTER_FREE).used == used_before + 1
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED and invitation.accepted_user == user
    assert AuditEvent.objects.filter(action="invitation.accepted").exists()


def test_mismatched_passwords_create_nothing(client, coworkers_on):
    _invitation, raw = _coworker_invitation()
    join_open(client, raw)

    response = client.post(
        reverse("join:signup"), _coworker_form(password_confirm="Something-Else-99")
    )

    assert response.status_code == 200
    assert "The passwords don" in response.content.decode()
    assert not User.objects.filter(username="new.hire@acme.example").exists()
    assert Invitation.objects.get().status == Invitation.Status.SENT


def test_a_link_whose_address_left_the_company_domains_is_no_longer_valid(client, coworkers_on):
    _invitation, raw = _coworker_invitation()
    coworkers_on.company_email_domains = "acme-corp.example"
    coworkers_on.save()
    assert join_open(client, raw).status_code == 404


def test_a_username_taken_meanwhile_is_refused_and_nothing_written(client, coworkers_on):
    _invitation, raw = _coworker_invitation()
    join_open(client, raw)
    UserFactory(username="new.hire@acme.example", email="other@acme.example")
    users = User.objects.count()

    response = client.post(reverse("join:signup"), _coworker_form())

    assert "already exists" in response.content.decode()
    assert User.objects.count() == users
    assert Invitation.objects.get().status == Invitation.Status.SENT


def test_the_invitation_email_names_the_org_not_a_group(coworkers_on, user, mailoutbox):
    _send(user, "new.hire@acme.example")  # the immediate backend runs the task on commit
    from invitations.tasks import invitation_email_deliver

    invitation_email_deliver(invitation_id=Invitation.objects.get().pk)

    assert len(mailoutbox) == 1
    assert "invited you to join Acme Corporation" in mailoutbox[0].subject
    assert "/join/" in mailoutbox[0].body
