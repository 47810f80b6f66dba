"""The password and the answer are hashed together, before the sign-up's transaction."""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from accounts import security
from accounts.models import User
from accounts.security import answer_check, password_and_answer_hash
from chatterorg.models import Licence
from chatterorg.selectors import org_get
from chatterorg.tokens import token_hash
from invitations import access
from invitations.join import actions as signup
from invitations.models import Invitation
from tests.invitations.join_helpers import SIGNUP_PASSWORD, invitation_sent, join_open, signup_data


def _answer_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name.startswith("answer-hash")]


def test_both_hashes_verify():
    password_hashed, answer_hashed = password_and_answer_hash(
        password=SIGNUP_PASSWORD, answer="  Biscuit   the DOG "
    )

    assert password_hashed.startswith("argon2$argon2id$")
    assert check_password(SIGNUP_PASSWORD, password_hashed)
    assert answer_hashed.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert answer_check("biscuit the dog", answer_hashed)
    assert not answer_check("biscuit the cat", answer_hashed)
    assert not _answer_threads()


def test_a_failure_hashing_the_answer_is_raised_and_the_worker_is_gone(monkeypatch):
    def broken(answer: str) -> str:
        raise RuntimeError("no memory for the answer")

    monkeypatch.setattr(security, "answer_hash", broken)

    with pytest.raises(RuntimeError, match="no memory for the answer"):
        password_and_answer_hash(password=SIGNUP_PASSWORD, answer="Biscuit")

    assert not _answer_threads()


def test_a_failure_hashing_the_password_waits_for_the_answer_and_is_raised(monkeypatch):
    answered = threading.Event()
    real_answer_hash = security.answer_hash

    def slow_answer_hash(answer: str) -> str:
        hashed = real_answer_hash(answer)
        answered.set()
        return hashed

    def broken(password: str) -> str:
        raise ValueError("no memory for the password")

    monkeypatch.setattr(security, "answer_hash", slow_answer_hash)
    monkeypatch.setattr(security, "make_password", broken)

    with pytest.raises(ValueError, match="no memory for the password"):
        password_and_answer_hash(password=SIGNUP_PASSWORD, answer="Biscuit")

    assert answered.is_set()
    assert not _answer_threads()


@pytest.fixture
def opened(client, council):
    invitation, raw = invitation_sent(
        group=council, inviter=council.morgan, email="jane@globex.example"
    )
    join_open(client, raw)
    return invitation


def test_a_failed_answer_hash_creates_nothing_and_shows_a_support_reference(
    client, opened, monkeypatch
):
    def broken(answer: str) -> str:
        raise RuntimeError("no memory for the answer")

    monkeypatch.setattr(security, "answer_hash", broken)
    used = Licence.objects.get(name="Chatter External").used

    response = client.post(reverse("join:signup"), signup_data())

    assert response.status_code == 500
    assert not User.objects.filter(email="jane@globex.example").exists()
    assert Licence.objects.get(name="Chatter External").used == used
    opened.refresh_from_db()
    assert opened.status == Invitation.Status.SENT
    assert not _answer_threads()


def test_the_hashes_are_computed_outside_the_sign_up_transaction(client, opened, monkeypatch):
    # The test itself runs inside a transaction: count the atomic blocks around it.
    outer = len(transaction.get_connection().atomic_blocks)
    seen: list[int] = []
    real = signup.password_and_answer_hash

    def watched(**kwargs: str) -> tuple[str, str]:
        seen.append(len(transaction.get_connection().atomic_blocks))
        return real(**kwargs)

    monkeypatch.setattr(signup, "password_and_answer_hash", watched)

    response = client.post(reverse("join:signup"), signup_data())

    assert response.status_code == 302
    assert seen == [outer]
    assert User.objects.filter(email="jane@globex.example").exists()


def _signup(invitation: Invitation, raw: str, **overrides: str) -> User:
    data = signup_data(**overrides)
    del data["password_confirm"]
    return signup.customer_signup(
        invitation=invitation,
        token_hash=token_hash(raw),
        org=org_get(),
        **{"password_confirm": data.get("password", ""), **data},
    )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"password": "Jane-Doe"}, "password"),
        ({"answer": f"my {SIGNUP_PASSWORD}"}, "answer"),
        ({"security_question": "favourite_colour"}, "security_question"),
    ],
)
def test_nothing_is_hashed_when_the_form_is_refused(council, monkeypatch, overrides, field):
    invitation, raw = invitation_sent(
        group=council, inviter=council.morgan, email="jane@globex.example"
    )
    calls: list[dict[str, str]] = []
    monkeypatch.setattr(signup, "password_and_answer_hash", lambda **kwargs: calls.append(kwargs))

    with pytest.raises(ValidationError) as refused:
        _signup(invitation, raw, **overrides)

    assert list(refused.value.error_dict) == [field]
    assert calls == []


def test_nothing_is_hashed_for_an_invitation_that_cannot_be_redeemed(council, monkeypatch, client):
    invitation, raw = invitation_sent(
        group=council, inviter=council.morgan, email="jane@globex.example"
    )
    assert join_open(client, raw).status_code == 302
    Invitation.objects.filter(pk=invitation.pk).update(status=Invitation.Status.CANCELED)
    calls: list[dict[str, str]] = []
    monkeypatch.setattr(signup, "password_and_answer_hash", lambda **kwargs: calls.append(kwargs))

    # The sign-up page reads the invitation first: a canceled one never reaches the action.
    response = client.post(reverse("join:signup"), signup_data())

    assert response.status_code == 404
    assert calls == []
    assert not User.objects.filter(email="jane@globex.example").exists()


def test_an_invitation_accepted_while_hashing_is_refused_as_already_accepted(council, monkeypatch):
    invitation, raw = invitation_sent(
        group=council, inviter=council.morgan, email="jane@globex.example"
    )
    real = signup.password_and_answer_hash

    def other_tab_accepts(**kwargs: str) -> tuple[str, str]:
        hashed = real(**kwargs)
        monkeypatch.setattr(signup, "password_and_answer_hash", real)
        _signup(invitation, raw, first_name="Janet")
        return hashed

    monkeypatch.setattr(signup, "password_and_answer_hash", other_tab_accepts)
    used = Licence.objects.get(name="Chatter External").used

    with pytest.raises(access.InvitationNotRedeemable) as refused:
        _signup(invitation, raw)

    assert refused.value.already_accepted
    assert User.objects.get(email="jane@globex.example").first_name == "Janet"
    assert Licence.objects.get(name="Chatter External").used == used + 1
