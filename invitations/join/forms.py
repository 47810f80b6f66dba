"""The Join Now sign-up form, with Salesforce's labels (REFERENCE §6)."""

from __future__ import annotations

from typing import Any

from django import forms

from accounts.models import User
from invitations.models import Invitation


class JoinForm(forms.Form):
    """What every Join Now sign-up asks: names and the password twice.

    The email is shown from the invitation and is not editable: the field is
    disabled, so Django ignores any email in the POST and keeps the invitation's.
    The form checks the shape of the input; the sign-up action holds the rules
    (passwords that match and pass the validators).
    """

    first_name = forms.CharField(
        label="First Name",
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "given-name", "autofocus": True}),
    )
    last_name = forms.CharField(
        label="Last Name",
        max_length=80,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    email = forms.EmailField(
        label="Email",
        required=False,
        disabled=True,
        widget=forms.EmailInput(attrs={"readonly": True}),
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 12 characters, not a common password, and not like your name, "
        "company or email.",
    )
    password_confirm = forms.CharField(
        label="Confirm Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, invitation: Invitation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.invitation = invitation
        self.fields["email"].initial = invitation.email
        self.fields["first_name"].initial = invitation.first_name
        self.fields["last_name"].initial = invitation.last_name


class SignupForm(JoinForm):
    """A customer's sign-up: the shared fields, Company Name, a security question and
    its answer (``customer_signup`` also checks the answer)."""

    field_order = [
        "first_name",
        "last_name",
        "company_name",
        "email",
        "password",
        "password_confirm",
        "security_question",
        "answer",
    ]

    company_name = forms.CharField(
        label="Company Name",
        max_length=80,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    security_question = forms.ChoiceField(
        label="Security Question",
        choices=[("", "--Select a question--"), *User.SecurityQuestion.choices],
    )
    answer = forms.CharField(
        label="Answer",
        max_length=255,
        strip=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text="Used only to confirm it's you when you reset your password. "
        "Case and spacing don't matter.",
    )
