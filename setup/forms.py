"""Forms of Setup: Chatter Settings, users, profiles, permission sets, validation rules.

The forms only check input shape; the actions hold the rules, and
``chatterorg.forms.form_refusal_add`` puts an action's refusal on the form.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator, validate_email
from django.db import models

from accounts.formula import MAX_FORMULA_LENGTH
from accounts.models import PermissionSet, Profile, User, UserField, ValidationRule
from accounts.permissions import Perm
from accounts.validation import (
    ERROR_LOCATION_FIELDS,
    USER_FIELDS,
    custom_value_from_json,
    user_field_definitions,
)
from chatterorg.actions import ORG_SETTING_FIELDS
from chatterorg.models import Licence, Organization

EXTERNAL_LICENCE = Licence.Name.CHATTER_EXTERNAL


def _model_field(name: str, **kwargs: Any) -> forms.Field:
    """The form field Django derives from ``User.<name>`` (label, length, required)."""
    model_field = User._meta.get_field(name)
    assert isinstance(model_field, models.Field)
    field = model_field.formfield(**kwargs)
    assert field is not None
    return field


class UserForm(forms.Form):
    """The fields an admin edits on a user (Setup › Users › Edit)."""

    first_name = _model_field("first_name")
    last_name = _model_field("last_name")
    email = _model_field("email")
    username = _model_field(
        "username",
        validators=[validate_email],
        help_text="In the form of an email address, for example jane@acme.example.",
    )
    company_name = _model_field("company_name")
    department = _model_field("department")
    title = _model_field("title")
    profile = forms.ModelChoiceField(
        label="Profile", queryset=Profile.objects.none(), empty_label="--None--"
    )
    is_active = forms.BooleanField(label="Active", required=False, initial=True)

    def __init__(self, *args: Any, customer: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.custom_definitions = custom_fields_add(self)
        profiles = Profile.objects.select_related("licence").order_by("name")
        field = cast(forms.ModelChoiceField, self.fields["profile"])
        if customer:
            # Customers keep the Chatter External User profile.
            field.queryset = profiles.filter(licence__name=EXTERNAL_LICENCE)
        else:
            # Customers are created only through Join Now.
            field.queryset = profiles.exclude(licence__name=EXTERNAL_LICENCE)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        return custom_fields_collect(cleaned, self.custom_definitions)

    @property
    def custom_bound_fields(self) -> list[forms.BoundField]:
        return [self[definition.api_name] for definition in self.custom_definitions]


class UserCreateForm(UserForm):
    """Setup › Users › New User."""

    password = forms.CharField(
        label="Password",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="Optional. Without a password the user cannot log in until one is set.",
    )


def user_initial(user: User) -> dict[str, Any]:
    fields = ("first_name", "last_name", "email", "username", "company_name", "department")
    initial = {name: getattr(user, name) for name in (*fields, "title", "is_active")}
    initial["profile"] = user.profile_id
    stored = user.custom_fields if isinstance(user.custom_fields, dict) else {}
    for definition in user_field_definitions():
        initial[definition.api_name] = custom_value_from_json(
            definition, stored.get(definition.api_name)
        )
    return initial


# Custom fields on User -----------------------------------------------------


def custom_field_rows(user: User) -> list[tuple[str, str]]:
    """(label, value as shown) of each custom field, for the user's detail page."""
    stored = user.custom_fields if isinstance(user.custom_fields, dict) else {}
    rows = []
    for definition in user_field_definitions():
        value = custom_value_from_json(definition, stored.get(definition.api_name))
        if isinstance(value, bool):
            shown = "Yes" if value else "No"
        else:
            shown = "" if value is None else str(value)
        rows.append((definition.label, shown))
    return rows


def custom_form_field(definition: UserField) -> forms.Field:
    """The form field that edits one custom field, by its type."""
    common: dict[str, Any] = {
        "label": definition.label,
        "help_text": definition.help_text,
        "required": definition.required,
    }
    if definition.type == UserField.Type.NUMBER:
        scale = definition.scale or 0
        return forms.DecimalField(
            max_digits=(definition.precision or UserField.MAX_PRECISION) + scale,
            decimal_places=scale,
            **common,
        )
    if definition.type == UserField.Type.CHECKBOX:
        return forms.BooleanField(**{**common, "required": False})
    if definition.type == UserField.Type.DATE:
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if definition.type == UserField.Type.PICKLIST:
        choices = [("", "--None--")] + [(value, value) for value in definition.picklist_values]
        return forms.ChoiceField(choices=choices, **common)
    return forms.CharField(max_length=definition.length or UserField.MAX_TEXT_LENGTH, **common)


