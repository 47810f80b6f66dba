"""Forms of the Forgot Your Password? pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from accounts.models import User


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

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password, confirm = cleaned.get("new_password"), cleaned.get("new_password_confirm")
        if password and confirm and password != confirm:
            self.add_error("new_password_confirm", "The passwords don't match.")
        if password:
            try:
                validate_password(password, self.user)
            except ValidationError as exc:
                self.add_error("new_password", exc)
        return cleaned
