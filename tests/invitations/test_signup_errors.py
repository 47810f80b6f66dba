"""The seed's error page: a blocking rule or an unexpected error rolls everything back."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from accounts.models import User, UserField, ValidationRule
from chatterorg.models import AuditEvent, Licence
from chatterorg.tokens import token_hash
from groups.models import Membership
from invitations.join import actions as signup
from invitations.models import Invitation, SupportReference
from tests.invitations.join_helpers import SIGNUP_PASSWORD, invitation_sent, join_open, signup_data

HEADING = "There was a problem with our server"
APOLOGY = "Sorry! We're having a problem accessing the page you requested. Please try again later."
REFERENCE = re.compile(r"Your support reference number is (?:<[^>]+>)?(\d{10}-\d{5} \(\d{10}\))")
ANSWER = "Biscuit the Dog"


@pytest.fixture
def opened(client, council):
    invitation, raw = invitation_sent(
        group=council, inviter=council.morgan, email="raj@globex.example"
    )
    join_open(client, raw)
    invitation.raw = raw
    return invitation


def _rule(formula: str = "ISBLANK(Department)", **fields) -> ValidationRule:
    defaults = {
        "name": "Require Department",
        "active": True,
        "error_message": "Department is required.",
        "error_location": ValidationRule.TOP_OF_PAGE,
    }
    defaults.update(fields)
    return ValidationRule.objects.create(formula=formula, **defaults)


def _counts() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "licences used": Licence.objects.get(name="Chatter External").used,
        "audit events": AuditEvent.objects.count(),
    }


def _post(client, **overrides):
    return client.post(reverse("join:signup"), signup_data(first_name="Raj", **overrides))


def _assert_invitation_usable(invitation: Invitation) -> None:
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.SENT
    assert invitation.token_hash == token_hash(invitation.raw)
    assert invitation.accepted_user is None


def test_a_blocking_rule_shows_the_seeds_page_with_a_reference_and_writes_nothing(client, opened):
    rule = _rule()
    before = _counts()

    response = _post(client)

    html = response.content.decode()
    assert response.status_code == 500
    assert f"<h1>{HEADING}</h1>" in html
    assert APOLOGY in html
    match = REFERENCE.search(html)
    assert match, html
    assert "Department is required." not in html
    assert "Require Department" not in html
    assert _counts() == before
    _assert_invitation_usable(opened)
    reference = SupportReference.objects.get(number=match.group(1))
    assert reference.kind == SupportReference.Kind.VALIDATION_RULE
    assert (reference.rule, reference.rule_name) == (rule, "Require Department")
    assert reference.rule_formula == "ISBLANK(Department)"
    assert reference.rule_message == "Department is required."
    assert (reference.invitation, reference.group) == (opened, opened.group)


def test_the_reference_keeps_what_was_typed_but_never_the_password_or_answer(client, opened):
    _rule()

    response = _post(client)

    number = REFERENCE.search(response.content.decode()).group(1)
    submitted = SupportReference.objects.get(number=number).submitted
    assert submitted == {
        "email": "raj@globex.example",
        "first_name": "Raj",
        "last_name": "Doe",
        "company_name": "Globex",
        "security_question": User.SecurityQuestion.FIRST_PET,
    }
    stored = json.dumps(submitted)
    assert SIGNUP_PASSWORD not in stored
    assert ANSWER not in stored


def test_each_failure_gets_its_own_reference(client, opened):
    _rule()

    first = REFERENCE.search(_post(client).content.decode()).group(1)
    second = REFERENCE.search(_post(client).content.decode()).group(1)

    assert first != second
    assert SupportReference.objects.count() == 2


def test_the_invitation_works_once_the_rule_is_fixed(client, opened):
    rule = _rule()
    _post(client)

    ValidationRule.objects.filter(pk=rule.pk).update(active=False)
    response = _post(client)

    assert response.status_code == 302
    assert User.objects.filter(email="raj@globex.example").exists()


def test_a_rule_that_exempts_customers_lets_the_sign_up_through(client, opened):
    _rule('AND(ISBLANK(Department), Profile.Name <> "Chatter External User")')

    response = _post(client)

    assert response.status_code == 302
    assert User.objects.filter(email="raj@globex.example").exists()
    assert not SupportReference.objects.exists()


def test_the_running_user_of_a_sign_up_is_the_new_customer(client, opened):
    _rule('ISPICKVAL($User.UserType, "ChatterGuest") && $Profile.Name = "Chatter External User"')

    response = _post(client)

    assert response.status_code == 500
    assert SupportReference.objects.get().rule_name == "Require Department"


def test_a_rule_sees_the_new_user_as_new_with_its_username_and_licence(client, opened):
    _rule(
        'AND(ISNEW(), Username = "raj@guest.acme.example", '
        'Profile.UserLicense.Name = "Chatter External", Email = "raj@globex.example", '
        'FirstName = "Raj", CompanyName = "Globex")'
    )

    response = _post(client)

    assert response.status_code == 500


def test_with_show_errors_on_the_rules_message_appears_at_the_top_of_the_form(client, opened, org):
    org.show_validation_errors_to_customers = True
    org.save()
    _rule()
    before = _counts()

    response = _post(client)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Department is required." in html
    assert "Create Account" in html
    assert HEADING not in html
    assert _counts() == before
    assert not SupportReference.objects.exists()
    _assert_invitation_usable(opened)


def test_with_show_errors_on_a_rule_located_at_a_form_field_marks_that_field(client, opened, org):
    from tests.chatterorg.pages import control

    org.show_validation_errors_to_customers = True
    org.save()
    _rule(
        "LEN(FirstName) < 4",
        error_message="Enter your full first name.",
        error_location="FirstName",
    )

    response = _post(client)

    html = response.content.decode()
    assert "Enter your full first name." in html
    assert control(html, "First Name").get("aria-invalid") == "true"


def test_an_unexpected_error_mid_sign_up_rolls_back_and_shows_the_seeds_page(
    client, opened, monkeypatch, caplog
):
    def broken(**kwargs):
        raise RuntimeError("the membership table is on fire")

    # The licence is already claimed and the user inserted when this fails.
    monkeypatch.setattr(signup, "membership_add", broken)
    before = _counts()

    response = _post(client)

    html = response.content.decode()
    assert response.status_code == 500
    assert HEADING in html
    number = REFERENCE.search(html).group(1)
    assert _counts() == before
    _assert_invitation_usable(opened)
    reference = SupportReference.objects.get(number=number)
    assert reference.kind == SupportReference.Kind.EXCEPTION
    assert reference.exception_type == "RuntimeError"
    assert "the membership table is on fire" in reference.traceback
    assert "membership_add" not in reference.rule_name
    assert reference.invitation == opened
    assert "Join Now sign-up failed" in caplog.text


def test_a_formula_that_cannot_be_evaluated_blocks_like_salesforce(client, opened):
    _rule("VALUE(FirstName) > 1", name="Numeric Name")

    response = _post(client)

    assert response.status_code == 500
    assert SupportReference.objects.get().rule_name == "Numeric Name"


def test_a_rule_that_cannot_be_evaluated_is_recorded_as_such_and_looked_up(
    client, opened, admin_user
):
    from django.test import Client

    _rule("LEN(FirstName) / LEN(Department) > 1", name="Divider")
    before = _counts()

    response = _post(client)

    assert response.status_code == 500
    assert _counts() == before
    reference = SupportReference.objects.get()
    assert reference.kind == SupportReference.Kind.EVALUATION_ERROR
    assert reference.rule_message == (
        "Validation rule Divider could not be evaluated: Division by zero"
    )
    admin = Client()
    admin.force_login(admin_user)
    page = admin.get(reverse("setup:support_lookup"), {"number": reference.number})
    html = page.content.decode()
    assert "Validation rule could not be evaluated" in html
    assert "Division by zero" in html
    assert "Suggested fix" not in html


def test_with_show_errors_on_a_rule_that_cannot_be_evaluated_still_takes_the_seeds_page(
    client, opened, org
):
    org.show_validation_errors_to_customers = True
    org.save()
    _rule("LEN(FirstName) / LEN(Department) > 1", name="Divider")
    before = _counts()

    response = _post(client)

    assert response.status_code == 500
    assert "Division by zero" not in response.content.decode()
    assert SupportReference.objects.get().kind == SupportReference.Kind.EVALUATION_ERROR
    assert _counts() == before
    _assert_invitation_usable(opened)


def test_a_customer_gets_the_default_of_each_custom_field(client, opened):
    UserField.objects.create(
        label="Region", api_name="Region__c", type=UserField.Type.TEXT, length=20, default="EMEA"
    )

    response = _post(client)

    assert response.status_code == 302
    assert User.objects.get(email="raj@globex.example").custom_fields == {"Region__c": "EMEA"}


def test_a_required_custom_field_without_a_default_refuses_the_sign_up_and_writes_nothing(
    client, opened
):
    UserField.objects.create(
        label="Badge", api_name="Badge__c", type=UserField.Type.TEXT, length=20, required=True
    )
    before = _counts()

    response = _post(client)

    assert response.status_code == 200
    assert "requires details this page doesn" in response.content.decode()
    assert _counts() == before
    _assert_invitation_usable(opened)
