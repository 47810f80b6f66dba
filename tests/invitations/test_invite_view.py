"""The Invite People page: who sees it, who may send, and what the sender sees."""

from __future__ import annotations

import pytest
from django.db.models import F
from django.urls import reverse

from accounts.permissions import Perm
from chatterorg.models import AuditEvent, Licence
from groups.models import Group, Membership
from invitations.models import Invitation
from tests.factories import (
    AdminFactory,
    InvitationFactory,
    MembershipFactory,
    PrivateCustomerGroupFactory,
    UserFactory,
)


def invite_url(group: Group) -> str:
    return reverse("invitations:invite", kwargs={"group_id": group.pk})


def group_url(group: Group) -> str:
    return reverse("groups:detail", args=[group.pk])


def _post(client, group, addresses="jane@globex.example, raj@initech.example", message=""):
    return client.post(invite_url(group), {"addresses": addresses, "message": message})


# The four conditions ----------------------------------------------------------------------
#
# "Invite People" needs all of: the org setting on; the permission; Owner or Manager (or an
# admin with Modify All Data); a Private or Unlisted group with "Allow Customers". Each case
# below breaks exactly one and returns (user, group).


def _setting_off(council):
    council.org.allow_customer_invitations = False
    council.org.save()
    return council.morgan, council


def _no_permission(council):
    return council.nora, council  # Manager without "Invite Customers To Chatter"


def _not_owner_or_manager(council):
    return council.casey, council  # Member with the permission


def _group_without_customers(council):
    group = PrivateCustomerGroupFactory(name="Internal Only", allow_customers=False)
    MembershipFactory(group=group, user=council.morgan, role=Membership.Role.OWNER)
    return council.morgan, group


BROKEN = [_setting_off, _no_permission, _not_owner_or_manager, _group_without_customers]
BROKEN_IDS = ["setting off", "no permission", "plain member", "group without customers"]


@pytest.fixture
def council_with_org(council, customers_allowed):
    council.org = customers_allowed
    return council


@pytest.mark.parametrize("breaking", BROKEN, ids=BROKEN_IDS)
def test_with_one_condition_missing_the_group_page_shows_no_invite_link(
    client, council_with_org, breaking
):
    user, group = breaking(council_with_org)
    client.force_login(user)

    response = client.get(group_url(group))

    assert response.status_code == 200
    assert invite_url(group) not in response.content.decode()
    assert "Invite People" not in response.content.decode()


@pytest.mark.parametrize("breaking", BROKEN, ids=BROKEN_IDS)
def test_with_one_condition_missing_the_invite_page_and_post_are_refused_and_nothing_happens(
    client, council_with_org, breaking, queued_tasks, mailoutbox, django_capture_on_commit_callbacks
):
    user, group = breaking(council_with_org)
    client.force_login(user)
    audit_before = AuditEvent.objects.count()
    members_before = Membership.objects.count()

    assert client.get(invite_url(group)).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, group, addresses="jane@globex.example, pat@acme.example")

    assert response.status_code == 403
    assert not Invitation.objects.exists()
    assert AuditEvent.objects.count() == audit_before
    assert Membership.objects.count() == members_before
    assert queued_tasks == []
    assert mailoutbox == []


def test_with_all_four_conditions_the_owner_sees_invite_people_on_the_group_page(client, council):
    client.force_login(council.morgan)

    response = client.get(group_url(council))

    assert f'href="{invite_url(council)}"' in response.content.decode()
    assert "Invite People" in response.content.decode()


def test_a_manager_with_the_permission_may_invite(client, council):
    council.nora.permission_sets.all().delete()
    manager = UserFactory(perms=[Perm.INVITE_CUSTOMERS])
    MembershipFactory(group=council, user=manager, role=Membership.Role.MANAGER)
    client.force_login(manager)

    assert client.get(invite_url(council)).status_code == 200
    assert _post(client, council).status_code == 302
    assert Invitation.objects.count() == 2


def test_an_admin_with_modify_all_data_may_invite_without_being_a_member(client, council):
    admin = AdminFactory()
    client.force_login(admin)

    assert _post(client, council).status_code == 302

    assert Invitation.objects.filter(inviter=admin).count() == 2


def test_an_unlisted_group_with_customers_allows_invitations(client, council):
    group = PrivateCustomerGroupFactory(access_type=Group.AccessType.UNLISTED)
    MembershipFactory(group=group, user=council.morgan, role=Membership.Role.OWNER)
    client.force_login(council.morgan)

    assert _post(client, group).status_code == 302
    assert Invitation.objects.filter(group=group).count() == 2


def test_an_archived_group_takes_no_invitations(client, council):
    Group.objects.filter(pk=council.pk).update(is_archived=True)
    client.force_login(council.morgan)

    assert _post(client, council).status_code == 403
    assert not Invitation.objects.exists()


# Outsiders and anonymous -------------------------------------------------------------------


def test_someone_who_cannot_see_the_group_gets_404(client, council):
    group = PrivateCustomerGroupFactory(access_type=Group.AccessType.UNLISTED)
    client.force_login(council.morgan)

    assert client.get(invite_url(group)).status_code == 404
    assert _post(client, group).status_code == 404
    assert not Invitation.objects.exists()


