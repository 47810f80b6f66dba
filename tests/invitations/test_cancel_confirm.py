"""The confirm page of "Cancel" on a pending invitation: GET shows it and writes nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from invitations.models import Invitation
from tests.factories import CustomerFactory, InvitationFactory

pytestmark = pytest.mark.django_db


def confirm_url(invitation: Invitation) -> str:
    return reverse("invitations:cancel_confirm", args=[invitation.pk])


def test_a_customer_of_another_group_gets_data_not_available(client, council):
    invitation = InvitationFactory(group=council, inviter=council.morgan)
    client.force_login(CustomerFactory())

    assert client.get(confirm_url(invitation)).status_code == 404


def test_a_member_is_refused(client, council):
    invitation = InvitationFactory(group=council, inviter=council.morgan)
    client.force_login(council.casey)

    assert client.get(confirm_url(invitation)).status_code == 403


def test_the_owner_sees_the_confirmation_and_the_invitation_stays_sent(client, council):
    invitation = InvitationFactory(group=council, inviter=council.morgan)
    client.force_login(council.morgan)
    group_page = reverse("groups:detail", args=[council.pk])

    response = client.get(confirm_url(invitation), {"next": group_page})
    html = response.content.decode()

    assert response.status_code == 200
    assert "Cancel Invitation?" in html
    assert invitation.email in html
    assert f'action="{reverse("invitations:cancel", args=[invitation.pk])}"' in html
    assert f'name="next" value="{group_page}"' in html
    assert ">Cancel Invitation</button>" in html
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.SENT


def test_a_next_to_another_site_goes_back_to_the_group(client, council):
    invitation = InvitationFactory(group=council, inviter=council.morgan)
    client.force_login(council.morgan)

    html = client.get(confirm_url(invitation), {"next": "https://evil.example/"}).content.decode()

    assert "evil.example" not in html
    assert f'name="next" value="{reverse("groups:detail", args=[council.pk])}"' in html
