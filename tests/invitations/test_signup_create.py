"""Creating the customer: one transaction, the right profile and username, then signed in."""

from __future__ import annotations

from http.cookies import SimpleCookie

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from accounts.models import Profile, User
from accounts.security import answer_check
from chatterorg.models import AuditEvent, Licence
from chatterorg.selectors import org_get
from chatterorg.tokens import token_hash
from groups.models import Group, Membership
from invitations.access import JOIN_SESSION_KEY, InvitationNotRedeemable
from invitations.join import views as join_views
from invitations.join.actions import customer_signup
from invitations.join.usernames import customer_username
from invitations.models import Invitation
from tests.factories import CustomerFactory, GroupFactory, PrivateCustomerGroupFactory
from tests.invitations.join_helpers import (
    SIGNUP_PASSWORD,
    invitation_sent,
    join_open,
    join_submit,
    signup_data,
)


def _external() -> Licence:
    return Licence.objects.get(name="Chatter External")


@pytest.fixture
def jane_invitation(council):
    return invitation_sent(group=council, inviter=council.morgan, email="jane@globex.example")


def _signup(invitation: Invitation, raw: str, **overrides: str) -> User:
    data = signup_data(**overrides)
    del data["password_confirm"]
    return customer_signup(
        invitation=invitation,
        token_hash=token_hash(raw),
        org=org_get(),
        **{"password_confirm": data.get("password", ""), **data},
    )


def test_jane_becomes_a_chatter_external_user_in_the_group(
    client, jane_invitation, django_capture_on_commit_callbacks
):
    invitation, raw = jane_invitation
    used = _external().used

    with django_capture_on_commit_callbacks(execute=True):
        response = join_submit(client, raw)

    assert response.status_code == 302
    assert response["Location"] == reverse(
        "groups:detail", kwargs={"group_id": invitation.group_id}
    )
    jane = User.objects.get(email="jane@globex.example")
    assert jane.username == "jane@guest.acme.example"
    assert jane.profile.name == Profile.CHATTER_EXTERNAL_USER
    assert jane.profile.licence.name == "Chatter External"
    assert jane.user_type == User.UserType.CHATTER_GUEST
    assert (jane.first_name, jane.last_name, jane.company_name) == ("Jane", "Doe", "Globex")
    assert jane.is_active
    assert _external().used == used + 1
    membership = Membership.objects.get(group=invitation.group, user=jane)
    assert membership.role == Membership.Role.MEMBER
    assert membership.is_customer
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED
    assert invitation.accepted_user == jane
    assert invitation.accepted_at is not None
    assert invitation.token_hash is None


def test_the_password_is_argon2_and_the_answer_only_a_hash_of_its_normal_form(
    client, jane_invitation
):
    _, raw = jane_invitation

    join_submit(client, raw, answer="  Biscuit   the DOG ")

    jane = User.objects.get(email="jane@globex.example")
    assert jane.password.startswith("argon2")
    assert jane.check_password(SIGNUP_PASSWORD)
    assert jane.security_question == User.SecurityQuestion.FIRST_PET
    assert "biscuit" not in jane.security_answer_hash.lower()
    assert answer_check("biscuit the dog", jane.security_answer_hash)
    assert not answer_check("biscuit the cat", jane.security_answer_hash)


def test_jane_is_signed_in_with_a_new_session_and_welcomed_with_her_username(
    client, jane_invitation
):
    invitation, raw = jane_invitation
    join_open(client, raw)
    key_before = client.session.session_key

    response = client.post(reverse("join:signup"), signup_data(), follow=True)

    jane = User.objects.get(email="jane@globex.example")
    assert client.session[SESSION_KEY] == str(jane.pk)
    assert client.session.session_key != key_before
    assert JOIN_SESSION_KEY not in client.session
    assert response.status_code == 200
    assert "Welcome to Chatter! Your username is jane@guest.acme.example." in (
        response.content.decode()
    )
    group_url = reverse("groups:detail", kwargs={"group_id": invitation.group_id})
    assert response.redirect_chain[-1] == (group_url, 302)


