"""Forms of Setup: Chatter Settings, users, profiles, permission sets, validation rules.

The forms only check input shape; the actions hold the rules, and
``chatterorg.forms.form_refusal_add`` puts an action's refusal on the form.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator, validate_email
from django.db import models

from accounts.formula import MAX_FORMULA_LENGTH
from accounts.models import PermissionSet, Profile, User, ValidationRule
from accounts.permissions import Perm
from accounts.validation import ERROR_LOCATION_FIELDS, USER_FIELDS
from chatterorg.actions import ORG_SETTING_FIELDS
from chatterorg.models import Licence, Organization

EXTERNAL_LICENCE = Licence.Name.CHATTER_EXTERNAL


def _model_field(name: str, **kwargs: Any) -> forms.Field:
    """The form field Django derives from ``User.<name>`` (label, length, required)."""
    model_field = User._meta.get_field(name)
    assert isinstance(model_field, models.Field)
    field = model_field.formfield(**kwargs)
    assert field is not None
    return field


class UserForm(forms.Form):
    """The fields an admin edits on a user (Setup › Users › Edit)."""

    first_name = _model_field("first_name")
    last_name = _model_field("last_name")
    email = _model_field("email")
    username = _model_field(
        "username",
        validators=[validate_email],
        help_text="In the form of an email address, for example jane@acme.example.",
    )
    company_name = _model_field("company_name")
    department = _model_field("department")
    title = _model_field("title")
    profile = forms.ModelChoiceField(
        label="Profile", queryset=Profile.objects.none(), empty_label="--None--"
    )
    is_active = forms.BooleanField(label="Active", required=False, initial=True)

    def __init__(self, *args: Any, customer: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        profiles = Profile.objects.select_related("licence").order_by("name")
        field = cast(forms.ModelChoiceField, self.fields["profile"])
        if customer:
            # Customers keep the Chatter External User profile.
            field.queryset = profiles.filter(licence__name=EXTERNAL_LICENCE)
        else:
            # Customers are created only through Join Now.
            field.queryset = profiles.exclude(licence__name=EXTERNAL_LICENCE)


class UserCreateForm(UserForm):
    """Setup › Users › New User."""

    password = forms.CharField(
        label="Password",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="Optional. Without a password the user cannot log in until one is set.",
    )


def user_initial(user: User) -> dict[str, Any]:
    fields = ("first_name", "last_name", "email", "username", "company_name", "department")
    initial = {name: getattr(user, name) for name in (*fields, "title", "is_active")}
    initial["profile"] = user.profile_id
    return initial


class PermissionsForm(forms.Form):
    """The permissions of a profile or permission set, one labelled checkbox each."""

    permissions = forms.MultipleChoiceField(
        label="Permissions",
        choices=Perm.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class PermissionSetEditForm(PermissionsForm):
    """Setup › Permission Sets › Edit: label, description and permissions."""

    label = forms.CharField(label="Label", max_length=80)
    description = forms.CharField(
        label="Description", max_length=255, required=False, widget=forms.Textarea
    )
    field_order = ["label", "description", "permissions"]


class PermissionSetCreateForm(PermissionSetEditForm):
    """Setup › Permission Sets › New."""

    api_name = forms.CharField(
        label="API Name",
        max_length=80,
        help_text="Letters, digits and single underscores, starting with a letter.",
    )
    field_order = ["label", "api_name", "description", "permissions"]


class PermissionSetAssignForm(forms.Form):
    """The "Assign" select on a user's detail page: the sets not yet assigned."""

    permission_set = forms.ModelChoiceField(
        label="Permission Set", queryset=PermissionSet.objects.all(), empty_label="--None--"
    )

    def __init__(self, *args: Any, assigned: Iterable[PermissionSet] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["permission_set"])
        field.queryset = PermissionSet.objects.exclude(pk__in=[s.pk for s in assigned]).order_by(
            "label"
        )


# Chatter Settings ----------------------------------------------------------


class ChatterSettingsForm(forms.ModelForm):
    """Setup › Customize › Chatter › Settings; saved through ``org_settings_update``."""

    class Meta:
        model = Organization
        fields = ORG_SETTING_FIELDS
        help_texts = {
            "allow_customer_invitations": (
                "Group owners and managers with “Invite Customers To Chatter” may invite "
                "people outside the company to private groups that allow customers."
            ),
            "allow_coworker_invitations": (
                "Users may invite coworkers with an email address in the company's domains."
            ),
            "enable_unlisted_groups": "Groups that only members and invited people can find.",
            "show_validation_errors_to_customers": (
                "When a validation rule blocks a customer's sign-up, show the rule's error "
                "message instead of the generic server problem page."
            ),
            "invitation_expiry_days": "Days until an invitation link stops working (1–365).",
            "invitations_per_day": "How many customer invitations one user may send per day.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The browser's hints follow the model's validators (the field itself says min 0).
        for name in ("invitation_expiry_days", "invitations_per_day"):
            model_field = Organization._meta.get_field(name)
            assert isinstance(model_field, models.Field)
            for validator in model_field.validators:
                if isinstance(validator, MinValueValidator | MaxValueValidator):
                    key = "min" if isinstance(validator, MinValueValidator) else "max"
                    self.fields[name].widget.attrs[key] = validator.limit_value


# Validation rules ----------------------------------------------------------


def error_location_choices() -> list[tuple[str, str]]:
    """ "Top of Page", then the User fields a rule's message may sit next to."""
    return [(ValidationRule.TOP_OF_PAGE, "Top of Page")] + [
        (api_name, USER_FIELDS[api_name][1]) for api_name in ERROR_LOCATION_FIELDS
    ]


def error_location_label(value: str) -> str:
    return dict(error_location_choices()).get(value, value)


class ValidationRuleForm(forms.Form):
    """The fields of a rule; the formula's syntax is checked by the action on Save."""

    name = forms.CharField(label="Rule Name", max_length=40)
    active = forms.BooleanField(label="Active", required=False)
    description = forms.CharField(
        label="Description",
        max_length=255,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    formula = forms.CharField(
        label="Error Condition Formula",
        max_length=MAX_FORMULA_LENGTH,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false", "class": "formula"}),
        help_text="If this formula is TRUE, the save is blocked and the Error Message is shown. "
        'Example: AND(ISBLANK(Department), Profile.Name <> "Chatter External User")',
    )
    error_message = forms.CharField(
        label="Error Message", max_length=255, widget=forms.Textarea(attrs={"rows": 2})
    )
    error_location = forms.ChoiceField(label="Error Location", choices=error_location_choices)

    @classmethod
    def initial_for(cls, rule: ValidationRule) -> dict[str, object]:
        return {
            "name": rule.name,
            "active": rule.active,
            "description": rule.description,
            "formula": rule.formula,
            "error_message": rule.error_message,
            "error_location": rule.error_location,
        }
