"""Join Now tokens and which invitation a token redeems."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from chatterorg.tokens import token_hash, token_new
from groups.models import Group
from invitations.access import invitation_for_token
from invitations.models import Invitation
from tests.factories import InvitationFactory


def test_a_new_token_has_256_bits_and_comes_with_its_sha256():
    raw, digest = token_new()

    assert len(raw) == 43  # 32 bytes in URL-safe base64
    assert digest == hashlib.sha256(raw.encode()).hexdigest() == token_hash(raw)


def test_tokens_do_not_repeat():
    assert len({token_new()[0] for _ in range(1000)}) == 1000


@pytest.fixture
def pending(council):
    raw, digest = token_new()
    invitation = InvitationFactory(group=council, inviter=council.morgan, token_hash=digest)
    return raw, invitation


def test_a_pending_invitation_is_found_by_its_token(pending):
    raw, invitation = pending

    assert invitation_for_token(raw) == invitation


def test_an_unknown_a_blank_or_an_oversized_token_finds_nothing(pending):
    raw, _ = pending

    assert invitation_for_token(raw[:-1] + ("A" if raw[-1] != "A" else "B")) is None
    assert invitation_for_token("") is None
    assert invitation_for_token(raw * 3) is None


def test_the_hash_itself_is_not_a_token(pending):
    _, invitation = pending

    assert invitation_for_token(invitation.token_hash) is None


def test_a_token_is_valid_at_the_last_second_and_invalid_one_second_later(pending):
    raw, invitation = pending
    expires_at = datetime(2030, 1, 1, 12, 0, 0, tzinfo=UTC)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=expires_at)

    with time_machine.travel(expires_at, tick=False):
        assert invitation_for_token(raw) == invitation
    with time_machine.travel(expires_at + timedelta(seconds=1), tick=False):
        assert invitation_for_token(raw) is None


def test_turning_off_customer_invitations_kills_pending_links_at_once(pending, customers_allowed):
    raw, _ = pending
    customers_allowed.allow_customer_invitations = False
    customers_allowed.save()

    assert invitation_for_token(raw) is None


def test_a_link_works_again_when_the_setting_comes_back_on_before_expiry(
    pending, customers_allowed
):
    raw, invitation = pending
    customers_allowed.allow_customer_invitations = False
    customers_allowed.save()
    customers_allowed.allow_customer_invitations = True
    customers_allowed.save()

    assert invitation_for_token(raw) == invitation


@pytest.mark.parametrize(
    "change",
    [
        {"status": Invitation.Status.CANCELED},
        {"status": Invitation.Status.ACCEPTED, "accepted_user_id": "inviter"},
    ],
    ids=["canceled", "accepted"],
)
def test_a_canceled_or_accepted_invitation_is_not_redeemable(pending, change):
    raw, invitation = pending
    if change.get("accepted_user_id") == "inviter":
        change = {**change, "accepted_user_id": invitation.inviter_id}
    Invitation.objects.filter(pk=invitation.pk).update(**change)

    assert invitation_for_token(raw) is None


def test_a_group_that_no_longer_allows_customers_redeems_nothing(pending):
    raw, invitation = pending
    Group.objects.filter(pk=invitation.group_id).update(allow_customers=False)

    assert invitation_for_token(raw) is None
