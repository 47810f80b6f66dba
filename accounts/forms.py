"""Forms of the login and Forgot Your Password? pages, with Salesforce's labels."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm


class LoginForm(AuthenticationForm):
    """Salesforce's login labels; one error for any wrong username or password."""

    username = forms.CharField(
        label="Username",
        max_length=80,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid_login": (
            "Please check your username and password. If you still can't log in, "
            "contact your Salesforce administrator."
        ),
        "inactive": (
            "Please check your username and password. If you still can't log in, "
            "contact your Salesforce administrator."
        ),
    }


class PasswordForgotForm(forms.Form):
    username = forms.CharField(
        label="Username",
        max_length=80,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )


class SecurityAnswerForm(forms.Form):
    answer = forms.CharField(
        label="Answer",
        max_length=255,
        strip=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}),
    )


class NewPasswordForm(forms.Form):
    new_password = forms.CharField(
        label="New Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "autofocus": True}),
        help_text="At least 12 characters, not a common password, and not like your name, "
        "company, username or email.",
    )
    new_password_confirm = forms.CharField(
        label="Confirm New Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password, confirm = cleaned.get("new_password"), cleaned.get("new_password_confirm")
        if password and confirm and password != confirm:
            self.add_error("new_password_confirm", "The passwords don't match.")
        return cleaned
