"""The User validation rule form, with Salesforce's labels (REFERENCE §7)."""

from __future__ import annotations

from django import forms

from accounts.formula import MAX_FORMULA_LENGTH
from accounts.models import ValidationRule
from accounts.validation import ERROR_LOCATION_FIELDS, USER_FIELDS


def error_location_choices() -> list[tuple[str, str]]:
    """ "Top of Page", then the User fields a rule's message may sit next to."""
    return [(ValidationRule.TOP_OF_PAGE, "Top of Page")] + [
        (api_name, USER_FIELDS[api_name][1]) for api_name in ERROR_LOCATION_FIELDS
    ]


def error_location_label(value: str) -> str:
    return dict(error_location_choices()).get(value, value)


class ValidationRuleForm(forms.Form):
    """The fields of a rule; the formula's syntax is checked by the action on Save."""

    name = forms.CharField(label="Rule Name", max_length=40)
    active = forms.BooleanField(label="Active", required=False)
    description = forms.CharField(
        label="Description",
        max_length=255,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    formula = forms.CharField(
        label="Error Condition Formula",
        max_length=MAX_FORMULA_LENGTH,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false", "class": "formula"}),
        help_text="If this formula is TRUE, the save is blocked and the Error Message is shown. "
        'Example: AND(ISBLANK(Department), Profile.Name <> "Chatter External User")',
    )
    error_message = forms.CharField(
        label="Error Message", max_length=255, widget=forms.Textarea(attrs={"rows": 2})
    )
    error_location = forms.ChoiceField(label="Error Location", choices=error_location_choices)

    @classmethod
    def initial_for(cls, rule: ValidationRule) -> dict[str, object]:
        return {
            "name": rule.name,
            "active": rule.active,
            "description": rule.description,
            "formula": rule.formula,
            "error_message": rule.error_message,
            "error_location": rule.error_location,
        }
