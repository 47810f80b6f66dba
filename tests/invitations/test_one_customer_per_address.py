"""One customer per email address: invites, Join Now, the constraint and reactivation.

Addresses are the same when their ``email_key`` is: the local part ignoring
case, the domain IDNA-encoded (``bücher.example`` = ``xn--bcher-kva.example``).
"""

from __future__ import annotations

from types import SimpleNamespace
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import Profile, User, email_key
from chatterorg.models import AuditEvent, Licence
from chatterorg.tokens import token_hash
from groups.models import Membership
from invitations.access import CustomerAccountExists
from invitations.actions import invitations_send, invite_request_clean
from invitations.addresses import addresses_parse
from invitations.join import actions as join_actions
from invitations.models import Invitation
from tests.chatterorg import fixtures
from tests.factories import (
    PASSWORD,
    CustomerFactory,
    InvitationFactory,
    MembershipFactory,
    PrivateCustomerGroupFactory,
    UserFactory,
)
from tests.invitations.join_helpers import (
    SIGNUP_PASSWORD,
    invitation_sent,
    join_open,
    join_submit,
    signup_data,
)

pytestmark = pytest.mark.django_db

admin_client = fixtures.admin_client

DEACTIVATED_LABEL = "This person's account is deactivated. Ask your administrator to reactivate it."


def _external() -> Licence:
    return Licence.objects.get(name=Licence.Name.CHATTER_EXTERNAL)


def _send(actor, group, *addresses):
    invite = invite_request_clean(addresses=list(addresses), message="")
    return invitations_send(actor=actor, group=group, invite=invite)


def _snapshot() -> tuple:
    """Everything an invite or a sign-up may write, to prove a refusal wrote nothing."""
    return (
        list(User.objects.order_by("pk").values_list("pk", "username", "is_active")),
        list(Invitation.objects.order_by("pk").values()),
        list(Membership.objects.order_by("pk").values_list("pk", "group_id", "user_id")),
        AuditEvent.objects.count(),
        list(Licence.objects.order_by("pk").values_list("name", "used")),
    )


@pytest.fixture
def second_group(council):
    """Another Private group with customers that Morgan owns."""
    group = PrivateCustomerGroupFactory(name="Partner Pilots")
    MembershipFactory(group=group, user=council.morgan, role=Membership.Role.OWNER)
    return group


# The key ---------------------------------------------------------------------------------


def test_an_idn_domain_and_its_ascii_spelling_have_one_key_ignoring_case():
    assert email_key("jane@BÜCHER.example") == email_key("jane@xn--bcher-kva.example")
    assert email_key("Jane@XN--BCHER-KVA.EXAMPLE") == "jane@xn--bcher-kva.example"
    assert email_key("JÖRG@globex.example") == "jörg@globex.example"


@pytest.mark.parametrize("address", ["jane@xn--zz.example", "jane@a..example", "jane"])
def test_an_address_whose_domain_is_no_valid_idn_has_no_key(address):
    with pytest.raises(ValueError):
        email_key(address)


def test_an_invite_refuses_an_address_whose_domain_is_no_valid_idn():
    with pytest.raises(ValidationError) as refused:
        addresses_parse("jane@xn--zz.example")

    assert "enter a valid email address" in refused.value.messages[0]


def test_an_invite_drops_the_same_address_in_another_idn_spelling():
    assert addresses_parse("jane@BÜCHER.example, JANE@xn--bcher-kva.example") == [
        "jane@bücher.example"
    ]


def test_the_database_refuses_a_second_customer_with_the_same_address_in_another_spelling():
    CustomerFactory(email="jane@BÜCHER.example")

    with pytest.raises(IntegrityError), transaction.atomic():
        CustomerFactory(email="JANE@xn--bcher-kva.example")


def test_the_database_refuses_a_direct_second_insert_of_a_customer_key():
    jane = CustomerFactory(email="jane@xn--bcher-kva.example")
    external = Profile.objects.get(name=Profile.CHATTER_EXTERNAL_USER)

    # bulk_create bypasses ``save``: the key is written as given.
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.bulk_create(
            [
                User(
                    username="jane2@guest.acme.example",
                    email="Jane@bücher.example",
                    email_key=jane.email_key,
                    last_name="Doe",
                    profile=external,
                    user_type=User.UserType.CHATTER_GUEST,
                )
            ]
        )


