"""Setup › Support Reference Lookup: the admin finds which rule blocked a customer."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from accounts.models import User, ValidationRule
from accounts.validation import RuleViolation
from invitations.join.actions import support_reference_create
from invitations.join.support import suggested_formula, support_number_normalise
from invitations.models import SupportReference
from tests.chatterorg.pages import control
from tests.factories import (
    CustomerFactory,
    InvitationFactory,
    PrivateCustomerGroupFactory,
    UserFactory,
)
from tests.invitations.join_helpers import SIGNUP_PASSWORD, invitation_sent, join_open, signup_data

pytestmark = pytest.mark.django_db

LOOKUP = reverse("setup:support_lookup")
EXEMPT = 'AND(ISBLANK(Department), Profile.Name <> "Chatter External User")'


@pytest.fixture
def rule(db) -> ValidationRule:
    return ValidationRule.objects.create(
        name="Require Department",
        active=True,
        formula="ISBLANK(Department)",
        error_message="Department is required.",
    )


@pytest.fixture
def reference(rule) -> SupportReference:
    invitation = InvitationFactory(email="raj@globex.example")
    violation = RuleViolation(rule=rule, message=rule.error_message, field=None)
    return support_reference_create(
        invitation_id=invitation.pk,
        submitted={
            "email": "raj@globex.example",
            "first_name": "Raj",
            "last_name": "Shah",
            "company_name": "Globex",
            "security_question": User.SecurityQuestion.FIRST_PET,
            "password": SIGNUP_PASSWORD,
            "answer": "Biscuit",
        },
        violation=violation,
    )


def _lookup(client, number: str):
    return client.get(LOOKUP, {"number": number})


def test_an_anonymous_visitor_is_sent_to_log_in(client, reference):
    response = _lookup(client, reference.number)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("who", ["standard user", "customer"])
def test_users_without_customize_application_are_refused(client, reference, user, who):
    client.force_login(user if who == "standard user" else CustomerFactory())

    response = _lookup(client, reference.number)

    assert response.status_code == (403 if who == "standard user" else 404)
    assert reference.number.encode() not in response.content


def test_the_page_offers_a_labelled_number_field(admin_client):
    response = admin_client.get(LOOKUP)

    assert response.status_code == 200
    assert control(response.content, "Support Reference Number")["name"] == "number"
    assert "<h1>Support Reference Lookup</h1>" in response.content.decode()


def test_a_rule_reference_names_the_rule_links_to_it_and_suggests_the_fix(
    admin_client, reference, rule
):
    response = _lookup(admin_client, reference.number)

    html = response.content.decode()
    assert response.status_code == 200
    edit = reverse("setup:validation_rule_edit", kwargs={"rule_id": rule.pk})
    assert f'<a href="{edit}">Require Department</a>' in html
    assert "ISBLANK(Department)" in html
    assert "Department is required." in html
    assert escape(EXEMPT) in html
    assert "raj@globex.example" in html
    assert reference.invitation.group.name in html
    assert "What was the name of your first pet?" in html
    assert "Raj" in html
    assert SIGNUP_PASSWORD not in html
    assert "Biscuit" not in html


@pytest.mark.parametrize(
    "typed",
    [
        "{a}-{b} ({c})",
        "  {a} - {b}  ( {c} )  ",
        "{a}-{b}({c})",
        "{a}-{b}",
    ],
)
def test_the_number_may_be_typed_with_loose_spacing_or_without_the_bracket(
    admin_client, reference, typed
):
    a, b, c = re.fullmatch(r"(\d{10})-(\d{5}) \((\d{10})\)", reference.number).groups()

    response = _lookup(admin_client, typed.format(a=a, b=b, c=c))

    assert "Require Department" in response.content.decode()


def test_a_malformed_number_is_explained(admin_client, reference):
    response = _lookup(admin_client, "12345")

    html = response.content.decode()
    assert "Enter the number as it was shown" in html
    assert "Require Department" not in html


def test_an_unknown_number_finds_nothing(admin_client, reference):
    response = _lookup(admin_client, "1000000000-10000 (1000000000)")

    assert "No support reference has this number." in response.content.decode()


def test_an_exception_reference_shows_its_type_and_traceback(admin_client):
    try:
        raise LookupError("no such row")
    except LookupError as exc:
        reference = support_reference_create(invitation_id=None, submitted={}, error=exc)

    html = _lookup(admin_client, reference.number).content.decode()

    assert "Unexpected error" in html
    assert "LookupError" in html
    assert "no such row" in html


def test_a_deleted_rule_still_shows_its_name_and_formula(admin_client, reference, rule):
    rule.delete()

    html = _lookup(admin_client, reference.number).content.decode()

    assert "Require Department" in html
    assert "(deleted since)" in html
    assert "ISBLANK(Department)" in html


def test_the_seeds_story_from_sign_up_to_lookup(admin_client, rule, customers_allowed):
    group = PrivateCustomerGroupFactory(name="Customer Success Council")
    inviter = UserFactory(email="morgan@acme.example")
    _, raw = invitation_sent(group=group, inviter=inviter, email="raj@globex.example")
    raj = Client()
    join_open(raj, raw)
    page = raj.post(reverse("join:signup"), signup_data(first_name="Raj")).content.decode()
    number = re.search(r"\d{10}-\d{5} \(\d{10}\)", page).group(0)

    html = _lookup(admin_client, number).content.decode()

    assert "Require Department" in html
    assert "Customer Success Council" in html
    assert escape(EXEMPT) in html


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1346115889-13737 (1226695017)", ("1346115889-13737 (1226695017)", True)),
        (" 1346115889 -13737(1226695017) ", ("1346115889-13737 (1226695017)", True)),
        ("1346115889-13737", ("1346115889-13737 (", False)),
        ("1346115889-1373", None),
        ("abc", None),
        ("", None),
    ],
)
def test_numbers_are_normalised(text, expected):
    assert support_number_normalise(text) == expected


def test_the_suggested_formula_exempts_customers():
    assert suggested_formula("ISBLANK(Department)") == EXEMPT
