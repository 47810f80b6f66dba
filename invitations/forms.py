"""The Invite People form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from invitations.actions import MAX_MESSAGE_LENGTH, invite_request_clean
from invitations.addresses import MAX_ADDRESS_LENGTH, MAX_ADDRESSES


class InviteForm(forms.Form):
    """Addresses and a message; ``cleaned_data["invite"]`` is what ``invitations_send`` takes."""

    addresses = forms.CharField(
        label="Email addresses",
        # Room for the maximum number of the longest addresses with separators and names.
        max_length=MAX_ADDRESSES * (MAX_ADDRESS_LENGTH + 80),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=(
            f"Separate addresses with commas. You can invite up to {MAX_ADDRESSES} people "
            "at a time."
        ),
    )
    message = forms.CharField(
        label="Message (optional)",
        required=False,
        max_length=MAX_MESSAGE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": MAX_MESSAGE_LENGTH}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "addresses" in cleaned and "message" in cleaned:
            try:
                cleaned["invite"] = invite_request_clean(
                    addresses=cleaned["addresses"], message=cleaned["message"]
                )
            except ValidationError as exc:
                self.add_error(None, exc)
        return cleaned