def test_internal_users_may_share_an_address_and_a_customer_may_share_one_with_them():
    UserFactory(email="desk@acme.example")
    UserFactory(email="DESK@acme.example")
    CustomerFactory(email="desk@acme.example")

    assert User.objects.filter(email_key="desk@acme.example").count() == 3


def test_the_database_refuses_a_second_pending_invitation_in_another_idn_spelling(council):
    InvitationFactory(group=council, email="jane@bücher.example")

    with pytest.raises(IntegrityError), transaction.atomic():
        InvitationFactory(group=council, email="JANE@xn--bcher-kva.example")


# Inviting --------------------------------------------------------------------------------


def test_an_active_customer_invited_to_another_group_is_added_to_it(
    council, second_group, morgan, queued_tasks
):
    jane = CustomerFactory(email="jane@globex.example")
    MembershipFactory(group=council, user=jane)
    used = _external().used

    [outcome] = _send(morgan, second_group, "JANE@globex.example")

    assert (outcome.status, outcome.label, outcome.user_id) == (
        "ActedUponUser",
        "Added to the group",
        jane.pk,
    )
    assert Membership.objects.filter(group=second_group, user=jane, is_customer=True).exists()
    assert not Invitation.objects.exists()
    assert _external().used == used


def test_a_customer_is_matched_by_the_idn_spelling_of_their_domain(
    council, second_group, morgan, queued_tasks
):
    jane = CustomerFactory(email="jane@xn--bcher-kva.example")
    MembershipFactory(group=council, user=jane)

    outcomes = _send(morgan, second_group, "Jane@BÜCHER.example")
    again = _send(morgan, council, "jane@bücher.example")

    assert [(o.status, o.user_id) for o in outcomes] == [("ActedUponUser", jane.pk)]
    assert [(o.status, o.user_id) for o in again] == [("NoActionNeededUser", jane.pk)]
    assert not Invitation.objects.exists()


def test_a_pending_invitation_is_resent_for_another_idn_spelling_of_its_address(
    council, morgan, queued_tasks
):
    [first] = _send(morgan, council, "jane@bücher.example")

    [second] = _send(morgan, council, "JANE@xn--bcher-kva.example")

    assert second.status == "Resent"
    assert second.invitation_id == first.invitation_id
    assert Invitation.objects.count() == 1


def test_internal_users_keep_their_outcomes(council, morgan, queued_tasks):
    outsider = UserFactory(email="omar@acme.example")

    outcomes = _send(morgan, council, "OMAR@acme.example", "nora@ACME.example")

    assert [(o.status, o.label, o.user_id) for o in outcomes] == [
        ("ActedUponUser", "Added to the group", outsider.pk),
        ("NoActionNeededUser", "Already a member", council.nora.pk),
    ]


def test_a_deactivated_customer_is_not_invited_and_nothing_is_written_for_them(
    council, second_group, morgan, queued_tasks, django_capture_on_commit_callbacks
):
    raj = CustomerFactory(email="raj@initech.example", is_active=False)
    MembershipFactory(group=council, user=raj)
    before = _snapshot()

    with django_capture_on_commit_callbacks(execute=True):
        outcomes = _send(morgan, second_group, "Raj@initech.example")
        again = _send(morgan, council, "raj@initech.example")

    assert [(o.status, o.label, o.user_id) for o in outcomes + again] == [
        ("DeactivatedUser", DEACTIVATED_LABEL, raj.pk),
        ("DeactivatedUser", DEACTIVATED_LABEL, raj.pk),
    ]
    assert _snapshot() == before
    assert queued_tasks == []


def test_a_deactivated_internal_users_address_is_not_invited_as_a_customer(
    council, morgan, queued_tasks
):
    former = UserFactory(email="pat@acme.example", is_active=False)
    before = _snapshot()

    [outcome] = _send(morgan, council, "PAT@acme.example")

    assert (outcome.status, outcome.user_id) == ("DeactivatedUser", former.pk)
    assert _snapshot() == before
    assert queued_tasks == []


