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
from invitations.bulk import bulk_request_clean, bulk_rows_from_file, bulk_rows_from_text


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


class BulkInviteForm(forms.Form):
    """A CSV file or a pasted list, a default message and the expiry, for the dry run."""

    file = forms.FileField(
        label="CSV file",
        required=False,
        help_text=(
            'Columns: "email", and optionally "first name", "last name" and "message". '
            "Up to 1,000 rows and 1 MB; UTF-8 or Windows-1252."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    addresses = forms.CharField(
        label="Or paste email addresses",
        required=False,
        # 1,000 of the longest addresses with separators.
        max_length=1000 * (MAX_ADDRESS_LENGTH + 2),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    message = forms.CharField(
        label="Message (optional)",
        required=False,
        max_length=MAX_MESSAGE_LENGTH,
        help_text="For rows of the file without a message of their own.",
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": MAX_MESSAGE_LENGTH}),
    )
    expiry_days = forms.IntegerField(
        label="Invitation expires after (days)", min_value=1, required=False
    )

    def __init__(self, *args: Any, org: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit = org.invitation_expiry_days
        field = self.fields["expiry_days"]
        field.validators.append(MaxValueValidator(limit))
        field.initial = limit
        field.widget.attrs.update({"min": 1, "max": limit})
        field.help_text = f"From 1 day up to {limit} days (the org's limit)."

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        upload = cleaned.get("file")
        text = cleaned.get("addresses") or ""
        if upload is None and not text.strip() and "addresses" in cleaned:
            raise ValidationError("Choose a CSV file or paste email addresses.", code="required")
        if upload is not None and text.strip():
            raise ValidationError(
                "Choose a CSV file or paste email addresses, not both.", code="both"
            )
        try:
            rows = (
                bulk_rows_from_file(upload.file, size=upload.size)
                if upload is not None
                else bulk_rows_from_text(text)
            )
        except ValidationError as exc:
            self.add_error("file" if upload is not None else "addresses", exc)
            return cleaned
        if "message" in cleaned and "expiry_days" in cleaned:
            try:
                cleaned["bulk"] = bulk_request_clean(
                    rows=rows, message=cleaned["message"], expiry_days=cleaned["expiry_days"]
                )
            except ValidationError as exc:
                self.add_error(None, exc)
        return cleaned
