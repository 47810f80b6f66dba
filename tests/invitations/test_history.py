"""A group's invitation history: every status, for the group's owner and managers."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from groups.models import Group
from invitations.models import Invitation
from tests.factories import CustomerFactory, InvitationFactory, PrivateCustomerGroupFactory


def history_url(group) -> str:
    return reverse("invitations:history", kwargs={"group_id": group.pk})


def test_an_outsider_gets_data_not_available_for_an_unlisted_group(client, council):
    group = PrivateCustomerGroupFactory(access_type=Group.AccessType.UNLISTED)
    client.force_login(council.morgan)
    assert client.get(history_url(group)).status_code == 404


def test_a_customer_outside_the_group_gets_data_not_available(client, council):
    client.force_login(CustomerFactory())
    assert client.get(history_url(council)).status_code == 404


def test_a_plain_member_is_refused(client, council):
    client.force_login(council.casey)
    assert client.get(history_url(council)).status_code == 403


def test_a_manager_sees_every_status_of_the_group_only(client, council):
    now = timezone.now()
    InvitationFactory(group=council, email="jane@globex.example")
    InvitationFactory(
        group=council,
        email="raj@initech.example",
        sent_at=now - timedelta(days=61),
        expires_at=now - timedelta(days=1),
    )
    InvitationFactory(
        group=council, email="li@globex.example", status=Invitation.Status.CANCELED, canceled_at=now
    )
    InvitationFactory(email="elsewhere@globex.example")
    client.force_login(council.nora)

    response = client.get(history_url(council))

    assert response.status_code == 200
    shown = {inv.email: inv.display_status for inv in response.context["page"].object_list}
    assert shown == {
        "jane@globex.example": "Sent",
        "raj@initech.example": "Expired",
        "li@globex.example": "Canceled",
    }


def test_the_pending_list_links_the_history(client, council):
    client.force_login(council.morgan)
    response = client.get(reverse("invitations:list", kwargs={"group_id": council.pk}))
    assert history_url(council) in response.content.decode()