def test_a_deactivated_customers_pending_invitation_is_not_resent(council, morgan, queued_tasks):
    pending = InvitationFactory(group=council, email="raj@initech.example", inviter=morgan)
    CustomerFactory(email="raj@initech.example", is_active=False)
    before = _snapshot()

    [outcome] = _send(morgan, council, "raj@initech.example")

    assert outcome.status == "DeactivatedUser"
    assert outcome.invitation_id is None
    assert _snapshot() == before
    assert Invitation.objects.get().pk == pending.pk


def test_the_other_addresses_of_a_request_with_a_deactivated_customer_are_invited(
    council, morgan, queued_tasks
):
    CustomerFactory(email="raj@initech.example", is_active=False)

    outcomes = _send(morgan, council, "raj@initech.example", "jane@globex.example")

    assert [o.status for o in outcomes] == ["DeactivatedUser", "Invited"]
    assert list(Invitation.objects.values_list("email", flat=True)) == ["jane@globex.example"]


def test_the_invite_page_shows_the_deactivated_outcome(client, council, morgan, queued_tasks):
    CustomerFactory(email="raj@initech.example", is_active=False)
    client.force_login(morgan)
    url = reverse("invitations:invite", args=[council.pk])

    response = client.post(url, {"addresses": "raj@initech.example", "message": ""}, follow=True)

    html = response.content.decode()
    assert "raj@initech.example" in html
    assert "This person&#x27;s account is deactivated. Ask your administrator" in html
    assert not Invitation.objects.exists()


# Join Now: a second invitation of one address -----------------------------------------


@pytest.fixture
def two_invitations(council, second_group) -> SimpleNamespace:
    """Jane is invited to both groups: ``first``/``raw1`` and ``second``/``raw2``."""
    first, raw1 = invitation_sent(
        group=council, email="jane@globex.example", inviter=council.morgan
    )
    second, raw2 = invitation_sent(
        group=second_group, email="Jane@GLOBEX.example", inviter=council.morgan
    )
    return SimpleNamespace(first=first, raw1=raw1, second=second, raw2=raw2)


def _log_in(client, username: str, password: str, group_id: int):
    return client.post(
        reverse("accounts:login"),
        {
            "username": username,
            "password": password,
            "next": reverse("groups:detail", args=[group_id]),
        },
    )


def test_two_invitations_to_one_address_make_one_account_and_the_login_adds_the_second_group(
    client, two_invitations, queued_tasks
):
    sent = two_invitations
    used = _external().used
    join_submit(client, sent.raw1)
    jane = User.objects.get(email_key="jane@globex.example")
    client.logout()

    join_open(client, sent.raw2)
    page = client.get(reverse("join:signup"))

    html = page.content.decode()
    assert page.status_code == 200
    assert "You already have an account" in html
    assert "Create Account" not in html
    assert f'value="{jane.username}"' in html
    assert f'action="{reverse("accounts:login")}"' in html

    logged_in = _log_in(client, jane.username, SIGNUP_PASSWORD, sent.second.group_id)

    assert logged_in.status_code == 302
    assert logged_in["Location"] == reverse("groups:detail", args=[sent.second.group_id])
    assert User.objects.filter(email_key="jane@globex.example").count() == 1
    assert set(Membership.objects.filter(user=jane).values_list("group_id", flat=True)) == {
        sent.first.group_id,
        sent.second.group_id,
    }
    sent.second.refresh_from_db()
    assert sent.second.status == Invitation.Status.ACCEPTED
    assert sent.second.accepted_user == jane
    assert sent.second.token_hash is None
    assert AuditEvent.objects.filter(
        actor=jane, action="invitation.accepted", target_id=str(sent.second.pk)
    ).exists()
    assert _external().used == used + 1
    assert client.get(reverse("groups:detail", args=[sent.second.group_id])).status_code == 200


def test_the_second_sign_up_form_submitted_says_you_already_have_an_account_and_writes_nothing(
    client, two_invitations
):
    sent = two_invitations
    join_submit(client, sent.raw1)
    client.logout()
    join_open(client, sent.raw2)
    before = _snapshot()

    response = client.post(reverse("join:signup"), signup_data(first_name="Janet"))

    assert response.status_code == 200
    assert "You already have an account" in response.content.decode()
    assert _snapshot() == before


