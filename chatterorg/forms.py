"""The one way an action's refusal is shown on a form."""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from chatterorg.actions import NoLicenceLeft


def form_refusal_add(form: forms.BaseForm, exc: ValidationError | NoLicenceLeft) -> None:
    """Show an action's refusal on ``form``: each message at its field, else at the top.

    A ``ValidationError`` with a field the form does not show (or none) goes to
    the top of the page; validation rule failures are ``ValidationError``s keyed
    by their Error Location, so they land there too.
    """
    if isinstance(exc, NoLicenceLeft):
        form.add_error(
            None,
            f"No {exc.licence_name} licenses are left. Deactivate a user with this license "
            "or choose a profile with another license.",
        )
        return
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        target = field if field in form.fields and field != NON_FIELD_ERRORS else None
        for error in errors:
            form.add_error(target, error)
