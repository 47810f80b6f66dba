"""The Join Now sign-up form: Salesforce's labels, errors next to their fields."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from accounts.models import User
from chatterorg.models import Licence
from invitations.models import Invitation
from tests.chatterorg.pages import control, labels, option_texts
from tests.invitations.join_helpers import SIGNUP_PASSWORD, invitation_sent, join_open, signup_data


@pytest.fixture
def opened(client, council):
    """Jane's link, opened: the client is on the sign-up form."""
    invitation, raw = invitation_sent(
        group=council, inviter=council.morgan, email="jane@globex.example"
    )
    join_open(client, raw)
    return invitation


def _post(client, **overrides):
    return client.post(reverse("join:signup"), signup_data(**overrides))


def _errors_of(html: str, label: str) -> bool:
    return control(html, label).get("aria-invalid") == "true"


def _nothing_written(invitation: Invitation, licences_used: int) -> None:
    assert not User.objects.filter(email=invitation.email).exists()
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.SENT
    assert Licence.objects.get(name="Chatter External").used == licences_used


def test_the_form_has_salesforces_labels_and_the_create_account_button(client, opened):
    response = client.get(reverse("join:signup"))

    html = response.content.decode()
    assert response.status_code == 200
    assert labels(html) == [
        "First Name",
        "Last Name",
        "Company Name",
        "Email",
        "Password",
        "Confirm Password",
        "Security Question",
        "Answer",
    ]
    assert re.search(r'<button type="submit"[^>]*>Create Account</button>', html)
    assert "<h1>Join Customer Success Council</h1>" in html


def test_the_email_is_shown_from_the_invitation_and_cannot_be_edited(client, opened):
    html = client.get(reverse("join:signup")).content.decode()

    email = control(html, "Email")
    assert email["value"] == "jane@globex.example"
    assert "readonly" in email
    assert "disabled" in email


def test_the_security_question_offers_at_least_five_questions(client, opened):
    html = client.get(reverse("join:signup")).content.decode()

    questions = option_texts(html, "Security Question")[1:]
    assert len(questions) >= 5
    assert "What was the name of your first pet?" in questions


def test_an_email_in_the_post_is_ignored(client, opened):
    response = _post(client, email="mallory@evil.example")

    assert response.status_code == 302
    user = User.objects.get(email="jane@globex.example")
    assert user.email == opened.email
    assert not User.objects.filter(email="mallory@evil.example").exists()


@pytest.mark.parametrize(
    ("overrides", "label", "message"),
    [
        ({"first_name": ""}, "First Name", "This field is required."),
        ({"last_name": ""}, "Last Name", "This field is required."),
        ({"company_name": ""}, "Company Name", "This field is required."),
        (
            {"password_confirm": "Violet-Harbour-Kettle-43"},
            "Confirm Password",
            "The passwords don&#x27;t match.",
        ),
        (
            {"password": "Short-1", "password_confirm": "Short-1"},
            "Password",
            "This password is too short. It must contain at least 12 characters.",
        ),
        (
            {"password": "password1234", "password_confirm": "password1234"},
            "Password",
            "This password is too common.",
        ),
        (
            {
                "first_name": "Jacqueline",
                "password": "Jacqueline123",
                "password_confirm": "Jacqueline123",
            },
            "Password",
            "The password is too similar to the",
        ),
        (
            {
                "company_name": "Initech Holdings",
                "password": "InitechHoldings!",
                "password_confirm": "InitechHoldings!",
            },
            "Password",
            "The password is too similar to the Company Name.",
        ),
        (
            {"password": "jane.globex.example", "password_confirm": "jane.globex.example"},
            "Password",
            "The password is too similar to the",
        ),
        ({"security_question": ""}, "Security Question", "This field is required."),
        ({"answer": ""}, "Answer", "This field is required."),
        ({"answer": "   "}, "Answer", "Enter an answer."),
        (
            {"answer": f"my {SIGNUP_PASSWORD.upper()} ok"},
            "Answer",
            "The answer can&#x27;t contain your password.",
        ),
    ],
)
def test_a_wrong_field_shows_its_error_next_to_it_and_nothing_is_created(
    client, opened, overrides, label, message
):
    used = Licence.objects.get(name="Chatter External").used

    response = _post(client, **overrides)

    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert _errors_of(html, label), f"{label} is not marked invalid"
    _nothing_written(opened, used)


def test_the_typed_values_stay_but_the_passwords_do_not(client, opened):
    response = _post(client, last_name="")

    html = response.content.decode()
    assert control(html, "First Name")["value"] == "Jane"
    assert control(html, "Company Name")["value"] == "Globex"
    assert SIGNUP_PASSWORD not in html