def test_a_customer_created_while_the_form_was_open_gets_no_second_account(client, two_invitations):
    sent = two_invitations
    join_open(client, sent.raw2)
    assert "Create Account" in client.get(reverse("join:signup")).content.decode()
    CustomerFactory(email="jane@globex.example", username="jane@guest.acme.example")
    before = _snapshot()

    response = client.post(reverse("join:signup"), signup_data())

    assert "You already have an account" in response.content.decode()
    assert _snapshot() == before


def test_the_constraint_refuses_a_concurrent_second_sign_up_and_nothing_is_written(
    two_invitations, org
):
    sent = two_invitations
    jane = CustomerFactory(email="jane@globex.example")
    before = _snapshot()
    # The check inside the transaction missed the other sign-up (it had not
    # committed yet): the insert hits ``user_one_customer_per_email``.
    with (
        mock.patch.object(join_actions, "customer_for_address", side_effect=[None, jane]),
        pytest.raises(CustomerAccountExists) as refused,
    ):
        join_actions.customer_signup(
            invitation=sent.second, token_hash=token_hash(sent.raw2), org=org, **signup_data()
        )

    assert refused.value.customer == jane
    assert _snapshot() == before


def test_another_user_who_logs_in_with_the_invitation_in_the_session_changes_nothing(
    client, council, two_invitations
):
    sent = two_invitations
    join_submit(client, sent.raw1)
    client.logout()
    join_open(client, sent.raw2)
    nora = council.nora
    before = _snapshot()

    response = _log_in(client, nora.username, PASSWORD, sent.second.group_id)

    assert response.status_code == 302
    assert _snapshot()[1:3] == before[1:3]
    sent.second.refresh_from_db()
    assert sent.second.status == Invitation.Status.SENT


def test_the_login_of_the_customer_without_an_invitation_in_the_session_changes_nothing(
    client, two_invitations
):
    sent = two_invitations
    join_submit(client, sent.raw1)
    jane = User.objects.get(email_key="jane@globex.example")
    client.logout()
    before = _snapshot()

    _log_in(client, jane.username, SIGNUP_PASSWORD, sent.first.group_id)

    assert _snapshot()[1:3] == before[1:3]


def test_a_deactivated_customers_second_invitation_asks_for_reactivation_and_writes_nothing(
    client, council, second_group
):
    CustomerFactory(email="raj@initech.example", is_active=False)
    _, raw = invitation_sent(group=second_group, email="raj@initech.example")
    join_open(client, raw)
    before = _snapshot()

    shown = client.get(reverse("join:signup"))
    posted = client.post(reverse("join:signup"), signup_data())

    for response in (shown, posted):
        html = response.content.decode()
        assert response.status_code == 409
        assert "Your account has been deactivated" in html
        assert "Create Account" not in html
        assert 'name="password"' not in html
    assert _snapshot() == before


# Reactivation in Setup -------------------------------------------------------------------


def _edit_data(user: User, **changes) -> dict[str, object]:
    data = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "username": user.username,
        "company_name": user.company_name,
        "department": user.department,
        "title": user.title,
        "profile": user.profile_id,
        "is_active": "on" if user.is_active else None,
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_reactivating_a_customer_in_setup_claims_a_licence_and_is_audited(
    admin_client, admin_user, council, morgan, queued_tasks
):
    raj = CustomerFactory(email="raj@initech.example", is_active=False)
    used = _external().used

    response = admin_client.post(
        reverse("setup:user_edit", args=[raj.pk]), _edit_data(raj, is_active="on")
    )

    assert response.status_code == 302
    raj.refresh_from_db()
    assert raj.is_active is True
    assert _external().used == used + 1
    event = AuditEvent.objects.get(action="user.changed", target_id=str(raj.pk))
    assert (event.actor, event.old_value, event.new_value) == (admin_user, "Unchecked", "Checked")
    [outcome] = _send(morgan, council, "raj@initech.example")
    assert outcome.status == "ActedUponUser"


