"""Forms of the API's Setup pages: App Manager, Network Access, Session Settings.

Kept apart from ``setup.forms`` (past 500 lines). As there, the forms check
input shape only; ``accounts.oauth`` holds the rules.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms

from accounts.models import ConnectedApp, User
from accounts.oauth import SESSION_TIMEOUT_CHOICES
from chatterorg.models import Organization


class ConnectedAppForm(forms.ModelForm[ConnectedApp]):
    """App Manager › New Connected App."""

    class Meta:
        model = ConnectedApp
        fields = [
            "name",
            "contact_email",
            "oauth_enabled",
            "callback_url",
            "client_credentials_enabled",
            "run_as",
        ]
        help_texts = {
            "callback_url": "Where the OAuth flows return, e.g. https://app.example.com/callback.",
            "client_credentials_enabled": "The app logs in as its run-as user, with its consumer "
            "key and secret only.",
            "run_as": "An active user with API Enabled.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        run_as = cast(forms.ModelChoiceField, self.fields["run_as"])
        run_as.queryset = User.objects.filter(is_active=True).order_by("last_name", "first_name")
        run_as.empty_label = "--None--"


class NetworkAccessForm(forms.Form):
    """Setup › Security › Network Access: the Trusted IP Ranges, one a line."""

    trusted_ip_ranges = forms.CharField(
        label="Trusted IP Ranges",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One per line: an address (198.51.100.7) or a range (203.0.113.0/24). "
        "API logins with a password from these ranges need no security token.",
    )

    def clean_trusted_ip_ranges(self) -> list[str]:
        return [line for line in self.cleaned_data["trusted_ip_ranges"].splitlines()]


class SessionSettingsForm(forms.Form):
    """Setup › Security › Session Settings: Timeout Value and the daily API request limit."""

    session_timeout_seconds = forms.TypedChoiceField(
        label="Timeout Value",
        coerce=int,
        help_text="An API session ends this long after its last use.",
    )
    api_daily_request_limit = forms.IntegerField(
        label="API Requests per 24 hours",
        min_value=1,
        max_value=100_000_000,
        help_text="Past it, API requests are refused with REQUEST_LIMIT_EXCEEDED until tomorrow.",
    )

    def __init__(self, *args: Any, org: Organization, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "session_timeout_seconds": org.session_timeout_seconds,
                "api_daily_request_limit": org.api_daily_request_limit,
            },
        )
        super().__init__(*args, **kwargs)
        choices = list(SESSION_TIMEOUT_CHOICES)
        # A value set from the environment stays choosable until it is changed.
        if org.session_timeout_seconds not in dict(choices):
            current = (org.session_timeout_seconds, f"{org.session_timeout_seconds // 60} minutes")
            choices = sorted([*choices, current])
        timeout = cast(forms.TypedChoiceField, self.fields["session_timeout_seconds"])
        timeout.choices = choices
