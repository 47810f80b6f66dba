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
