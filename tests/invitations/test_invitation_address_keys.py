"""An invitation's ``email_key`` and ``email_domain`` follow its address, however it is written."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from invitations.models import Invitation
from tests.factories import InvitationFactory, PrivateCustomerGroupFactory, UserFactory


def test_save_derives_the_key_and_the_idna_domain(db):
    invitation = InvitationFactory(email="Anna@BÜCHER.example")

    assert invitation.email_key == "anna@xn--bcher-kva.example"
    assert invitation.email_domain == "xn--bcher-kva.example"

    invitation.email = "anna@globex.example"
    invitation.save(update_fields=["email"])
    invitation.refresh_from_db()
    assert (invitation.email_key, invitation.email_domain) == (
        "anna@globex.example",
        "globex.example",
    )


def test_bulk_create_derives_them_too_whatever_the_caller_set(db):
    now = timezone.now()
    Invitation.objects.bulk_create(
        [
            Invitation(
                group=PrivateCustomerGroupFactory(),
                inviter=UserFactory(),
                email="Raj@Initech.EXAMPLE",
                expires_at=now + timedelta(days=1),
            )
        ]
    )

    stored = Invitation.objects.get()
    assert (stored.email_key, stored.email_domain) == ("raj@initech.example", "initech.example")


def test_a_quoted_local_part_with_an_at_sign_keeps_the_real_domain(db):
    invitation = InvitationFactory(email='"a@b"@globex.example')
    assert invitation.email_domain == "globex.example"
