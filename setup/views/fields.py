"""Setup › Object Manager › User › Fields & Relationships: the fields, New, Delete.

The standard fields are listed with their types as formulas see them; custom fields
(``UserField``) are created and deleted through ``accounts.actions``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from accounts.actions import user_field_create, user_field_delete
from accounts.http import AuthenticatedRequest
from accounts.models import UserField
from accounts.permissions import Perm
from accounts.validation import USER_FIELD_TYPES, USER_FIELDS
from chatterorg.forms import form_refusal_add
from setup.access import setup_required
from setup.forms import UserFieldForm, schema_type_label

customize_required = setup_required(Perm.CUSTOMIZE_APPLICATION)


@customize_required
@require_http_methods(["GET"])
def user_fields_list(request: AuthenticatedRequest) -> HttpResponse:
    """Every User field: the standard ones, then the custom ones with Delete."""
    standard = [
        (label, api_name, schema_type_label(USER_FIELD_TYPES[api_name]))
        for api_name, (_path, label) in USER_FIELDS.items()
    ]
    custom = list(UserField.objects.order_by("label", "id"))
    return render(request, "setup/user_fields.html", {"standard": standard, "custom": custom})


@customize_required
@require_http_methods(["GET", "POST"])
def user_field_new(request: AuthenticatedRequest) -> HttpResponse:
    if request.method == "POST":
        form = UserFieldForm(request.POST)
        if form.is_valid():
            try:
                field = user_field_create(actor=request.user, **form.action_arguments())
            except ValidationError as exc:
                form_refusal_add(form, exc)
            else:
                messages.success(request, f"Custom field {field.label} ({field.api_name}) created.")
                return redirect("setup:object_fields")
    else:
        form = UserFieldForm(initial={"type": UserField.Type.TEXT, "length": 255})
    return render(request, "setup/user_field_form.html", {"form": form})


@customize_required
@require_http_methods(["GET", "POST"])
def user_field_delete_confirm(request: AuthenticatedRequest, field_id: int) -> HttpResponse:
    """GET asks to confirm; POST deletes, unless a validation rule reads the field."""
    field = get_object_or_404(UserField, pk=field_id)
    if request.method == "POST":
        try:
            user_field_delete(actor=request.user, field=field)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("setup:object_fields")
        messages.success(request, f"Custom field {field.label} was deleted.")
        return redirect("setup:object_fields")
    return render(request, "setup/user_field_delete.html", {"field": field})
