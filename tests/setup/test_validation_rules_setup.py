"""Setup › Customize › Users › Validation Rules: list, New, edit, Check Syntax, activate."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.actions import validation_rule_create
from accounts.models import ValidationRule
from chatterorg.models import AuditEvent
from tests.chatterorg import fixtures
from tests.chatterorg.pages import control, is_checked, labels, option_texts
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

admin_client = fixtures.admin_client
user_client = fixtures.user_client
customizer = fixtures.customizer
user_manager = fixtures.user_manager

RULES = reverse("setup:validation_rules")
NEW = reverse("setup:validation_rule_new")
SYNTAX_OK = "No syntax errors in merge fields or functions."


def edit_url(rule: ValidationRule) -> str:
    return reverse("setup:validation_rule_edit", kwargs={"rule_id": rule.pk})


def toggle_url(rule: ValidationRule) -> str:
    return reverse("setup:validation_rule_toggle", kwargs={"rule_id": rule.pk})


@pytest.fixture
def rule(db) -> ValidationRule:
    return ValidationRule.objects.create(
        name="Require Department",
        active=False,
        description="Every user must have a department.",
        formula="ISBLANK(Department)",
        error_message="Department is required.",
    )


def form_data(**overrides: str) -> dict[str, str]:
    data = {
        "name": "Require Title",
        "active": "on",
        "description": "Titles help people find each other.",
        "formula": "ISBLANK(Title)",
        "error_message": "Title is required.",
        "error_location": "Title",
        "save": "1",
    }
    data.update(overrides)
    return data


# --- who may open the pages --------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_log_in(client, rule):
    for url in (RULES, NEW, edit_url(rule)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("who", ["standard user", "user manager", "customer"])
def test_users_without_customize_application_are_refused(client, rule, who, user, user_manager):
    person = {"standard user": user, "user manager": user_manager}.get(who) or CustomerFactory()
    client.force_login(person)

    pages = [client.get(RULES), client.get(NEW), client.get(edit_url(rule))]
    posted = client.post(toggle_url(rule), {"active": "1"})
    created = client.post(NEW, form_data())

    refused = 404 if who == "customer" else 403  # Setup does not exist for customers
    assert [page.status_code for page in pages] == [refused, refused, refused]
    assert posted.status_code == refused
    assert created.status_code == refused
    rule.refresh_from_db()
    assert not rule.active
    assert not ValidationRule.objects.filter(name="Require Title").exists()


def test_a_customizer_opens_the_list_from_the_setup_tree(client, customizer, rule):
    client.force_login(customizer)

    home = client.get(reverse("setup:home")).content.decode()
    response = client.get(RULES)

    assert f'href="{RULES}"' in home
    assert response.status_code == 200


def test_an_unknown_rule_is_not_found(admin_client):
    assert admin_client.get("/setup/users/validation-rules/999999/edit/").status_code == 404
    response = admin_client.post("/setup/users/validation-rules/999999/active/", {"active": "1"})
    assert response.status_code == 404


# --- the list ----------------------------------------------------------------------------


def test_the_list_shows_each_rule_with_its_active_column_and_a_new_button(admin_client, rule):
    response = admin_client.get(RULES)

    html = response.content.decode()
    assert "<h1>User Validation Rules</h1>" in html
    assert '<th scope="col">Active</th>' in html
    assert "Require Department" in html
    assert "Inactive" in html
    assert f'href="{NEW}"' in html
    assert f'href="{edit_url(rule)}"' in html
    assert "Activate" in html


def test_the_list_costs_the_same_queries_for_many_rules(
    admin_client, rule, django_assert_num_queries
):
    # session, user with their profile, permission sets, rule count, the page of rules,
    # the custom fields (schema and Error Location labels), org (layout)
    with django_assert_num_queries(7):
        admin_client.get(RULES)
    for n in range(10):
        ValidationRule.objects.create(
            name=f"Rule {n}", formula="FALSE", error_message="No.", active=n % 2 == 0
        )
    with django_assert_num_queries(7):
        admin_client.get(RULES)


# --- New and edit ------------------------------------------------------------------------


def test_the_form_has_salesforces_labels_and_error_locations(admin_client):
    html = admin_client.get(NEW).content.decode()

    assert labels(html) == [
        "Rule Name",
        "Active",
        "Description",
        "Error Condition Formula",
        "Insert Field",
        "Insert Operator",
        "Functions",
        "Treat blank fields as blanks",
        "Treat blank fields as zeroes",
        "Error Message",
        "Error Location",
    ]
    locations = option_texts(html, "Error Location")
    assert locations[0] == "Top of Page"
    assert {"Department", "Title", "First Name", "Last Name", "Company Name"} <= set(locations)
    assert ">Check Syntax</button>" in html
    assert ">Save</button>" in html


def test_saving_a_new_rule_creates_it_and_audits_it(admin_client, admin_user):
    response = admin_client.post(NEW, form_data())

    assert response.status_code == 302
    assert response["Location"] == RULES
    rule = ValidationRule.objects.get(name="Require Title")
    assert rule.active
    assert (rule.formula, rule.error_message, rule.error_location) == (
        "ISBLANK(Title)",
        "Title is required.",
        "Title",
    )
    event = AuditEvent.objects.get(action="validation_rule.created")
    assert (event.section, event.actor) == ("Validation Rules", admin_user)
    assert "Require Title" in event.display


def test_check_syntax_says_so_when_the_formula_is_fine_and_saves_nothing(admin_client):
    response = admin_client.post(NEW, form_data(check_syntax="1", save="", name=""))

    html = response.content.decode()
    assert response.status_code == 200
    assert SYNTAX_OK in html
    assert "This field is required." not in html
    assert control(html, "Error Condition Formula")["tag"] == "textarea"
    assert "ISBLANK(Title)" in html
    assert is_checked(html, "Active")
    assert not ValidationRule.objects.exists()


def test_check_syntax_reports_the_error_with_its_line_and_column(admin_client):
    response = admin_client.post(
        NEW, form_data(check_syntax="1", formula="AND(\n  ISBLANK(Title),\n  Foo = 1\n)")
    )

    html = response.content.decode()
    assert SYNTAX_OK not in html
    assert "line 3, column 3" in html
    assert 'role="alert"' in html
    assert not ValidationRule.objects.exists()


@pytest.mark.parametrize(
    "formula",
    ["AND(ISBLANK(Title)", "ISBLANK(NoSuchField)", "NOSUCHFUNCTION(Title)", "x" * 3901],
)
def test_save_refuses_a_formula_with_a_syntax_error(admin_client, formula):
    response = admin_client.post(NEW, form_data(formula=formula))

    html = response.content.decode()
    assert response.status_code == 200
    assert control(html, "Error Condition Formula").get("aria-invalid") == "true"
    assert not ValidationRule.objects.exists()
    assert not AuditEvent.objects.filter(section="Validation Rules").exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("name", "x" * 41), ("error_message", "x" * 256), ("description", "x" * 256), ("name", "")],
)
def test_save_refuses_fields_beyond_their_limits(admin_client, field, value):
    response = admin_client.post(NEW, form_data(**{field: value}))

    assert response.status_code == 200
    assert not ValidationRule.objects.exists()


def test_two_rules_cannot_share_a_name(admin_client, rule):
    response = admin_client.post(NEW, form_data(name="Require Department"))

    assert response.status_code == 200
    assert ValidationRule.objects.count() == 1


def test_editing_shows_the_rule_and_saves_each_change_to_the_audit_trail(admin_client, rule):
    page = admin_client.get(edit_url(rule)).content.decode()
    assert control(page, "Rule Name")["value"] == "Require Department"
    assert "ISBLANK(Department)" in page

    new_formula = 'AND(ISBLANK(Department), Profile.Name <> "Chatter External User")'
    response = admin_client.post(
        edit_url(rule),
        form_data(
            name="Require Department",
            description=rule.description,
            formula=new_formula,
            error_message="Department is required.",
            error_location="Department",
        ),
    )

    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.formula, rule.active, rule.error_location) == (new_formula, True, "Department")
    changed = AuditEvent.objects.filter(
        action="validation_rule.changed", section="Validation Rules"
    )
    assert changed.count() == 3  # active, formula, error location
    formula_event = changed.get(old_value="ISBLANK(Department)")
    assert formula_event.new_value == new_formula


def test_editing_with_a_broken_formula_changes_nothing(admin_client, rule):
    response = admin_client.post(
        edit_url(rule), form_data(name=rule.name, formula="ISBLANK(Department")
    )

    assert response.status_code == 200
    rule.refresh_from_db()
    assert rule.formula == "ISBLANK(Department)"
    assert not rule.active


# --- activate and deactivate -------------------------------------------------------------


def test_activating_and_deactivating_are_posts_that_are_audited(admin_client, rule):
    assert admin_client.get(toggle_url(rule)).status_code == 405

    activated = admin_client.post(toggle_url(rule), {"active": "1"})
    rule.refresh_from_db()
    assert activated.status_code == 302
    assert rule.active

    admin_client.post(toggle_url(rule), {"active": "0"})
    rule.refresh_from_db()
    assert not rule.active
    actions = list(
        AuditEvent.objects.filter(section="Validation Rules")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["validation_rule.activated", "validation_rule.deactivated"]


def test_activating_an_active_rule_writes_nothing(admin_client, rule):
    ValidationRule.objects.filter(pk=rule.pk).update(active=True)

    admin_client.post(toggle_url(rule), {"active": "1"})

    assert not AuditEvent.objects.filter(section="Validation Rules").exists()


def test_the_action_refuses_an_unknown_error_location(admin_user):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        validation_rule_create(
            actor=admin_user,
            name="Bad",
            formula="FALSE",
            error_message="No.",
            error_location="Password",
        )

    assert "error_location" in refused.value.message_dict
    assert not ValidationRule.objects.exists()


# --- the type check ----------------------------------------------------------------------


def test_check_syntax_reports_a_type_error_with_its_position_and_highlights_it(admin_client):
    response = admin_client.post(
        NEW, form_data(check_syntax="1", formula='LEN(Department) + "x" > 0')
    )

    html = response.content.decode()
    assert "Incorrect parameter type for operator &#x27;+&#x27;" in html
    assert "line 1, column 19" in html
    assert "LEN(Department) + <mark>&quot;</mark>x&quot; &gt; 0" in html
    assert not ValidationRule.objects.exists()


def test_check_syntax_still_says_a_misspelt_field_does_not_exist(admin_client):
    response = admin_client.post(NEW, form_data(check_syntax="1", formula="ISBLANK(Departmnet)"))

    html = response.content.decode()
    assert "Field Departmnet does not exist. Check spelling." in html
    assert "ISBLANK(<mark>Departmnet</mark>)" in html


@pytest.mark.parametrize("formula", ['LEN(Department) + "x" > 0', 'UserType = "ChatterGuest"'])
def test_save_refuses_a_formula_with_a_type_error(admin_client, formula):
    response = admin_client.post(NEW, form_data(formula=formula))

    html = response.content.decode()
    assert response.status_code == 200
    assert control(html, "Error Condition Formula").get("aria-invalid") == "true"
    assert not ValidationRule.objects.exists()
    assert not AuditEvent.objects.exists()


def test_the_ispickval_form_of_the_user_type_rule_is_saved(admin_client):
    formula = 'AND(ISBLANK(Title), NOT(ISPICKVAL($User.UserType, "ChatterGuest")))'

    response = admin_client.post(NEW, form_data(formula=formula))

    assert response.status_code == 302
    assert ValidationRule.objects.get().formula == formula


def test_a_stored_rule_with_errors_is_marked_and_cannot_be_activated(admin_client):
    old = ValidationRule.objects.create(
        name="Old Style", formula='UserType = "ChatterGuest"', error_message="No."
    )

    listed = admin_client.get(RULES).content.decode()
    edited = admin_client.get(edit_url(old)).content.decode()
    response = admin_client.post(toggle_url(old), {"active": "1"}, follow=True)

    assert "This rule has errors: Field UserType is a picklist field." in listed
    assert "This rule has errors: Field UserType is a picklist field." in edited
    assert "was not activated" in response.content.decode()
    old.refresh_from_db()
    assert not old.active
    assert not AuditEvent.objects.exists()


def test_the_rule_form_saves_blank_field_handling(admin_client):
    response = admin_client.post(NEW, form_data(blank_as_zero="1"))

    assert response.status_code == 302
    assert ValidationRule.objects.get().blank_as_zero
    page = admin_client.get(edit_url(ValidationRule.objects.get())).content.decode()
    assert "checked" in control(page, "Treat blank fields as zeroes")


# --- the formula editor ------------------------------------------------------------------


def test_the_editor_lists_fields_with_types_operators_and_functions(admin_client, admin_user):
    from accounts.actions import user_field_create

    user_field_create(actor=admin_user, label="Begin Date", type="date")

    html = admin_client.get(NEW).content.decode()

    assert "Begin_Date__c (Date, Begin Date)" in option_texts(html, "Insert Field")
    assert "UserType (Picklist)" in option_texts(html, "Insert Field")
    assert "&lt;&gt; Not equal" in html
    assert "<code>ISPICKVAL(picklist_field, text_literal)</code>" in html
    assert '<script src="/static/js/formula_editor.js" defer></script>' in html
    assert "<script>" not in html


@pytest.mark.parametrize(
    ("insert", "chosen", "expected"),
    [
        ("field", {"insert_field": "Department"}, "ISBLANK(Title) Department"),
        ("operator", {"insert_operator": "&&"}, "ISBLANK(Title) &amp;&amp;"),
        ("function", {"insert_function": "ISPICKVAL"}, "ISBLANK(Title) ISPICKVAL()"),
        ("field", {"insert_field": "NoSuchField"}, "ISBLANK(Title)"),
    ],
)
def test_without_javascript_insert_appends_to_the_formula_and_saves_nothing(
    admin_client, insert, chosen, expected
):
    response = admin_client.post(NEW, form_data(insert=insert, save="", **chosen))

    assert response.status_code == 200
    assert f"{expected}</textarea>" in response.content.decode()
    assert not ValidationRule.objects.exists()
