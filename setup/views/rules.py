"""Setup › Customize › Users › Validation Rules: list, new, edit, activate, deactivate.

Views stay thin: ``setup_required`` checks "Customize Application", the actions in
``accounts.actions`` do (and audit) every write.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.actions import (
    validation_rule_create,
    validation_rule_set_active,
    validation_rule_update,
)
from accounts.formula import FormulaSyntaxError
from accounts.http import AuthenticatedRequest
from accounts.models import ValidationRule
from accounts.permissions import Perm
from accounts.validation import formula_parse
from chatterorg.forms import form_refusal_add
from chatterorg.pagination import page_get
from setup.access import setup_required
from setup.forms import ValidationRuleForm, error_location_label

RULES_PAGE_SIZE = 50
SYNTAX_OK = "No syntax errors in merge fields or functions."


@setup_required(Perm.CUSTOMIZE_APPLICATION)
@require_http_methods(["GET"])
def validation_rules(request: AuthenticatedRequest) -> HttpResponse:
    """All User validation rules, by name, with their Active flag."""
    page = page_get(
        ValidationRule.objects.order_by("name", "id"), request.GET.get("page"), RULES_PAGE_SIZE
    )
    for rule in page.object_list:
        rule.error_location_label = error_location_label(rule.error_location)
    return render(request, "setup/validation_rules.html", {"page": page})


@setup_required(Perm.CUSTOMIZE_APPLICATION)
@require_http_methods(["GET", "POST"])
def validation_rule_new(request: AuthenticatedRequest) -> HttpResponse:
    return _rule_form_page(request, rule=None)


@setup_required(Perm.CUSTOMIZE_APPLICATION)
@require_http_methods(["GET", "POST"])
def validation_rule_edit(request: AuthenticatedRequest, rule_id: int) -> HttpResponse:
    rule = get_object_or_404(ValidationRule, pk=rule_id)
    return _rule_form_page(request, rule=rule)


@setup_required(Perm.CUSTOMIZE_APPLICATION)
@require_POST
def validation_rule_toggle(request: AuthenticatedRequest, rule_id: int) -> HttpResponse:
    """Activate (``active=1``) or deactivate (``active=0``) a rule."""
    rule = get_object_or_404(ValidationRule, pk=rule_id)
    active = request.POST.get("active") == "1"
    validation_rule_set_active(actor=request.user, rule=rule, active=active)
    state = "active" if active else "inactive"
    messages.success(request, f'Validation rule "{rule.name}" is {state}.')
    return redirect("setup:validation_rules")


def syntax_check(formula: str) -> tuple[bool, str]:
    """The "Check Syntax" answer: success text, or the error with its line and column."""
    try:
        formula_parse(formula)
    except FormulaSyntaxError as exc:
        return False, str(exc)
    return True, SYNTAX_OK


def _rule_form_page(request: AuthenticatedRequest, *, rule: ValidationRule | None) -> HttpResponse:
    context: dict[str, Any] = {"rule": rule}
    if request.method == "POST" and "check_syntax" in request.POST:
        # Check Syntax saves nothing and judges only the formula: the other fields
        # are shown back as typed, without "required" errors.
        form = ValidationRuleForm(initial=request.POST.dict())
        context["syntax_ok"], context["syntax_result"] = syntax_check(
            request.POST.get("formula", "")
        )
    elif request.method == "POST":
        form = ValidationRuleForm(request.POST)
        if form.is_valid():
            actor = request.user
            try:
                if rule is None:
                    rule = validation_rule_create(actor=actor, **form.cleaned_data)
                else:
                    rule = validation_rule_update(actor=actor, rule=rule, **form.cleaned_data)
            except ValidationError as exc:
                form_refusal_add(form, exc)
            else:
                messages.success(request, f'Validation rule "{rule.name}" was saved.')
                return redirect("setup:validation_rules")
    elif rule is not None:
        form = ValidationRuleForm(initial=ValidationRuleForm.initial_for(rule))
    else:
        form = ValidationRuleForm()
    context["form"] = form
    return render(request, "setup/validation_rule_form.html", context)
