"""Invite People: choosing the expiry per invitation, and "Send to the N valid addresses"."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from chatterorg.models import AuditEvent
from invitations.actions import invitation_resend, invitations_send, invite_request_clean
from invitations.models import Invitation


def invite_url(group) -> str:
    return reverse("invitations:invite", kwargs={"group_id": group.pk})


@time_machine.travel("2026-03-01 10:00Z", tick=False)
def test_the_chosen_expiry_sets_the_links_lifetime(client, council):
    client.force_login(council.morgan)

    response = client.post(
        invite_url(council), {"addresses": "jane@globex.example", "expiry_days": "7"}
    )

    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.expires_at == timezone.now() + timedelta(days=7)


@time_machine.travel("2026-03-01 10:00Z", tick=False)
def test_without_a_choice_the_org_expiry_applies(client, council, org):
    org.invitation_expiry_days = 30
    org.save()
    client.force_login(council.morgan)

    page = client.get(invite_url(council)).content.decode()
    client.post(invite_url(council), {"addresses": "jane@globex.example"})

    assert 'name="expiry_days"' in page and 'max="30"' in page and 'value="30"' in page
    assert Invitation.objects.get().expires_at == timezone.now() + timedelta(days=30)


@pytest.mark.parametrize("days", ["0", "61"])
def test_an_expiry_outside_one_day_to_the_org_limit_is_refused(client, council, days):
    client.force_login(council.morgan)

    response = client.post(
        invite_url(council), {"addresses": "jane@globex.example", "expiry_days": days}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["expiry_days"]
    assert not Invitation.objects.exists()


def test_the_action_checks_the_expiry_against_the_org_value_of_now(council, org):
    invite = invite_request_clean(addresses=["jane@globex.example"], message="", expiry_days=20)
    org.invitation_expiry_days = 10
    org.save()

    with pytest.raises(ValidationError) as refused:
        invitations_send(actor=council.morgan, group=council, invite=invite)

    assert "expiry_days" in refused.value.error_dict
    assert not Invitation.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_resend_lasts_as_long_as_the_invitation_was_sent_for(council):
    with time_machine.travel("2026-03-01 10:00Z", tick=False):
        invite = invite_request_clean(addresses=["jane@globex.example"], message="", expiry_days=5)
        invitations_send(actor=council.morgan, group=council, invite=invite)
    invitation = Invitation.objects.get()

    with time_machine.travel("2026-03-03 10:00Z", tick=False):
        invitation_resend(actor=council.morgan, invitation=invitation)
        assert Invitation.objects.get().expires_at == timezone.now() + timedelta(days=5)


# Send to the N valid addresses -----------------------------------------------------------------


def test_invalid_addresses_offer_to_send_to_the_valid_ones(client, council):
    client.force_login(council.morgan)

    response = client.post(
        invite_url(council), {"addresses": "jane@globex.example, nope, raj@initech.example"}
    )

    page = response.content.decode()
    assert "nope: enter a valid email address." in page
    assert "Send to the 2 valid addresses" in page
    assert not Invitation.objects.exists()


def test_send_to_the_valid_addresses_invites_them_and_skips_the_rest(client, council):
    client.force_login(council.morgan)

    response = client.post(
        invite_url(council),
        {"addresses": "jane@globex.example, nope, raj@initech.example", "skip_invalid": "1"},
    )

    assert response.status_code == 302
    assert sorted(Invitation.objects.values_list("email", flat=True)) == [
        "jane@globex.example",
        "raj@initech.example",
    ]


def test_with_no_valid_address_there_is_no_offer(client, council):
    client.force_login(council.morgan)

    response = client.post(invite_url(council), {"addresses": "nope, raj@", "skip_invalid": "1"})

    page = response.content.decode()
    assert "Enter at least one email address." in page
    assert "Send to the" not in page
    assert not Invitation.objects.exists()