def test_jane_gets_a_welcome_email_and_the_inviter_hears_of_it(
    client, jane_invitation, mailoutbox, django_capture_on_commit_callbacks, settings
):
    _, raw = jane_invitation

    with django_capture_on_commit_callbacks(execute=True):
        join_submit(client, raw)

    by_recipient = {message.to[0]: message for message in mailoutbox}
    assert set(by_recipient) == {"jane@globex.example", "morgan@acme.example"}
    welcome = by_recipient["jane@globex.example"]
    assert "jane@guest.acme.example" in welcome.body
    assert settings.SITE_URL + reverse("accounts:login") in welcome.body
    accepted = by_recipient["morgan@acme.example"]
    assert "Jane Doe" in accepted.subject
    assert "Customer Success Council" in accepted.body
    assert SIGNUP_PASSWORD not in welcome.body + accepted.body


def test_the_sign_up_is_audited(client, jane_invitation):
    _, raw = jane_invitation

    join_submit(client, raw)

    jane = User.objects.get(email="jane@globex.example")
    sections = set(AuditEvent.objects.filter(actor=jane).values_list("section", "action"))
    assert ("Manage Users", "user.created") in sections
    assert ("Chatter Invitations", "invitation.accepted") in sections


def test_the_username_domain_is_the_inviters_email_domain_at_sign_up_time(client, jane_invitation):
    invitation, raw = jane_invitation
    User.objects.filter(pk=invitation.inviter_id).update(email="morgan@initech.example")

    join_submit(client, raw)

    assert User.objects.get(email="jane@globex.example").username == "jane@guest.initech.example"


def test_a_taken_username_gets_the_lowest_free_number(client, jane_invitation):
    _, raw = jane_invitation
    CustomerFactory(username="jane@guest.acme.example")
    CustomerFactory(username="JANE3@guest.acme.example")

    join_submit(client, raw)

    assert User.objects.get(email="jane@globex.example").username == "jane2@guest.acme.example"


@pytest.mark.parametrize(
    ("taken", "expected"),
    [
        ([], "jane@guest.acme.example"),
        (["jane@guest.acme.example"], "jane2@guest.acme.example"),
        (["jane@guest.acme.example", "jane2@guest.acme.example"], "jane3@guest.acme.example"),
        (["Jane@Guest.Acme.Example"], "jane2@guest.acme.example"),
        (["jane2@guest.acme.example"], "jane@guest.acme.example"),
        # Look-alikes are not collisions.
        (["janet@guest.acme.example", "jane@guest.acme.example.org"], "jane@guest.acme.example"),
        (["jane@guest.initech.example", "jane@acme.example"], "jane@guest.acme.example"),
    ],
)
def test_customer_usernames_number_collisions_from_two(db, taken, expected):
    for username in taken:
        CustomerFactory(username=username)

    username = customer_username(
        invitee_email="Jane@Globex.example", inviter_email="morgan@ACME.example"
    )

    assert username == expected


def test_computing_a_username_is_one_query(db, django_assert_num_queries):
    for n in ("", "2", "3", "4"):
        CustomerFactory(username=f"jane{n}@guest.acme.example")

    with django_assert_num_queries(1):  # which of jane … jane10 are taken
        username = customer_username(
            invitee_email="jane@globex.example", inviter_email="morgan@acme.example"
        )

    assert username == "jane5@guest.acme.example"


def test_a_very_long_local_part_still_fits_the_username(db):
    username = customer_username(
        invitee_email=f"{'j' * 64}@globex.example", inviter_email="morgan@acme.example"
    )

    assert len(username) <= 80
    assert username.endswith("@guest.acme.example")


def test_submitting_twice_creates_one_user(client, jane_invitation):
    _, raw = jane_invitation
    join_open(client, raw)

    first = client.post(reverse("join:signup"), signup_data())
    second = client.post(reverse("join:signup"), signup_data())

    assert first.status_code == 302
    assert second.status_code in (302, 404)
    assert User.objects.filter(email="jane@globex.example").count() == 1


def test_two_tabs_create_one_user(client, jane_invitation, django_user_model):
    _, raw = jane_invitation
    join_open(client, raw)
    other_tab = Client()
    other_tab.cookies = SimpleCookie(client.cookies)

    first = client.post(reverse("join:signup"), signup_data())
    second = other_tab.post(reverse("join:signup"), signup_data(first_name="Janet"))

    assert first.status_code == 302
    # The second submit came from the page the first one left: "already created, log in".
    assert second.status_code == 302
    assert second["Location"] == reverse("accounts:login")
    assert django_user_model.objects.filter(email="jane@globex.example").count() == 1
    # The marker it found unlocks nothing.
    assert other_tab.get(reverse("home")).status_code == 302