def custom_fields_add(form: forms.Form) -> list[UserField]:
    """Add a field per custom field of User to ``form``, named by its API name."""
    definitions = user_field_definitions()
    for definition in definitions:
        form.fields[definition.api_name] = custom_form_field(definition)
    return definitions


def custom_fields_collect(
    cleaned: dict[str, Any], definitions: Iterable[UserField]
) -> dict[str, Any]:
    """Move the custom fields' values into ``cleaned["custom_fields"]`` for the action."""
    values = {}
    for definition in definitions:
        if definition.api_name in cleaned:
            values[definition.api_name] = cleaned.pop(definition.api_name)
    cleaned["custom_fields"] = values
    return cleaned


class UserFieldForm(forms.Form):
    """Object Manager › User › Fields & Relationships › New."""

    label = forms.CharField(label="Field Label", max_length=40)
    api_name = forms.CharField(
        label="Field Name",
        max_length=43,
        required=False,
        help_text="The API name, followed by __c. Left blank, it is made from the label.",
    )
    type = forms.ChoiceField(
        label="Data Type", choices=UserField.Type.choices, widget=forms.RadioSelect
    )
    description = forms.CharField(
        label="Description", max_length=255, required=False, widget=forms.Textarea({"rows": 2})
    )
    help_text = forms.CharField(label="Help Text", max_length=255, required=False)
    length = forms.IntegerField(
        label="Length",
        required=False,
        min_value=1,
        max_value=UserField.MAX_TEXT_LENGTH,
        help_text="Text: the most characters a value may have (up to 255). "
        "Number: the digits before the decimal point.",
    )
    scale = forms.IntegerField(
        label="Decimal Places",
        required=False,
        min_value=0,
        max_value=UserField.MAX_PRECISION - 1,
        help_text="Number only. Length and decimal places add up to at most 18.",
    )
    picklist_values = forms.CharField(
        label="Values",
        required=False,
        widget=forms.Textarea({"rows": 4}),
        help_text="Picklist only: one value per line, in the order shown.",
    )
    required = forms.BooleanField(
        label="Required",
        required=False,
        help_text="Always require a value in this field in order to save a user.",
    )
    default = forms.CharField(
        label="Default Value",
        required=False,
        max_length=255,
        help_text="Given to new users. Dates as YYYY-MM-DD; a checkbox default is "
        "Checked or Unchecked; a picklist default is one of its values.",
    )

    def action_arguments(self) -> dict[str, Any]:
        """``cleaned_data`` as ``user_field_create`` takes it."""
        data = dict(self.cleaned_data)
        kind = data["type"]
        values = data.pop("picklist_values") or ""
        data["picklist_values"] = values.splitlines()
        length = data.pop("length")
        if kind == UserField.Type.NUMBER:
            data["precision"] = length
        else:
            data["length"] = length
        if kind == UserField.Type.CHECKBOX:
            data["default"] = (data.get("default") or "").strip().casefold() == "checked"
        return data


def schema_type_label(kind: str) -> str:
    """A schema type as Setup shows it ("picklist" → "Picklist", "id" → "Lookup/Id")."""
    return {"id": "Id", "email": "Email", "checkbox": "Checkbox"}.get(kind, kind.title())


