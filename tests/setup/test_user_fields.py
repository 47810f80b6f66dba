"""Setup › Object Manager › User › Fields & Relationships, and custom fields on Users."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.actions import user_field_create
from accounts.models import UserField, ValidationRule
from chatterorg.models import AuditEvent
from tests.chatterorg import fixtures
from tests.chatterorg.pages import control, labels
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

admin_client = fixtures.admin_client
user_manager = fixtures.user_manager
customizer = fixtures.customizer

FIELDS = reverse("setup:object_fields")
NEW = reverse("setup:object_field_new")


def delete_url(field: UserField) -> str:
    return reverse("setup:object_field_delete", kwargs={"field_id": field.pk})


@pytest.fixture
def begin_date(admin_user) -> UserField:
    return user_field_create(actor=admin_user, label="Begin Date", type="date")


def new_data(**overrides: str) -> dict[str, str]:
    data = {"label": "Employee Number", "type": "text", "length": "10", "default": ""}
    data.update(overrides)
    return data


@pytest.mark.parametrize("who", ["user manager", "customer"])
def test_users_without_customize_application_are_refused(client, begin_date, who, user_manager):
    client.force_login(user_manager if who == "user manager" else CustomerFactory())
    refused = 404 if who == "customer" else 403  # Setup does not exist for customers

    assert client.get(FIELDS).status_code == refused
    assert client.get(NEW).status_code == refused
    assert client.post(NEW, new_data()).status_code == refused
    assert client.post(delete_url(begin_date)).status_code == refused
    assert UserField.objects.count() == 1


def test_an_unknown_field_is_not_found(admin_client):
    assert admin_client.get("/setup/users/fields/999999/delete/").status_code == 404
    assert admin_client.post("/setup/users/fields/999999/delete/").status_code == 404


def test_a_customizer_finds_fields_in_the_setup_tree(client, customizer, begin_date):
    client.force_login(customizer)

    home = client.get(reverse("setup:home")).content.decode()
    html = client.get(FIELDS).content.decode()

    assert f'href="{FIELDS}"' in home
    assert "Begin_Date__c" in html
    assert "<code>UserType</code></td><td>Picklist</td>" in html


def test_the_new_field_form_has_salesforces_labels(admin_client):
    html = admin_client.get(NEW).content.decode()

    assert {"Field Label", "Field Name", "Length", "Decimal Places", "Values", "Required"} <= set(
        labels(html)
    )
    assert {"Text", "Number", "Checkbox", "Date", "Picklist"} <= set(labels(html))


def test_saving_a_new_field_derives_its_name_and_audits_it(admin_client):
    response = admin_client.post(NEW, new_data(required="on"))

    assert response.status_code == 302
    field = UserField.objects.get()
    assert (field.api_name, field.type, field.length, field.required) == (
        "Employee_Number__c",
        "text",
        10,
        True,
    )
    assert AuditEvent.objects.filter(action="user_field.created").count() == 1


def test_a_picklist_field_takes_its_values_one_per_line(admin_client):
    response = admin_client.post(
        NEW, new_data(label="Region", type="picklist", picklist_values="EMEA\r\nAPAC\r\n")
    )

    assert response.status_code == 302
    assert UserField.objects.get().picklist_values == ["EMEA", "APAC"]


def test_a_taken_field_name_is_refused_and_nothing_written(admin_client, begin_date):
    response = admin_client.post(NEW, new_data(label="Begin Date", type="date"))

    html = response.content.decode()
    assert response.status_code == 200
    assert control(html, "Field Name").get("aria-invalid") == "true"
    assert "A field with this Field Name already exists on User." in html
    assert UserField.objects.count() == 1


def test_deleting_a_field_a_rule_reads_is_refused_with_the_rule_named(admin_client, begin_date):
    ValidationRule.objects.create(
        name="Late Starters", formula="DAY(Begin_Date__c) > 15", error_message="No."
    )

    confirm = admin_client.get(delete_url(begin_date))
    response = admin_client.post(delete_url(begin_date), follow=True)

    assert confirm.status_code == 200
    assert "validation rule &quot;Late Starters&quot;" in response.content.decode()
    assert UserField.objects.filter(pk=begin_date.pk).exists()


def test_deleting_a_field_nothing_reads_removes_it(admin_client, begin_date):
    response = admin_client.post(delete_url(begin_date))

    assert response.status_code == 302
    assert not UserField.objects.exists()
    assert AuditEvent.objects.filter(action="user_field.deleted").exists()


# --- custom fields on the user pages ------------------------------------------------------


def test_the_user_edit_form_shows_and_saves_the_custom_fields(admin_client, begin_date):
    user = UserFactory(custom_fields={"Begin_Date__c": "2026-01-20"})
    edit = reverse("setup:user_edit", kwargs={"user_id": user.pk})

    page = admin_client.get(edit).content.decode()
    assert control(page, "Begin Date")["value"] == "2026-01-20"

    data = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "username": user.username,
        "company_name": user.company_name,
        "department": "",
        "title": "",
        "profile": user.profile_id,
        "is_active": "on",
        "Begin_Date__c": "2026-02-02",
    }
    response = admin_client.post(edit, data)

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.custom_fields == {"Begin_Date__c": "2026-02-02"}
    detail = admin_client.get(reverse("setup:user_detail", kwargs={"user_id": user.pk}))
    assert '<th scope="row">Begin Date</th><td>2026-02-02</td>' in detail.content.decode()


def test_a_rule_on_a_custom_field_shows_its_message_at_that_field(admin_client, begin_date):
    ValidationRule.objects.create(
        name="Weekdays",
        active=True,
        formula="CASE(MOD(Begin_Date__c - DATE(1900, 1, 7), 7), 0, 0, 6, 0, 1) = 0",
        error_message="Start on a weekday.",
        error_location="Begin_Date__c",
    )
    user = UserFactory()
    data = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "username": user.username,
        "profile": user.profile_id,
        "is_active": "on",
        "Begin_Date__c": "2026-01-31",  # a Saturday
    }

    response = admin_client.post(reverse("setup:user_edit", kwargs={"user_id": user.pk}), data)

    html = response.content.decode()
    assert response.status_code == 200
    assert control(html, "Begin Date").get("aria-invalid") == "true"
    assert "Start on a weekday." in html
    user.refresh_from_db()
    assert user.custom_fields == {}
