"""The User adapter: the schema, custom fields, and rules that cannot be evaluated."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from accounts.actions import (
    user_create_internal,
    user_field_create,
    user_field_delete,
    user_update_internal,
    validation_rule_create,
    validation_rule_set_active,
    validation_rule_update,
)
from accounts.formula import FormulaTypeError
from accounts.models import Profile, User, UserField, ValidationRule
from accounts.validation import (
    USER_SCHEMA,
    ValidationRuleFailed,
    formula_parse,
    user_fields,
    user_schema,
    validation_rules_check,
)
from chatterorg.models import AuditEvent
from invitations.join.actions import support_reference_create
from invitations.models import SupportReference
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SATURDAY = dt.date(2026, 1, 31)
WEEKDAY_RULE = "CASE(MOD(Begin_Date__c - DATE(1900, 1, 7), 7), 0, 0, 6, 0, 1) = 0"


def _rule(formula: str, **fields) -> ValidationRule:
    defaults = {"name": "The Rule", "active": True, "error_message": "Not allowed."}
    defaults.update(fields)
    return ValidationRule.objects.create(formula=formula, **defaults)


@pytest.fixture
def begin_date(admin_user) -> UserField:
    return user_field_create(actor=admin_user, label="Begin Date", type="date")


@pytest.fixture
def employee_number(admin_user) -> UserField:
    return user_field_create(
        actor=admin_user, label="Employee Number", type="text", length=10, required=False
    )


def _user_with(**custom) -> User:
    return UserFactory(custom_fields=custom)


# --- the schema ------------------------------------------------------------------------


def test_the_schema_types_the_standard_fields_and_globals_as_salesforce_does():
    assert USER_SCHEMA["UserType"] == "picklist"
    assert USER_SCHEMA["IsActive"] == "checkbox"
    assert USER_SCHEMA["Username"] == "email"
    assert USER_SCHEMA["Profile.UserLicense.Name"] == "text"
    assert USER_SCHEMA["$User.UserType"] == "picklist"
    assert USER_SCHEMA["$Profile.Name"] == "text"


def test_custom_fields_join_the_schema_with_their_types(begin_date, employee_number):
    schema = user_schema()

    assert schema["Begin_Date__c"] == "date"
    assert schema["$User.Begin_Date__c"] == "date"
    assert schema["Employee_Number__c"] == "text"


def test_a_type_error_is_reported_with_its_position():
    with pytest.raises(FormulaTypeError) as error:
        formula_parse('LEN(Department) + "x" > 0')

    assert error.value.message.startswith("Incorrect parameter type for operator '+'")
    assert (error.value.line, error.value.column) == (1, 19)


def test_a_misspelt_field_is_still_reported_as_not_existing():
    with pytest.raises(Exception) as error:
        formula_parse("ISBLANK(Departmnet)")

    assert error.value.message == "Field Departmnet does not exist. Check spelling."


def test_user_type_is_a_picklist_so_it_is_compared_with_ispickval():
    with pytest.raises(FormulaTypeError):
        formula_parse('UserType = "ChatterGuest"')
    formula_parse('ISPICKVAL($User.UserType, "ChatterGuest")')


# --- custom fields in rules ------------------------------------------------------------


def test_the_engine_sees_custom_field_values_with_their_types(begin_date, employee_number):
    user = _user_with(Begin_Date__c="2026-01-20", Employee_Number__c="E-1")

    fields = user_fields(user, [begin_date, employee_number])

    assert fields["Begin_Date__c"] == dt.date(2026, 1, 20)
    assert fields["Employee_Number__c"] == "E-1"


def test_a_day_rule_on_a_custom_date_field_fires_after_the_fifteenth(begin_date):
    _rule("DAY(Begin_Date__c) > 15")

    with pytest.raises(ValidationRuleFailed):
        validation_rules_check(
            user=_user_with(Begin_Date__c="2026-01-20"), prior=None, running_user=None
        )
    validation_rules_check(
        user=_user_with(Begin_Date__c="2026-01-10"), prior=None, running_user=None
    )


@pytest.mark.parametrize(
    ("day", "fires"),
    [(SATURDAY, True), (SATURDAY + dt.timedelta(days=1), True), (dt.date(2026, 1, 28), False)],
)
def test_the_weekday_rule_fires_on_a_weekend_day(begin_date, day, fires):
    _rule(WEEKDAY_RULE)
    user = _user_with(Begin_Date__c=day.isoformat())

    if fires:
        with pytest.raises(ValidationRuleFailed):
            validation_rules_check(user=user, prior=None, running_user=None)
    else:
        validation_rules_check(user=user, prior=None, running_user=None)


def test_an_isblank_rule_on_a_custom_text_field_blocks_a_setup_edit(admin_user, employee_number):
    _rule("ISBLANK(Employee_Number__c)", error_location="Employee_Number__c")
    user = UserFactory()

    with pytest.raises(ValidationRuleFailed) as refused:
        user_update_internal(actor=admin_user, user=user, title="Engineer")

    assert refused.value.message_dict == {"Employee_Number__c": ["Not allowed."]}
    user.refresh_from_db()
    assert user.title == "" and user.custom_fields == {}

    user_update_internal(actor=admin_user, user=user, custom_fields={"Employee_Number__c": "E-7"})
    user.refresh_from_db()
    assert user.custom_fields["Employee_Number__c"] == "E-7"
    assert AuditEvent.objects.filter(action="user.changed", new_value="E-7").exists()


def test_blank_as_zero_reads_a_blank_custom_number_as_zero(admin_user):
    user_field_create(actor=admin_user, label="Score", type="number", precision=3)
    blanks = _rule("Score__c < 1", name="Blanks")
    user = UserFactory()

    validation_rules_check(user=user, prior=None, running_user=None)  # null < 1 is null
    ValidationRule.objects.filter(pk=blanks.pk).update(blank_as_zero=True)
    with pytest.raises(ValidationRuleFailed):
        validation_rules_check(user=user, prior=None, running_user=None)


def test_a_new_user_gets_the_defaults_and_values_are_checked(admin_user):
    user_field_create(actor=admin_user, label="Level", type="picklist", picklist_values=["A", "B"])
    user_field_create(actor=admin_user, label="Badge", type="checkbox", default=True)
    profile = Profile.objects.get(name=Profile.STANDARD_USER)

    with pytest.raises(ValidationError) as refused:
        user_create_internal(
            actor=admin_user,
            username="new@acme.example",
            email="new@acme.example",
            last_name="New",
            profile=profile,
            custom_fields={"Level__c": "Z"},
        )
    assert "Level__c" in refused.value.message_dict
    assert not User.objects.filter(username="new@acme.example").exists()

    created = user_create_internal(
        actor=admin_user,
        username="new@acme.example",
        email="new@acme.example",
        last_name="New",
        profile=profile,
        custom_fields={"Level__c": "B"},
    )
    assert created.custom_fields == {"Level__c": "B", "Badge__c": True}


def test_a_number_beyond_its_length_is_refused_and_nothing_is_written(admin_user):
    user_field_create(actor=admin_user, label="Score", type="number", precision=2, scale=1)
    user = UserFactory()
    events = AuditEvent.objects.count()

    with pytest.raises(ValidationError) as refused:
        user_update_internal(
            actor=admin_user, user=user, custom_fields={"Score__c": Decimal("123")}
        )

    assert "Score__c" in refused.value.message_dict
    user.refresh_from_db()
    assert user.custom_fields == {}
    assert AuditEvent.objects.count() == events


# --- rules that cannot be evaluated ----------------------------------------------------


def test_division_by_zero_blocks_the_save_naming_the_rule_not_as_the_rule_firing():
    _rule("1 / 0 > 1", name="Divider", error_location="Department")

    with pytest.raises(ValidationRuleFailed) as refused:
        validation_rules_check(user=UserFactory(), prior=None, running_user=None)

    violation = refused.value.first
    assert violation.evaluation_error == "Division by zero"
    assert violation.message == "Validation rule Divider could not be evaluated: Division by zero"
    assert violation.field is None
    assert refused.value.messages == [violation.message]


def test_a_stored_rule_that_no_longer_parses_blocks_the_save_as_an_evaluation_error():
    _rule("ISBLANK(Gone__c)", name="Orphan")

    with pytest.raises(ValidationRuleFailed) as refused:
        validation_rules_check(user=UserFactory(), prior=None, running_user=None)

    assert refused.value.first.evaluation_error is not None
    assert "Orphan could not be evaluated" in refused.value.first.message


def test_a_stored_rule_with_a_type_error_keeps_running():
    _rule('UserType = "Standard"', name="Old Style")

    with pytest.raises(ValidationRuleFailed) as refused:
        validation_rules_check(user=UserFactory(), prior=None, running_user=None)

    assert refused.value.first.evaluation_error is None
    assert refused.value.first.message == "Not allowed."


def test_an_evaluation_error_at_sign_up_is_recorded_as_its_own_kind():
    rule = _rule("1 / 0 > 1", name="Divider")
    with pytest.raises(ValidationRuleFailed) as refused:
        validation_rules_check(user=UserFactory(), prior=None, running_user=None)

    reference = support_reference_create(
        invitation_id=None, submitted={}, violation=refused.value.first
    )

    assert reference.kind == SupportReference.Kind.EVALUATION_ERROR
    assert (reference.rule, reference.rule_name) == (rule, "Divider")
    assert "could not be evaluated" in reference.rule_message


# --- rule actions ----------------------------------------------------------------------


def test_saving_a_rule_with_a_type_error_is_refused_and_writes_nothing(admin_user):
    with pytest.raises(ValidationError) as refused:
        validation_rule_create(
            actor=admin_user, name="Bad", formula='LEN(Department) + "x" > 0', error_message="No."
        )

    assert "line 1, column 19" in refused.value.message_dict["formula"][0]
    assert not ValidationRule.objects.exists()
    assert not AuditEvent.objects.exists()


def test_activating_a_rule_with_errors_is_refused_and_writes_nothing(admin_user):
    rule = _rule('UserType = "Standard"', active=False)

    with pytest.raises(ValidationError) as refused:
        validation_rule_set_active(actor=admin_user, rule=rule, active=True)

    assert refused.value.messages[0].startswith(
        "This rule has errors: Field UserType is a picklist"
    )
    rule.refresh_from_db()
    assert not rule.active
    assert not AuditEvent.objects.exists()


def test_a_rule_with_errors_can_still_be_deactivated(admin_user):
    rule = _rule('UserType = "Standard"')

    assert validation_rule_set_active(actor=admin_user, rule=rule, active=False)


def test_blank_field_handling_is_saved_and_audited(admin_user):
    rule = _rule("FALSE", active=False)

    validation_rule_update(actor=admin_user, rule=rule, blank_as_zero=True)

    rule.refresh_from_db()
    assert rule.blank_as_zero
    assert AuditEvent.objects.get().display.startswith('Changed "Treat blank fields as zeroes"')


# --- custom field actions --------------------------------------------------------------


def test_a_field_name_is_derived_from_the_label(admin_user):
    field = user_field_create(actor=admin_user, label="Begin Date (first day)", type="date")

    assert field.api_name == "Begin_Date_first_day__c"
    assert AuditEvent.objects.get(action="user_field.created").new_value == field.api_name


@pytest.mark.parametrize(
    ("arguments", "error_field"),
    [
        ({"label": "Begin Date", "type": "date"}, "api_name"),  # taken
        ({"label": "begin date", "type": "date"}, "api_name"),  # taken, ignoring case
        ({"label": "X", "type": "text"}, "length"),
        ({"label": "X", "type": "text", "length": 300}, "length"),
        ({"label": "X", "type": "number", "precision": 18, "scale": 2}, "scale"),
        ({"label": "X", "type": "picklist"}, "picklist_values"),
        ({"label": "X", "type": "picklist", "picklist_values": ["a", "A"]}, "picklist_values"),
        ({"label": "X", "type": "picklist", "picklist_values": ["a"], "default": "b"}, "default"),
        ({"label": "X", "type": "date", "default": "31/01/2026"}, "default"),
        ({"label": "X", "type": "date", "api_name": "Bad__Name"}, "api_name"),
        ({"label": "X", "type": "formula"}, "type"),
        ({"label": "", "type": "date"}, "label"),
    ],
)
def test_a_field_definition_that_does_not_fit_is_refused_and_nothing_written(
    admin_user, begin_date, arguments, error_field
):
    before = (UserField.objects.count(), AuditEvent.objects.count())

    with pytest.raises(ValidationError) as refused:
        user_field_create(actor=admin_user, **arguments)

    assert error_field in refused.value.message_dict
    assert (UserField.objects.count(), AuditEvent.objects.count()) == before


def test_deleting_a_field_a_rule_reads_is_refused_with_the_rule_named(admin_user, begin_date):
    _rule("DAY($User.Begin_Date__c) > 15", name="Late Starters")
    events = AuditEvent.objects.count()

    with pytest.raises(ValidationError) as refused:
        user_field_delete(actor=admin_user, field=begin_date)

    assert '"Late Starters"' in refused.value.messages[0]
    assert UserField.objects.filter(pk=begin_date.pk).exists()
    assert AuditEvent.objects.count() == events


def test_deleting_a_field_removes_its_values(admin_user, begin_date):
    user = _user_with(Begin_Date__c="2026-01-20", Other="kept")
    _rule('ISBLANK(Title) && CONTAINS("Begin_Date__c", "x")', name="Mentions In Text")

    user_field_delete(actor=admin_user, field=begin_date)

    user.refresh_from_db()
    assert user.custom_fields == {"Other": "kept"}
    assert not UserField.objects.exists()
    assert AuditEvent.objects.filter(action="user_field.deleted").count() == 1