def test_reactivating_a_customer_with_no_licence_left_is_refused_and_writes_nothing(
    admin_client,
):
    raj = CustomerFactory(email="raj@initech.example", is_active=False)
    Licence.objects.filter(name=Licence.Name.CHATTER_EXTERNAL).update(total=_external().used)
    before = _snapshot()

    response = admin_client.post(
        reverse("setup:user_edit", args=[raj.pk]), _edit_data(raj, is_active="on")
    )

    assert response.status_code == 200
    assert "No Chatter External licenses are left" in response.content.decode()
    assert _snapshot() == before


def test_setup_refuses_a_customer_email_that_another_customer_has_and_writes_nothing(
    admin_client,
):
    CustomerFactory(email="jane@bücher.example")
    raj = CustomerFactory(email="raj@initech.example")
    before = _snapshot()

    response = admin_client.post(
        reverse("setup:user_edit", args=[raj.pk]),
        _edit_data(raj, email="JANE@xn--bcher-kva.example"),
    )

    assert response.status_code == 200
    assert "Another customer already has this email address" in response.content.decode()
    assert _snapshot() == before
    raj.refresh_from_db()
    assert raj.email_key == "raj@initech.example"


def test_an_email_edit_in_setup_updates_the_key(admin_client):
    raj = CustomerFactory(email="raj@initech.example")

    admin_client.post(
        reverse("setup:user_edit", args=[raj.pk]), _edit_data(raj, email="Raj@BÜCHER.example")
    )

    raj.refresh_from_db()
    assert raj.email_key == "raj@xn--bcher-kva.example"


def test_the_inviter_hears_of_the_login_acceptance_and_the_customer_gets_no_second_welcome(
    client, two_invitations, mailoutbox, django_capture_on_commit_callbacks
):
    sent = two_invitations
    join_submit(client, sent.raw1)
    jane = User.objects.get(email_key="jane@globex.example")
    client.logout()
    join_open(client, sent.raw2)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        _log_in(client, jane.username, SIGNUP_PASSWORD, sent.second.group_id)

    assert [message.to for message in mailoutbox] == [["morgan@acme.example"]]
    assert "accepted your invitation to Partner Pilots" in mailoutbox[0].subject


def test_a_customer_already_in_the_group_only_accepts_the_invitation(
    client, two_invitations, second_group
):
    sent = two_invitations
    join_submit(client, sent.raw1)
    jane = User.objects.get(email_key="jane@globex.example")
    MembershipFactory(group=second_group, user=jane)
    client.logout()
    join_open(client, sent.raw2)
    memberships = Membership.objects.count()

    _log_in(client, jane.username, SIGNUP_PASSWORD, sent.second.group_id)

    sent.second.refresh_from_db()
    assert (sent.second.status, sent.second.accepted_user) == (Invitation.Status.ACCEPTED, jane)
    assert Membership.objects.count() == memberships


def test_a_customer_already_logged_in_joins_the_second_group_with_one_button(
    client, two_invitations
):
    sent = two_invitations
    join_submit(client, sent.raw1)  # leaves Jane logged in
    jane = User.objects.get(email_key="jane@globex.example")
    join_open(client, sent.raw2)

    html = client.get(reverse("join:signup")).content.decode()
    joined = client.post(reverse("join:accept"))

    assert "You already have an account" in html
    assert "Join Partner Pilots" in html
    assert 'name="password"' not in html
    assert joined.status_code == 302
    assert joined["Location"] == reverse("groups:detail", args=[sent.second.group_id])
    assert Membership.objects.filter(group_id=sent.second.group_id, user=jane).exists()
    sent.second.refresh_from_db()
    assert (sent.second.status, sent.second.accepted_user) == (Invitation.Status.ACCEPTED, jane)


@pytest.mark.parametrize("who", ["another user", "nobody"])
def test_join_accept_for_anybody_but_the_customer_is_not_found_and_writes_nothing(
    client, council, two_invitations, who
):
    sent = two_invitations
    join_submit(client, sent.raw1)
    client.logout()
    if who == "another user":
        client.force_login(council.nora)
    join_open(client, sent.raw2)
    before = _snapshot()

    response = client.post(reverse("join:accept"))

    assert response.status_code == 404
    assert _snapshot() == before
