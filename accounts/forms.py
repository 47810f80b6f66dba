"""Forms of the login and Forgot Your Password? pages, with Salesforce's labels."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from accounts.throttle import (
    TOO_MANY_FAILURES,
    client_address,
    login_attempt_begin,
    login_attempt_failed,
    login_attempt_succeeded,
)


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

    # Set when the attempt was refused by the throttle, for the view's status code.
    throttled = False

    def clean(self) -> dict[str, Any]:
        """Authenticate, counting the attempt first (``accounts.throttle``).

        A refused attempt never reaches the password check, so the answer is
        the same for a right or wrong password and for any username.
        """
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is None or not password:
            return super().clean()
        address = client_address(self.request)
        if not login_attempt_begin(username=username, address=address):
            self.throttled = True
            raise ValidationError(TOO_MANY_FAILURES, code="throttled")
        try:
            cleaned = super().clean()
        except ValidationError:
            login_attempt_failed(username=username, address=address)
            raise
        login_attempt_succeeded(username=username, address=address)
        return cleaned


class PasswordForgotForm(forms.Form):
    username = forms.CharField(
        label="Username",
        max_length=80,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )


class UsernameForgotForm(forms.Form):
    email = forms.EmailField(
        label="Email",
        max_length=240,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
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