def test_a_double_submit_whose_session_the_first_login_ended_lands_on_log_in(
    client, jane_invitation, monkeypatch
):
    """The second request read its session before the first one's login retired it."""
    _, raw = jane_invitation
    join_open(client, raw)
    real_signup = join_views.customer_signup
    session_key = client.session.session_key

    def first_tab_logs_in_meanwhile(**kwargs):
        real_signup(**kwargs)  # the first submit commits ...
        Session.objects.filter(session_key=session_key).delete()  # ... and login() rotates
        return real_signup(**kwargs)

    monkeypatch.setattr(join_views, "customer_signup", first_tab_logs_in_meanwhile)
    response = client.post(reverse("join:signup"), signup_data())

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert User.objects.filter(email="jane@globex.example").count() == 1


def test_the_action_refuses_an_accepted_invitation_as_already_accepted(jane_invitation):
    invitation, raw = jane_invitation
    _signup(invitation, raw)

    with pytest.raises(InvitationNotRedeemable) as refused:
        _signup(invitation, raw)

    assert refused.value.already_accepted
    assert User.objects.filter(email="jane@globex.example").count() == 1


def test_a_submit_that_loses_the_race_to_another_tab_is_sent_to_the_login_page(
    client, jane_invitation, monkeypatch
):
    _, raw = jane_invitation
    join_open(client, raw)
    real_signup = join_views.customer_signup

    def other_tab_commits_first(**kwargs):
        real_signup(**kwargs)
        return real_signup(**kwargs)

    monkeypatch.setattr(join_views, "customer_signup", other_tab_commits_first)
    response = client.post(reverse("join:signup"), signup_data())

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert User.objects.filter(email="jane@globex.example").count() == 1


def test_with_no_licence_left_nothing_is_created_and_the_invitation_still_works(
    client, jane_invitation
):
    invitation, raw = jane_invitation
    licence = _external()
    Licence.objects.filter(pk=licence.pk).update(total=licence.used)
    join_open(client, raw)
    memberships = Membership.objects.count()

    refused = client.post(reverse("join:signup"), signup_data())

    assert refused.status_code == 409
    html = refused.content.decode()
    assert "No licenses are left" in html
    assert "Ask the person who invited you" in html
    assert not User.objects.filter(email="jane@globex.example").exists()
    assert Membership.objects.count() == memberships
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.SENT
    assert invitation.token_hash == token_hash(raw)
    assert _external().used == licence.used

    Licence.objects.filter(pk=licence.pk).update(total=licence.used + 1)
    accepted = client.post(reverse("join:signup"), signup_data())

    assert accepted.status_code == 302
    assert User.objects.filter(email="jane@globex.example").exists()


def test_licences_run_out_after_exactly_the_remaining_number_of_sign_ups(council):
    licence = _external()
    Licence.objects.filter(pk=licence.pk).update(total=licence.used + 3)
    invitations = [
        invitation_sent(group=council, inviter=council.morgan, email=f"guest{n}@globex.example")
        for n in range(5)
    ]
    outcomes = []
    for invitation, raw in invitations:
        try:
            _signup(invitation, raw)
            outcomes.append("created")
        except Exception as exc:
            outcomes.append(type(exc).__name__)

    assert outcomes == ["created"] * 3 + ["NoLicenceLeft"] * 2
    licence.refresh_from_db()
    assert licence.used == licence.total


def test_the_new_customer_sees_their_group_and_no_other(client, jane_invitation):
    invitation, raw = jane_invitation
    private = PrivateCustomerGroupFactory(name="Partner Advisory Board")
    public = GroupFactory(name="All Acme")
    unlisted = GroupFactory(name="Secret Plans", access_type=Group.AccessType.UNLISTED)

    join_submit(client, raw)

    own = client.get(reverse("groups:detail", kwargs={"group_id": invitation.group_id}))
    assert own.status_code == 200
    for group in (private, public, unlisted):
        response = client.get(reverse("groups:detail", kwargs={"group_id": group.pk}))
        assert response.status_code == 404, group.name
