"""The Invite People form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator

from chatterorg.models import Organization
from invitations.actions import MAX_MESSAGE_LENGTH, invite_request_clean
from invitations.addresses import (
    MAX_ADDRESS_LENGTH,
    MAX_ADDRESSES,
    addresses_partition,
    addresses_split,
)


class InviteForm(forms.Form):
    """Addresses, a message and the expiry; ``cleaned_data["invite"]`` is what
    ``invitations_send`` takes.

    When some addresses are invalid, ``valid_count`` says how many are valid, so
    the page can offer "Send to the N valid addresses" (``skip_invalid``).
    """

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
    # Empty: the org's "Invitation expiry (days)".
    expiry_days = forms.IntegerField(
        label="Invitation expires after (days)", min_value=1, required=False
    )
    skip_invalid = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, org: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.valid_count = 0
        limit = org.invitation_expiry_days
        field = self.fields["expiry_days"]
        assert isinstance(field, forms.IntegerField)
        field.max_value = limit
        field.validators.append(MaxValueValidator(limit))
        field.initial = limit
        field.widget.attrs.update({"min": 1, "max": limit})
        field.help_text = f"From 1 day up to {limit} days (the org's limit)."

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "addresses" in cleaned and "message" in cleaned and "expiry_days" in cleaned:
            text = cleaned["addresses"]
            try:
                cleaned["invite"] = invite_request_clean(
                    addresses=text,
                    message=cleaned["message"],
                    expiry_days=cleaned["expiry_days"],
                    skip_invalid=bool(cleaned.get("skip_invalid")),
                )
            except ValidationError as exc:
                self.add_error(None, exc)
                self._count_valid(text)
        return cleaned

    def _count_valid(self, text: str) -> None:
        try:
            valid, errors = addresses_partition(addresses_split(text))
        except ValidationError:
            return
        if errors and 0 < len(valid) <= MAX_ADDRESSES:
            self.valid_count = len(valid)