def test_a_customer_outside_the_group_gets_404(client, council):
    from tests.factories import CustomerFactory

    client.force_login(CustomerFactory())

    assert _post(client, council).status_code == 404


def test_a_missing_group_gets_404(client, council):
    client.force_login(council.morgan)

    assert client.get(reverse("invitations:invite", kwargs={"group_id": 999999})).status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in(client, council):
    response = _post(client, council)

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    assert not Invitation.objects.exists()


# The page ---------------------------------------------------------------------------------


def test_the_form_has_the_salesforce_labels_and_shows_the_licences_left(client, council):
    Licence.objects.filter(name=Licence.Name.CHATTER_EXTERNAL).update(total=500, used=3)
    client.force_login(council.morgan)

    page = client.get(invite_url(council)).content.decode()

    assert "<h1>Invite People</h1>" in page
    assert '<label for="id_addresses">Email addresses</label>' in page
    assert '<label for="id_message">Message (optional)</label>' in page
    assert '<button type="submit" class="button">Send</button>' in page
    assert "Chatter External licenses left: 497" in page
    assert 'name="csrfmiddlewaretoken"' in page


def test_after_send_the_page_lists_the_outcome_of_each_address(client, council):
    UserFactory(email="pat@acme.example")
    InvitationFactory(group=council, email="old@globex.example")
    client.force_login(council.morgan)

    response = _post(
        client,
        council,
        addresses="jane@globex.example\npat@acme.example; old@globex.example, nora@acme.example",
        message="Welcome!",
    )
    assert response.status_code == 302
    assert response.url == invite_url(council)
    page = client.get(response.url).content.decode()

    rows = [
        ("jane@globex.example", "Invited"),
        ("pat@acme.example", "Added to the group"),
        ("old@globex.example", "Invitation resent"),
        ("nora@acme.example", "Already a member"),
    ]
    for email, label in rows:
        assert f"<tr><td>{email}</td><td>{label}</td></tr>" in page
    # Reloading does not send again, nor show the outcome again.
    assert "Invitations sent" not in client.get(invite_url(council)).content.decode()
    assert Invitation.objects.count() == 2


def test_invalid_addresses_come_back_listed_and_nothing_is_sent(client, council, mailoutbox):
    client.force_login(council.morgan)

    response = _post(client, council, addresses="jane@globex.example, nope, raj@")

    assert response.status_code == 200
    page = response.content.decode()
    assert "nope: enter a valid email address." in page
    assert "raj@: enter a valid email address." in page
    assert 'role="alert"' in page
    assert "jane@globex.example, nope, raj@" in page  # the input is kept
    assert not Invitation.objects.exists()
    assert mailoutbox == []


def test_more_than_100_addresses_get_a_clear_message(client, council):
    client.force_login(council.morgan)

    response = _post(
        client, council, addresses=",".join(f"p{i}@globex.example" for i in range(101))
    )

    assert "You can invite at most 100 people at a time." in response.content.decode()
    assert not Invitation.objects.exists()


def test_a_message_over_255_characters_is_refused(client, council):
    client.force_login(council.morgan)

    response = _post(client, council, message="x" * 256)

    assert response.status_code == 200
    assert "at most 255 characters" in response.content.decode()
    assert not Invitation.objects.exists()


def test_the_daily_limit_message_is_shown_and_nothing_is_sent(client, council, customers_allowed):
    customers_allowed.invitations_per_day = 1
    customers_allowed.save()
    client.force_login(council.morgan)

    response = _post(client, council)

    assert "You can invite at most 1 people in 24 hours." in response.content.decode()
    assert not Invitation.objects.exists()


def test_with_no_licences_left_the_page_says_so_and_refuses_new_customers(client, council):
    Licence.objects.filter(name=Licence.Name.CHATTER_EXTERNAL).update(used=F("total"))
    client.force_login(council.morgan)

    page = client.get(invite_url(council)).content.decode()
    assert "Chatter External licenses left: 0" in page
    assert "you can't invite new customers" in page

    response = _post(client, council, addresses="jane@globex.example")
    assert "No Chatter External licenses are left" in response.content.decode()
    assert not Invitation.objects.exists()


def test_send_queues_one_email_task_for_all_new_invitations(
    client, council, queued_tasks, django_capture_on_commit_callbacks
):
    client.force_login(council.morgan)

    with django_capture_on_commit_callbacks(execute=True):
        _post(client, council)

    assert len(queued_tasks) == 1
    assert sorted(queued_tasks[0].kwargs["invitation_ids"]) == sorted(
        Invitation.objects.values_list("pk", flat=True)
    )


def test_the_invite_request_takes_as_many_queries_for_100_addresses_as_for_1(
    client, council, customers_allowed, django_assert_num_queries
):
    customers_allowed.invitations_per_day = 1000
    customers_allowed.save()
    client.force_login(council.morgan)

    # session, user with their profile, membership with the group, org, permission sets
    # (the view's access check); invitations_send (11, see test_actions: the org was
    # read by the view); saving the outcome in the session (savepoint, update, release).
    with django_assert_num_queries(19):
        _post(client, council, addresses="one@globex.example")
    with django_assert_num_queries(19):
        _post(client, council, addresses=",".join(f"p{i}@globex.example" for i in range(100)))
    assert Invitation.objects.count() == 101