class PermissionsForm(forms.Form):
    """The permissions of a profile or permission set, one labelled checkbox each."""

    permissions = forms.MultipleChoiceField(
        label="Permissions",
        choices=Perm.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, allowed: Iterable[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if allowed is not None:
            # Only the permissions the profile may hold are offered (customers: API Enabled).
            field = cast(forms.MultipleChoiceField, self.fields["permissions"])
            field.choices = [(value, label) for value, label in Perm.choices() if value in allowed]


class PermissionSetEditForm(PermissionsForm):
    """Setup › Permission Sets › Edit: label, description and permissions."""

    label = forms.CharField(label="Label", max_length=80)
    description = forms.CharField(
        label="Description", max_length=255, required=False, widget=forms.Textarea
    )
    field_order = ["label", "description", "permissions"]


class PermissionSetCreateForm(PermissionSetEditForm):
    """Setup › Permission Sets › New."""

    api_name = forms.CharField(
        label="API Name",
        max_length=80,
        help_text="Letters, digits and single underscores, starting with a letter.",
    )
    field_order = ["label", "api_name", "description", "permissions"]


class PermissionSetAssignForm(forms.Form):
    """The "Assign" select on a user's detail page: the sets not yet assigned."""

    permission_set = forms.ModelChoiceField(
        label="Permission Set", queryset=PermissionSet.objects.all(), empty_label="--None--"
    )

    def __init__(self, *args: Any, assigned: Iterable[PermissionSet] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["permission_set"])
        field.queryset = PermissionSet.objects.exclude(pk__in=[s.pk for s in assigned]).order_by(
            "label"
        )


# Chatter Settings ----------------------------------------------------------


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
            "invitation_reminders": (
                "Email each invitee once, a few days before their invitation expires, with a "
                "new Join Now link."
            ),
            "invitation_reminder_days": "How many days before the expiry the reminder goes out.",
            "customer_access_days": (
                "New customers lose access this many days after they sign up (their sponsor "
                "is told a week before). Empty: access does not end."
            ),
            "company_email_domains": (
                "Your company's own domains, e.g. acme.example or *.acme.example (subdomains). "
                "Addresses in them are coworkers and can never be invited as customers."
            ),
            "customer_domains": (
                "One per line or separated by commas; *.globex.example matches every "
                "subdomain of globex.example."
            ),
        }
        widgets = {
            "company_email_domains": forms.Textarea(attrs={"rows": 2}),
            "customer_domains": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The browser's hints follow the model's validators (the field itself says min 0).
        for name in ("invitation_expiry_days", "invitations_per_day", "invitation_reminder_days"):
            model_field = Organization._meta.get_field(name)
            assert isinstance(model_field, models.Field)
            for validator in model_field.validators:
                if isinstance(validator, MinValueValidator | MaxValueValidator):
                    key = "min" if isinstance(validator, MinValueValidator) else "max"
                    self.fields[name].widget.attrs[key] = validator.limit_value


# Validation rules ----------------------------------------------------------


def error_location_choices(definitions: Iterable[UserField] | None = None) -> list[tuple[str, str]]:
    """ "Top of Page", then the User fields a rule's message may sit next to."""
    custom = user_field_definitions() if definitions is None else definitions
    return (
        [(ValidationRule.TOP_OF_PAGE, "Top of Page")]
        + [(api_name, USER_FIELDS[api_name][1]) for api_name in ERROR_LOCATION_FIELDS]
        + [(field.api_name, field.label) for field in custom]
    )


def error_location_labels(definitions: Iterable[UserField]) -> dict[str, str]:
    """Error Location value → label, for listing many rules with one read of the fields."""
    return dict(error_location_choices(definitions))


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
    blank_as_zero = forms.ChoiceField(
        label="Blank Field Handling",
        choices=[("0", "Treat blank fields as blanks"), ("1", "Treat blank fields as zeroes")],
        initial="0",
        required=False,
        widget=forms.RadioSelect,
        help_text="How a blank Number field reads in the formula: as blank (null) or as 0.",
    )

    def clean_blank_as_zero(self) -> bool:
        return self.cleaned_data.get("blank_as_zero") == "1"

    @classmethod
    def initial_for(cls, rule: ValidationRule) -> dict[str, object]:
        return {
            "name": rule.name,
            "active": rule.active,
            "description": rule.description,
            "formula": rule.formula,
            "error_message": rule.error_message,
            "error_location": rule.error_location,
            "blank_as_zero": "1" if rule.blank_as_zero else "0",
        }


# The rule tester -----------------------------------------------------------


class RuleTestForm(forms.Form):
    """Test Rule: a user's field values (loaded or typed), prior values, and options.

    Each field of the User schema gets a ``value__…`` and a ``prior__…`` input typed by
    the schema, so what is typed reaches the formula as a value of the field's type.
    """

    user = forms.CharField(
        label="User",
        required=False,
        help_text="A username; Load fills in that user's values.",
    )
    is_new = forms.BooleanField(
        label="New record", required=False, help_text="ISNEW() is TRUE; prior values are unused."
    )
    running_user_is_record = forms.BooleanField(
        label="Run as this user",
        required=False,
        help_text="$User and $Profile read the values below, as in a Join Now sign-up. "
        "Otherwise they are you.",
    )

    def __init__(
        self, *args: Any, schema: dict[str, str], definitions: Iterable[UserField], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        choices = _picklist_choices(definitions)
        self.rows: list[tuple[str, str, str, str]] = []
        for api_name, kind in schema.items():
            if api_name.startswith("$"):
                continue
            key = api_name.replace(".", "_")
            value_name, prior_name = f"value__{key}", f"prior__{key}"
            self.fields[value_name] = _tester_field(api_name, kind, choices)
            self.fields[prior_name] = _tester_field(api_name, kind, choices)
            self.rows.append((api_name, kind, value_name, prior_name))

    def values(self, which: str) -> dict[str, Any]:
        """The typed values of ``which`` ("value" or "prior"), by API name."""
        index = 2 if which == "value" else 3
        found = {}
        for row in self.rows:
            value = self.cleaned_data.get(row[index])
            found[row[0]] = None if value == "" else value
        return found

    @property
    def table(self) -> list[tuple[str, str, forms.BoundField, forms.BoundField]]:
        return [
            (api_name, schema_type_label(kind), self[value], self[prior])
            for api_name, kind, value, prior in self.rows
        ]


def tester_initial(fields: dict[str, Any]) -> dict[str, Any]:
    """Initial values of RuleTestForm from ``user_fields``: the same as value and prior."""
    initial = {}
    for api_name, value in fields.items():
        key = api_name.replace(".", "_")
        shown = value if value is not None else ""
        initial[f"value__{key}"] = initial[f"prior__{key}"] = shown
    return initial


def _picklist_choices(definitions: Iterable[UserField]) -> dict[str, list[tuple[str, str]]]:
    choices = {"UserType": list(User.UserType.choices)}
    for definition in definitions:
        if definition.type == UserField.Type.PICKLIST:
            choices[definition.api_name] = [(v, v) for v in definition.picklist_values]
    return choices


def _tester_field(
    api_name: str, kind: str, choices: dict[str, list[tuple[str, str]]]
) -> forms.Field:
    label = api_name
    if kind in ("number", "percent", "currency"):
        return forms.DecimalField(label=label, required=False)
    if kind == "checkbox":
        return forms.BooleanField(label=label, required=False)
    if kind == "date":
        return forms.DateField(
            label=label, required=False, widget=forms.DateInput(attrs={"type": "date"})
        )
    if kind == "picklist" and api_name in choices:
        return forms.ChoiceField(
            label=label, required=False, choices=[("", "--None--"), *choices[api_name]]
        )
    return forms.CharField(label=label, required=False, strip=False, max_length=3900)


# The formula editor --------------------------------------------------------

#: Operators offered by Insert Operator: (text inserted, description).
FORMULA_OPERATORS: list[tuple[str, str]] = [
    ("+", "Add"),
    ("-", "Subtract"),
    ("*", "Multiply"),
    ("/", "Divide"),
    ("^", "Exponentiation"),
    ("()", "Open and close parentheses"),
    ("=", "Equal"),
    ("<>", "Not equal"),
    ("<", "Less than"),
    (">", "Greater than"),
    ("<=", "Less than or equal"),
    (">=", "Greater than or equal"),
    ("&&", "And"),
    ("||", "Or"),
    ("&", "Concatenate text"),
]

#: Functions offered by the editor: (name, signature, one-line description).
FORMULA_FUNCTIONS: list[tuple[str, str, str]] = [
    ("ABS", "ABS(number)", "The number without its sign."),
    ("ADDMONTHS", "ADDMONTHS(date, num)", "The date num months later, keeping the month's end."),
    ("AND", "AND(logical1, logical2, ...)", "TRUE if every argument is true."),
    ("BEGINS", "BEGINS(text, compare_text)", "TRUE if text begins with compare_text."),
    ("BLANKVALUE", "BLANKVALUE(expression, substitute)", "substitute if expression is blank."),
    (
        "CASE",
        "CASE(expression, value1, result1, ..., else_result)",
        "The result of the matching value.",
    ),
    ("CEILING", "CEILING(number)", "Rounds away from zero to the nearest integer."),
    ("CONTAINS", "CONTAINS(text, compare_text)", "TRUE if text contains compare_text."),
    ("DATE", "DATE(year, month, day)", "The date of a year, month and day."),
    ("DATEVALUE", "DATEVALUE(expression)", "The date of a text or datetime."),
    ("DAY", "DAY(date)", "The day of the month, 1 to 31."),
    ("FIND", "FIND(search_text, text, start_num)", "Position of search_text in text, or 0."),
    ("FLOOR", "FLOOR(number)", "Rounds towards zero to the nearest integer."),
    ("IF", "IF(logical_test, value_if_true, value_if_false)", "One of two values by a condition."),
    (
        "INCLUDES",
        "INCLUDES(multiselect_picklist_field, text_literal)",
        "TRUE if the value is selected.",
    ),
    ("ISBLANK", "ISBLANK(expression)", "TRUE if the expression has no value."),
    ("ISCHANGED", "ISCHANGED(field)", "TRUE if the field's value changed in this save."),
    ("ISCLONE", "ISCLONE()", "TRUE if the record is a clone."),
    ("ISNEW", "ISNEW()", "TRUE if the record is being created."),
    ("ISNULL", "ISNULL(expression)", "TRUE if the expression is null (text is never null)."),
    ("ISNUMBER", "ISNUMBER(text)", "TRUE if the text is a number."),
    (
        "ISPICKVAL",
        "ISPICKVAL(picklist_field, text_literal)",
        "TRUE if the picklist has that value.",
    ),
    ("LEFT", "LEFT(text, num_chars)", "The first num_chars characters."),
    ("LEN", "LEN(text)", "The number of characters."),
    ("LOWER", "LOWER(text)", "The text in lower case."),
    ("LPAD", "LPAD(text, padded_length, pad_string)", "The text padded on the left."),
    ("MAX", "MAX(number, number, ...)", "The largest number."),
    ("MID", "MID(text, start_num, num_chars)", "num_chars characters from start_num."),
    ("MIN", "MIN(number, number, ...)", "The smallest number."),
    ("MOD", "MOD(number, divisor)", "The remainder of number divided by divisor."),
    ("MONTH", "MONTH(date)", "The month, 1 to 12."),
    ("NOT", "NOT(logical)", "TRUE if the argument is false."),
    ("NOW", "NOW()", "The current date and time."),
    ("NULLVALUE", "NULLVALUE(expression, substitute)", "substitute if expression is null."),
    ("OR", "OR(logical1, logical2, ...)", "TRUE if any argument is true."),
    ("PRIORVALUE", "PRIORVALUE(field)", "The field's value before this save."),
    ("REGEX", "REGEX(text, regex_text)", "TRUE if the whole text matches the regular expression."),
    ("RIGHT", "RIGHT(text, num_chars)", "The last num_chars characters."),
    ("ROUND", "ROUND(number, num_digits)", "The number rounded to num_digits decimal places."),
    ("SUBSTITUTE", "SUBSTITUTE(text, old_text, new_text)", "The text with old_text replaced."),
    ("TEXT", "TEXT(value)", "A number, date or picklist value as text."),
    ("TODAY", "TODAY()", "The current date."),
    ("TRIM", "TRIM(text)", "The text without leading and trailing spaces."),
    ("UPPER", "UPPER(text)", "The text in upper case."),
    ("VALUE", "VALUE(text)", "The number a text holds."),
    ("WEEKDAY", "WEEKDAY(date)", "The day of the week, 1 (Sunday) to 7 (Saturday)."),
    ("YEAR", "YEAR(date)", "The four-digit year."),
]


def formula_insertion(data: Any, fields: Iterable[str]) -> str | None:
    """What an Insert button of the editor adds when JavaScript is off, or None."""
    kind = data.get("insert")
    if kind == "field":
        chosen = data.get("insert_field")
        return chosen if chosen in set(fields) else None
    if kind == "operator":
        allowed = {text for text, _ in FORMULA_OPERATORS}
        chosen = data.get("insert_operator")
        return chosen if chosen in allowed else None
    if kind == "function":
        names = {name: signature for name, signature, _ in FORMULA_FUNCTIONS}
        chosen = data.get("insert_function")
        return f"{chosen}()" if chosen in names else None
    return None
