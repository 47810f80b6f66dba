"""invitations_send, invitation_resend and invitation_cancel."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from chatterorg.models import AuditEvent, Licence
from chatterorg.tokens import token_new
from groups.models import Group, Membership
from invitations.access import invitation_for_token
from invitations.actions import (
    invitation_cancel,
    invitation_resend,
    invitations_send,
    invite_request_clean,
)
from invitations.models import Invitation
from tests.factories import (
    CustomerFactory,
    InvitationFactory,
    PrivateCustomerGroupFactory,
    UserFactory,
)


def _snapshot() -> tuple:
    """Everything an invite action may write, to prove a refusal wrote nothing."""
    return (
        list(Invitation.objects.order_by("pk").values()),
        list(Membership.objects.order_by("pk").values_list("pk", "group_id", "user_id", "role")),
        AuditEvent.objects.count(),
    )


def _send(actor, group, *addresses, message=""):
    invite = invite_request_clean(addresses=list(addresses), message=message)
    return invitations_send(actor=actor, group=group, invite=invite)


# Outcomes -------------------------------------------------------------------------------


def test_new_addresses_are_invited_with_a_pending_invitation_each(
    council, morgan, queued_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        outcomes = _send(
            morgan, council, "jane@globex.example", "raj@initech.example", message=" See you! "
        )

    assert [(o.email, o.status, o.label) for o in outcomes] == [
        ("jane@globex.example", "Invited", "Invited"),
        ("raj@initech.example", "Invited", "Invited"),
    ]
    invitations = list(Invitation.objects.order_by("pk"))
    assert [i.email for i in invitations] == ["jane@globex.example", "raj@initech.example"]
    for invitation in invitations:
        assert invitation.group == council
        assert invitation.inviter == morgan
        assert invitation.status == Invitation.Status.SENT
        assert invitation.message == "See you!"
        assert invitation.expires_at - invitation.sent_at == timedelta(days=60)
        assert invitation.delivery_status == Invitation.Delivery.QUEUED
        # No link exists until the task creates it.
        assert invitation.token_hash is None
    assert [o.invitation_id for o in outcomes] == [i.pk for i in invitations]


def test_one_batch_email_task_is_queued_on_commit_with_invitation_ids_only(
    council, morgan, queued_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _send(morgan, council, "jane@globex.example", "raj@initech.example")
    assert queued_tasks == []  # nothing before the commit

    for callback in callbacks:
        callback()

    assert len(queued_tasks) == 1
    result = queued_tasks[0]
    assert result.task.name == "invitation_emails_send"
    assert result.args == []
    assert result.kwargs == {
        "invitation_ids": list(Invitation.objects.order_by("pk").values_list("pk", flat=True))
    }


def test_the_expiry_follows_the_org_setting(council, morgan, customers_allowed):
    customers_allowed.invitation_expiry_days = 30
    customers_allowed.save()

    _send(morgan, council, "jane@globex.example")

    invitation = Invitation.objects.get()
    assert invitation.expires_at - invitation.sent_at == timedelta(days=30)


@pytest.mark.parametrize("kind", ["internal", "customer"])
def test_an_active_user_of_the_org_is_added_to_the_group_and_emailed_a_notice(
    council, morgan, kind, mailoutbox, django_capture_on_commit_callbacks
):
    if kind == "internal":
        existing = UserFactory(email="Pat@Acme.example", first_name="Pat")
    else:
        existing = CustomerFactory(email="pat@globex.example", first_name="Pat")

    with django_capture_on_commit_callbacks(execute=True):
        outcomes = _send(morgan, council, existing.email.upper(), message="Welcome aboard")

    assert [(o.status, o.label, o.user_id) for o in outcomes] == [
        ("ActedUponUser", "Added to the group", existing.pk)
    ]
    membership = Membership.objects.get(group=council, user=existing)
    assert membership.role == Membership.Role.MEMBER
    assert membership.is_customer == (kind == "customer")
    assert not Invitation.objects.exists()
    assert len(mailoutbox) == 1
    notice = mailoutbox[0]
    assert notice.to == [existing.email]
    assert notice.subject == "Morgan Lee added you to Customer Success Council in Chatter"
    assert "Welcome aboard" in notice.body
    assert f"/groups/{council.pk}/" in notice.body


def test_a_member_needs_no_action_and_nothing_is_written(council, morgan, mailoutbox):
    before = _snapshot()

    outcomes = _send(morgan, council, "NORA@acme.example")

    assert [(o.status, o.label) for o in outcomes] == [("NoActionNeededUser", "Already a member")]
    assert _snapshot() == before
    assert mailoutbox == []


def test_a_pending_invitation_is_resent_with_a_new_link_and_a_fresh_expiry(
    council, morgan, customers_allowed
):
    raw, digest = token_new()
    long_ago = timezone.now() - timedelta(days=10)
    old = InvitationFactory(
        group=council,
        inviter=council.nora,
        email="jane@globex.example",
        token_hash=digest,
        sent_at=long_ago,
        expires_at=long_ago + timedelta(days=60),
        delivery_status=Invitation.Delivery.FAILED,
        delivery_error="Connection refused",
    )
    assert invitation_for_token(raw) == old

    outcomes = _send(morgan, council, "Jane@GLOBEX.example", message="Second try")

    assert [(o.status, o.label, o.invitation_id) for o in outcomes] == [
        ("Resent", "Invitation resent", old.pk)
    ]
    old.refresh_from_db()
    assert Invitation.objects.count() == 1
    assert old.token_hash is None
    assert invitation_for_token(raw) is None
    assert old.sent_at > long_ago
    assert old.expires_at - old.sent_at == timedelta(days=60)
    assert old.inviter == morgan
    assert old.message == "Second try"
    assert (old.delivery_status, old.delivery_error) == (Invitation.Delivery.QUEUED, "")


def test_an_expired_pending_invitation_is_resent_too(council, morgan):
    old = InvitationFactory(
        group=council,
        email="jane@globex.example",
        sent_at=timezone.now() - timedelta(days=90),
        expires_at=timezone.now() - timedelta(days=30),
    )

    outcomes = _send(morgan, council, "jane@globex.example")

    assert outcomes[0].status == "Resent"
    old.refresh_from_db()
    assert old.display_status == "Sent"


def test_canceled_and_accepted_invitations_do_not_stop_a_new_one(council, morgan):
    InvitationFactory(group=council, email="jane@globex.example", status="Canceled")

    outcomes = _send(morgan, council, "jane@globex.example")

    assert outcomes[0].status == "Invited"
    assert Invitation.objects.filter(status="Sent").count() == 1


def test_outcomes_keep_the_order_given_across_kinds(council, morgan):
    InvitationFactory(group=council, email="old@globex.example")
    UserFactory(email="pat@acme.example")

    outcomes = _send(
        morgan,
        council,
        "new@globex.example",
        "pat@acme.example",
        "old@globex.example",
        "casey@acme.example",
    )

    assert [o.status for o in outcomes] == [
        "Invited",
        "ActedUponUser",
        "Resent",
        "NoActionNeededUser",
    ]


def test_duplicate_addresses_give_one_outcome(council, morgan):
    outcomes = _send(morgan, council, "jane@globex.example", "JANE@globex.example")

    assert [o.email for o in outcomes] == ["jane@globex.example"]
    assert Invitation.objects.count() == 1


def test_a_request_is_audited_with_one_event_per_kind_of_change(council, morgan):
    InvitationFactory(group=council, email="old@globex.example")
    InvitationFactory(group=council, email="older@globex.example")
    UserFactory(email="pat@acme.example")

    _send(
        morgan,
        council,
        "new@globex.example",
        "old@globex.example",
        "pat@acme.example",
        "newer@initech.example",
        "older@globex.example",
    )

    events = AuditEvent.objects.filter(section="Chatter Invitations").order_by("pk")
    assert [
        (e.action, e.actor, e.display, e.new_value, e.target_type, e.target_id) for e in events
    ] == [
        (
            "invitation.sent",
            morgan,
            'Invited 2 people to the group "Customer Success Council": '
            "new@globex.example, newer@initech.example",
            "new@globex.example, newer@initech.example",
            "Group",
            str(council.pk),
        ),
        (
            "invitation.resent",
            morgan,
            'Resent 2 invitations to the group "Customer Success Council": '
            "old@globex.example, older@globex.example",
            "old@globex.example, older@globex.example",
            "Group",
            str(council.pk),
        ),
    ]


def test_one_new_address_is_audited_in_the_singular(council, morgan):
    _send(morgan, council, "new@globex.example")

    event = AuditEvent.objects.get(action="invitation.sent")
    assert event.display == (
        'Invited 1 person to the group "Customer Success Council": new@globex.example'
    )


def test_the_audit_event_of_100_long_addresses_lists_all_and_shows_what_fits(
    council, morgan, customers_allowed
):
    customers_allowed.invitations_per_day = 1000
    customers_allowed.save()
    # 199 characters each: the display has room for two of them.
    addresses = [f"{'x' * 60}{n:03d}@{'d' * 63}.{'e' * 63}.example" for n in range(100)]

    _send(morgan, council, *addresses)

    event = AuditEvent.objects.get(action="invitation.sent")
    assert event.new_value.split(", ") == addresses
    assert len(event.display) <= 500
    assert event.display == (
        'Invited 100 people to the group "Customer Success Council": '
        f"{addresses[0]}, {addresses[1]} …and 98 more"
    )


def test_adding_existing_users_writes_no_invitation_audit_event(council, morgan):
    UserFactory(email="pat@acme.example")

    _send(morgan, council, "pat@acme.example", "nora@acme.example")

    assert not AuditEvent.objects.filter(section="Chatter Invitations").exists()


# Refusals: nothing written, nothing queued ---------------------------------------------------


@pytest.mark.parametrize("who", ["nora", "casey"])
def test_a_user_who_may_not_invite_is_refused_and_nothing_is_written(
    council, who, queued_tasks, django_capture_on_commit_callbacks
):
    before = _snapshot()

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(PermissionDenied):
        _send(getattr(council, who), council, "jane@globex.example", "morgan@acme.example")

    assert _snapshot() == before
    assert queued_tasks == []


def test_a_user_who_may_not_invite_is_refused_before_their_addresses_are_judged(council, client):
    client.force_login(council.casey)
    response = client.post(
        reverse("invitations:invite", args=[council.pk]),
        {"addresses": "nope", "message": "x" * 256},
    )
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_the_action_rereads_the_org_setting_instead_of_trusting_the_caller(
    council, morgan, customers_allowed
):
    customers_allowed.allow_customer_invitations = False
    customers_allowed.save()

    with pytest.raises(PermissionDenied):
        _send(morgan, council, "jane@globex.example")
    assert not Invitation.objects.exists()


def test_an_invalid_address_refuses_the_whole_request(council, morgan):
    before = _snapshot()

    with pytest.raises(ValidationError) as raised:
        _send(morgan, council, "jane@globex.example", "nope", "bad@")

    assert len(raised.value.messages) == 2
    assert _snapshot() == before


def test_a_message_over_255_characters_is_refused(council, morgan):
    with pytest.raises(ValidationError):
        _send(morgan, council, "jane@globex.example", message="x" * 256)
    assert not Invitation.objects.exists()


def test_no_addresses_is_refused(council, morgan):
    with pytest.raises(ValidationError):
        _send(morgan, council)


def test_more_than_a_hundred_addresses_are_refused(council, morgan):
    with pytest.raises(ValidationError) as raised:
        _send(morgan, council, *[f"p{i}@globex.example" for i in range(101)])

    assert raised.value.messages == ["You can invite at most 100 people at a time."]
    assert not Invitation.objects.exists()


# Daily limit ------------------------------------------------------------------------------


@pytest.fixture
def three_a_day(customers_allowed):
    customers_allowed.invitations_per_day = 3
    customers_allowed.save()
    return customers_allowed


def test_the_daily_limit_counts_recipients_not_requests(council, morgan, three_a_day):
    _send(morgan, council, "a@globex.example")
    _send(morgan, council, "b@globex.example", "c@globex.example")
    before = _snapshot()

    with pytest.raises(ValidationError) as raised:
        _send(morgan, council, "d@globex.example")

    assert raised.value.messages == [
        "You can invite at most 3 people in 24 hours. You can invite 0 more now; "
        "this request has 1. Nothing was sent."
    ]
    assert _snapshot() == before


def test_a_request_that_would_pass_the_limit_sends_nothing_at_all(council, morgan, three_a_day):
    _send(morgan, council, "a@globex.example")

    with pytest.raises(ValidationError):
        _send(morgan, council, "b@globex.example", "c@globex.example", "d@globex.example")

    assert Invitation.objects.count() == 1


def test_invitations_older_than_24_hours_no_longer_count(council, morgan, three_a_day):
    with time_machine.travel(timezone.now() - timedelta(hours=24, seconds=1)):
        _send(morgan, council, "a@globex.example", "b@globex.example", "c@globex.example")

    _send(morgan, council, "d@globex.example", "e@globex.example", "f@globex.example")

    assert Invitation.objects.count() == 6


def test_other_inviters_have_their_own_limit(council, morgan, three_a_day, admin_user):
    _send(morgan, council, "a@globex.example", "b@globex.example", "c@globex.example")

    _send(admin_user, council, "d@globex.example")

    assert Invitation.objects.count() == 4


def test_adding_existing_users_does_not_count_against_the_limit(council, morgan, three_a_day):
    _send(morgan, council, "a@globex.example", "b@globex.example", "c@globex.example")
    UserFactory(email="pat@acme.example")

    outcomes = _send(morgan, council, "pat@acme.example", "nora@acme.example")

    assert [o.status for o in outcomes] == ["ActedUponUser", "NoActionNeededUser"]


def test_resending_today_an_invitation_counted_today_is_not_a_new_recipient(
    council, morgan, three_a_day
):
    _send(morgan, council, "a@globex.example", "b@globex.example", "c@globex.example")

    outcomes = _send(morgan, council, "a@globex.example")

    assert outcomes[0].status == "Resent"


# Licences -------------------------------------------------------------------------------


@pytest.fixture
def no_licences_left(db):
    Licence.objects.filter(name=Licence.Name.CHATTER_EXTERNAL).update(used=F("total"))


def test_with_no_licences_left_new_customers_cannot_be_invited(council, morgan, no_licences_left):
    UserFactory(email="pat@acme.example")
    before = _snapshot()

    with pytest.raises(ValidationError) as raised:
        _send(morgan, council, "pat@acme.example", "jane@globex.example")

    assert raised.value.messages == [
        "No Chatter External licenses are left, so new customers can't be invited: "
        "jane@globex.example. People who already have a user can still be added."
    ]
    assert _snapshot() == before


def test_with_no_licences_left_existing_users_can_still_be_added(council, morgan, no_licences_left):
    pat = UserFactory(email="pat@acme.example")

    outcomes = _send(morgan, council, "pat@acme.example")

    assert outcomes[0].status == "ActedUponUser"
    assert Membership.objects.filter(group=council, user=pat).exists()


def test_with_no_licences_left_a_pending_invitation_can_still_be_resent(
    council, morgan, no_licences_left
):
    InvitationFactory(group=council, email="jane@globex.example")

    assert _send(morgan, council, "jane@globex.example")[0].status == "Resent"


# Resend -------------------------------------------------------------------------------


def test_resend_gives_a_new_link_kills_the_old_one_and_restarts_expiry(
    council, morgan, queued_tasks, django_capture_on_commit_callbacks
):
    raw, digest = token_new()
    sent = timezone.now() - timedelta(days=5)
    invitation = InvitationFactory(
        group=council,
        inviter=council.nora,
        token_hash=digest,
        sent_at=sent,
        expires_at=sent + timedelta(days=60),
        message="Hello",
    )

    with django_capture_on_commit_callbacks(execute=True):
        invitation_resend(actor=morgan, invitation=invitation)

    invitation.refresh_from_db()
    assert invitation_for_token(raw) is None
    assert invitation.token_hash is None
    assert invitation.sent_at > sent
    assert invitation.expires_at - invitation.sent_at == timedelta(days=60)
    assert invitation.inviter == morgan
    assert invitation.message == "Hello"
    assert [r.kwargs for r in queued_tasks] == [{"invitation_ids": [invitation.pk]}]
    event = AuditEvent.objects.get(action="invitation.resent")
    assert (event.actor, event.target_id) == (morgan, str(invitation.pk))


def test_resend_is_refused_to_a_manager_without_the_permission(council, queued_tasks):
    invitation = InvitationFactory(group=council)
    before = _snapshot()

    with pytest.raises(PermissionDenied):
        invitation_resend(actor=council.nora, invitation=invitation)

    assert _snapshot() == before


@pytest.mark.parametrize("status", ["Canceled", "Accepted"])
def test_only_a_pending_invitation_can_be_resent(council, morgan, status):
    invitation = InvitationFactory(
        group=council,
        status=status,
        accepted_user=morgan if status == "Accepted" else None,
    )
    before = _snapshot()

    with pytest.raises(ValidationError):
        invitation_resend(actor=morgan, invitation=invitation)

    assert _snapshot() == before


def test_resend_respects_the_daily_limit(council, morgan, three_a_day):
    _send(morgan, council, "a@globex.example", "b@globex.example", "c@globex.example")
    other = InvitationFactory(group=council, inviter=council.nora)
    before = _snapshot()

    with pytest.raises(ValidationError):
        invitation_resend(actor=morgan, invitation=other)

    assert _snapshot() == before


# Cancel -------------------------------------------------------------------------------


def test_cancel_kills_the_link_at_once(council):
    raw, digest = token_new()
    invitation = InvitationFactory(group=council, token_hash=digest)

    invitation_cancel(actor=council.nora, invitation=invitation)

    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.CANCELED
    assert invitation.canceled_at is not None
    assert invitation.token_hash is None
    assert invitation_for_token(raw) is None
    event = AuditEvent.objects.get(action="invitation.canceled")
    assert (event.actor, event.section) == (council.nora, "Chatter Invitations")


def test_the_inviter_may_cancel_their_invitation_without_managing_the_group(council):
    invitation = InvitationFactory(group=council, inviter=council.casey)

    invitation_cancel(actor=council.casey, invitation=invitation)

    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.CANCELED


def test_a_plain_member_may_not_cancel_someone_elses_invitation(council):
    invitation = InvitationFactory(group=council, inviter=council.morgan)
    before = _snapshot()

    with pytest.raises(PermissionDenied):
        invitation_cancel(actor=council.casey, invitation=invitation)

    assert _snapshot() == before


def test_a_former_inviter_who_can_no_longer_see_an_unlisted_group_cannot_cancel(council):
    unlisted = PrivateCustomerGroupFactory(access_type=Group.AccessType.UNLISTED)
    former = UserFactory()
    invitation = InvitationFactory(group=unlisted, inviter=former)

    with pytest.raises(PermissionDenied):
        invitation_cancel(actor=former, invitation=invitation)


def test_an_accepted_invitation_cannot_be_canceled(council):
    customer = CustomerFactory()
    invitation = InvitationFactory(group=council, status="Accepted", accepted_user=customer)

    with pytest.raises(ValidationError):
        invitation_cancel(actor=council.morgan, invitation=invitation)

    invitation.refresh_from_db()
    assert invitation.status == "Accepted"


def test_cancel_needs_no_org_setting(council, customers_allowed):
    invitation = InvitationFactory(group=council)
    customers_allowed.allow_customer_invitations = False
    customers_allowed.save()

    invitation_cancel(actor=council.morgan, invitation=invitation)

    invitation.refresh_from_db()
    assert invitation.status == "Canceled"


# Queries ---------------------------------------------------------------------------------


def test_sending_to_100_new_addresses_takes_as_many_queries_as_to_1(
    council, morgan, django_assert_num_queries, customers_allowed
):
    customers_allowed.invitations_per_day = 1000
    customers_allowed.save()
    # Warm the actor's permission cache so both runs start alike.
    _send(morgan, council, "warm@globex.example")

    # savepoint, org, group (locked), the actor's membership, users with these addresses,
    # pending invitations to them (locked), Chatter External licence, inviter lock, daily
    # count, one INSERT of invitations, one INSERT of audit events, release savepoint.
    with django_assert_num_queries(12):
        _send(morgan, council, "one@globex.example")
    with django_assert_num_queries(12):
        _send(morgan, council, *[f"p{i}@globex.example" for i in range(100)])


def test_resending_100_takes_as_many_queries_as_resending_1(
    council, morgan, django_assert_num_queries, customers_allowed
):
    customers_allowed.invitations_per_day = 1000
    customers_allowed.save()
    _send(morgan, council, *[f"p{i}@globex.example" for i in range(100)])

    # As above, without the licence (no new address) and with one UPDATE of the invitations
    # instead of the INSERT.
    with django_assert_num_queries(11):
        _send(morgan, council, "p0@globex.example")
    with django_assert_num_queries(11):
        _send(morgan, council, *[f"p{i}@globex.example" for i in range(100)])
