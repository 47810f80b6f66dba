"""Forms of Setup › Manage Users: users, profiles and permission sets.

The forms only check input shape; the actions in ``accounts.actions`` hold the
rules. ``action_errors_add`` puts an action's refusal on the form, each message
at its field or at the top of the page.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import validate_email
from django.db import models

from accounts.models import PermissionSet, Profile, User
from accounts.permissions import Perm
from accounts.validation import ValidationRuleFailed
from chatterorg.actions import NoLicenceLeft

EXTERNAL_LICENCE = "Chatter External"


def _model_field(name: str, **kwargs: Any) -> forms.Field:
    """The form field Django derives from ``User.<name>`` (label, length, required)."""
    model_field = User._meta.get_field(name)
    assert isinstance(model_field, models.Field)
    field = model_field.formfield(**kwargs)
    assert field is not None
    return field


def action_errors_add(form: forms.Form, exc: Exception) -> None:
    """Show an action's refusal on ``form``: at the field it concerns, else at the top."""
    if isinstance(exc, ValidationRuleFailed):
        # Validation rules surface here: each message at its Error Location.
        for violation in exc.violations:
            field = violation.field if violation.field in form.fields else None
            form.add_error(field, violation.message)
    elif isinstance(exc, NoLicenceLeft):
        form.add_error(
            None,
            f"No {exc.licence_name} licences are left. Deactivate a user with this licence "
            "or choose a profile with another licence.",
        )
    elif isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                target = field if field in form.fields and field != NON_FIELD_ERRORS else None
                for error in errors:
                    form.add_error(target, error)
        else:
            form.add_error(None, exc)
    else:
        raise TypeError(f"Not an action refusal: {exc!r}") from exc


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
