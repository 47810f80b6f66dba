"""Forms of the org's Setup pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Field

from chatterorg.actions import ORG_SETTING_FIELDS
from chatterorg.models import Organization


class ChatterSettingsForm(forms.ModelForm):
    """Setup › Customize › Chatter › Settings; saved through ``org_settings_update``."""

    class Meta:
        model = Organization
        fields = ORG_SETTING_FIELDS
        help_texts = {
            "allow_customer_invitations": (
                "Group owners and managers with “Invite Customers To Chatter” may invite "
                "people outside the company to private groups that allow customers."
            ),
            "allow_coworker_invitations": (
                "Users may invite coworkers with an email address in the company's domains."
            ),
            "enable_unlisted_groups": "Groups that only members and invited people can find.",
            "show_validation_errors_to_customers": (
                "When a validation rule blocks a customer's sign-up, show the rule's error "
                "message instead of the generic server problem page."
            ),
            "invitation_expiry_days": "Days until an invitation link stops working (1–365).",
            "invitations_per_day": "How many customer invitations one user may send per day.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The browser's hints follow the model's validators (the field itself says min 0).
        for name in ("invitation_expiry_days", "invitations_per_day"):
            model_field = Organization._meta.get_field(name)
            assert isinstance(model_field, Field)
            for validator in model_field.validators:
                if isinstance(validator, MinValueValidator | MaxValueValidator):
                    key = "min" if isinstance(validator, MinValueValidator) else "max"
                    self.fields[name].widget.attrs[key] = validator.limit_value
