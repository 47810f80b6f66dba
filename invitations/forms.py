"""The Invite People form."""

from __future__ import annotations

from django import forms

from invitations.actions import MAX_MESSAGE_LENGTH
from invitations.addresses import MAX_ADDRESS_LENGTH, MAX_ADDRESSES, addresses_parse


class InviteForm(forms.Form):
    addresses = forms.CharField(
        label="Email addresses",
        # Room for the maximum number of the longest addresses with separators and names.
        max_length=MAX_ADDRESSES * (MAX_ADDRESS_LENGTH + 80),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Separate addresses with commas. You can invite up to 100 people at a time.",
    )
    message = forms.CharField(
        label="Message (optional)",
        required=False,
        max_length=MAX_MESSAGE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": MAX_MESSAGE_LENGTH}),
    )

    def clean_addresses(self) -> list[str]:
        return addresses_parse(self.cleaned_data["addresses"])
