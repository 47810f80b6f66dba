"""Helpers for the Join Now tests: invitations with a known token, a valid sign-up form."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from accounts.models import User
from chatterorg.tokens import token_new
from invitations.models import Invitation
from tests.factories import InvitationFactory

# Long, uncommon, and unlike any name or address used in these tests.
SIGNUP_PASSWORD = "Violet-Harbour-Kettle-42"


def invitation_sent(**fields: Any) -> tuple[Invitation, str]:
    """A Sent invitation whose email has gone out: ``(invitation, raw token)``."""
    raw, digest = token_new()
    invitation = InvitationFactory(token_hash=digest, delivery_status="sent", **fields)
    return invitation, raw


def signup_data(**overrides: str) -> dict[str, str]:
    """What Jane types in the form."""
    data = {
        "first_name": "Jane",
        "last_name": "Doe",
        "company_name": "Globex",
        "password": SIGNUP_PASSWORD,
        "password_confirm": SIGNUP_PASSWORD,
        "security_question": User.SecurityQuestion.FIRST_PET,
        "answer": "Biscuit the Dog",
    }
    data.update(overrides)
    return data


def join_open(client: Client, raw: str):
    return client.get(reverse("join:open", kwargs={"token": raw}))


def join_submit(client: Client, raw: str, **overrides: str):
    """Open the link, then POST the form (following nothing)."""
    opened = join_open(client, raw)
    assert opened.status_code == 302, opened.status_code
    return client.post(reverse("join:signup"), signup_data(**overrides))
