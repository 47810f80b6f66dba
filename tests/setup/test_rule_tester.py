"""Setup › Validation Rules › Test Rule: would the rule fire, and why; nothing is saved."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.actions import user_field_create
from accounts.models import ValidationRule
from chatterorg.models import AuditEvent
from tests.chatterorg import fixtures
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

admin_client = fixtures.admin_client
user_manager = fixtures.user_manager

WRITES = ("INSERT", "UPDATE", "DELETE")


def rule_tester_url(rule: ValidationRule) -> str:
    return reverse("setup:validation_rule_test", kwargs={"rule_id": rule.pk})


@pytest.fixture
def rule(db) -> ValidationRule:
    return ValidationRule.objects.create(
        name="Require Department",
        formula='AND(ISBLANK(Department), Profile.Name <> "Chatter External User")',
        error_message="Department is required.",
    )


@pytest.fixture
def jane(db):
    return UserFactory(username="jane@acme.example", department="", title="Engineer")


def _values(**overrides: str) -> dict[str, str]:
    """A POST of the tester: Jane-like values, prior values the same."""
    values = {
        "Username": "jane@acme.example",
        "Email": "jane@acme.example",
        "LastName": "Doe",
        "Department": "",
        "Title": "Engineer",
        "UserType": "Standard",
        "IsActive": "on",
        "Profile_Name": "Standard User",
    }
    values.update(overrides)
    data = {"test": "1"}
    for name, value in values.items():
        data[f"value__{name}"] = value
        data[f"prior__{name}"] = value
    return data


def _writes(queries: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(WRITES)
    ]


@pytest.mark.parametrize("who", ["user manager", "customer"])
def test_users_without_customize_application_are_refused(client, rule, who, user_manager):
    client.force_login(user_manager if who == "user manager" else CustomerFactory())
    refused = 404 if who == "customer" else 403  # Setup does not exist for customers

    assert client.get(rule_tester_url(rule)).status_code == refused
    assert client.post(rule_tester_url(rule), _values()).status_code == refused


def test_an_unknown_rule_is_not_found(admin_client):
    assert admin_client.get("/setup/users/validation-rules/999999/test/").status_code == 404
    assert admin_client.post("/setup/users/validation-rules/999999/test/", {}).status_code == 404


def test_the_rule_page_links_to_the_tester(admin_client, rule):
    page = admin_client.get(reverse("setup:validation_rule_edit", kwargs={"rule_id": rule.pk}))

    assert f'href="{rule_tester_url(rule)}"' in page.content.decode()


def test_loading_a_user_fills_in_its_values(admin_client, rule, jane):
    response = admin_client.get(rule_tester_url(rule), {"user": "JANE@acme.example"})

    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="value__Title" value="Engineer"' in html
    assert 'name="prior__Title" value="Engineer"' in html


def test_an_unknown_username_is_said_so(admin_client, rule):
    response = admin_client.get(rule_tester_url(rule), {"user": "nobody@acme.example"})

    assert "No user has this username." in response.content.decode()


def test_the_tester_shows_that_the_rule_fires_with_each_sub_expression(admin_client, rule):
    response = admin_client.post(rule_tester_url(rule), _values())

    html = response.content.decode()
    assert "The rule fires" in html
    assert "Department is required." in html
    assert '<code>ISBLANK(Department)</code> <span class="trace-value">= TRUE</span>' in html
    assert '<code>Department</code> <span class="trace-value">= null (blank)</span>' in html
    assert (
        "<code>Profile.Name &lt;&gt; &quot;Chatter External User&quot;</code> "
        '<span class="trace-value">= TRUE</span>'
    ) in html


def test_a_branch_that_is_not_taken_is_shown_as_not_evaluated(admin_client, rule):
    response = admin_client.post(rule_tester_url(rule), _values(Department="Sales"))

    html = response.content.decode()
    assert "The rule does not fire" in html
    assert "<code>Profile.Name &lt;&gt; &quot;Chatter External User&quot;</code> " in html
    assert "not evaluated" in html


def test_prior_values_and_new_record_reach_the_formula(admin_client):
    changed = ValidationRule.objects.create(
        name="Title Locked", formula="AND(NOT(ISNEW()), ISCHANGED(Title))", error_message="No."
    )
    data = _values(Title="Boss")
    data["prior__Title"] = "Engineer"

    fired = admin_client.post(rule_tester_url(changed), data).content.decode()
    new = admin_client.post(rule_tester_url(changed), {**data, "is_new": "on"}).content.decode()

    assert "The rule fires" in fired
    assert "The rule does not fire" in new


def test_the_running_user_is_the_admin_unless_asked_to_run_as_the_record(admin_client):
    guest = ValidationRule.objects.create(
        name="Guests", formula='ISPICKVAL($User.UserType, "ChatterGuest")', error_message="No."
    )
    data = _values(UserType="ChatterGuest")

    as_admin = admin_client.post(rule_tester_url(guest), data).content.decode()
    as_record = admin_client.post(
        rule_tester_url(guest), {**data, "running_user_is_record": "on"}
    ).content.decode()

    assert "The rule does not fire" in as_admin
    assert "The rule fires" in as_record


def test_an_evaluation_error_is_shown_as_such_with_the_failing_part(admin_client):
    divider = ValidationRule.objects.create(
        name="Divider", formula="LEN(Title) / LEN(Department) > 1", error_message="No."
    )

    html = admin_client.post(rule_tester_url(divider), _values()).content.decode()

    assert "Could not be evaluated" in html
    assert "Validation rule Divider could not be evaluated: Division by zero" in html
    assert '<span class="trace-error">failed</span>' in html


def test_a_custom_date_field_can_be_typed(admin_client, admin_user):
    user_field_create(actor=admin_user, label="Begin Date", type="date")
    weekday = ValidationRule.objects.create(
        name="Weekdays",
        formula="CASE(MOD(Begin_Date__c - DATE(1900, 1, 7), 7), 0, 0, 6, 0, 1) = 0",
        error_message="Start on a weekday.",
    )

    saturday = admin_client.post(rule_tester_url(weekday), _values(Begin_Date__c="2026-01-31"))
    wednesday = admin_client.post(rule_tester_url(weekday), _values(Begin_Date__c="2026-01-28"))

    assert "The rule fires" in saturday.content.decode()
    assert "The rule does not fire" in wednesday.content.decode()


def test_a_value_of_the_wrong_type_is_refused_on_the_form(admin_client, admin_user):
    user_field_create(actor=admin_user, label="Begin Date", type="date")
    rule = ValidationRule.objects.create(
        name="Dates", formula="DAY(Begin_Date__c) > 15", error_message="No."
    )

    html = admin_client.post(rule_tester_url(rule), _values(Begin_Date__c="soon")).content.decode()

    assert "Enter a valid date." in html
    assert "The rule fires" not in html


def test_testing_writes_nothing(admin_client, rule, jane):
    AuditEvent.objects.all().delete()
    with CaptureQueriesContext(connection) as loading:
        admin_client.get(rule_tester_url(rule), {"user": jane.username})
    with CaptureQueriesContext(connection) as testing:
        admin_client.post(rule_tester_url(rule), _values())

    assert _writes(loading) == []
    assert _writes(testing) == []
    assert not AuditEvent.objects.exists()


def test_a_deeply_nested_formula_shows_a_cut_tree(admin_client):
    deep = ValidationRule.objects.create(
        name="Deep", formula="NOT(" * 60 + "ISBLANK(Title)" + ")" * 60, error_message="No."
    )

    response = admin_client.post(rule_tester_url(deep), _values())

    html = response.content.decode()
    assert response.status_code == 200
    assert "The rule fires" in html or "The rule does not fire" in html
    assert "Only the first sub-expressions are shown." in html
