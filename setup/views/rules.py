"""Setup › Customize › Users › Validation Rules: list, new, edit, activate, deactivate, test.

Views stay thin: ``setup_required`` checks "Customize Application", the actions in
``accounts.actions`` do (and audit) every write. Check Syntax and Test Rule write nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.actions import (
    validation_rule_create,
    validation_rule_problem,
    validation_rule_set_active,
    validation_rule_update,
)
from accounts.formula import EvaluationContext, FormulaSyntaxError
from accounts.http import AuthenticatedRequest
from accounts.models import User, ValidationRule
from accounts.permissions import Perm
from accounts.validation import (
    formula_problem,
    user_field_definitions,
    user_fields,
    user_globals,
    user_schema,
    validation_rule_try,
)
from chatterorg.forms import form_refusal_add
from chatterorg.pagination import page_get
from setup.access import setup_required
from setup.forms import (
    FORMULA_FUNCTIONS,
    FORMULA_OPERATORS,
    RuleTestForm,
    ValidationRuleForm,
    error_location_labels,
    formula_insertion,
    schema_type_label,
    tester_initial,
)

RULES_PAGE_SIZE = 50
SYNTAX_OK = "No syntax errors in merge fields or functions."
# What the error highlight covers: the name, number or operator at the error's position.
_TOKEN = re.compile(r"\$?[\w.]+|[<>=!&|]{1,2}|\S")


@dataclass(frozen=True)
class SyntaxResult:
    """The Check Syntax answer, and the formula's line cut around the offending part."""

    ok: bool
    message: str
    before: str = ""
    offending: str = ""
    after: str = ""
    line: int = 0


@setup_required(Perm.CUSTOMIZE_APPLICATION)
@require_http_methods(["GET"])
def validation_rules(request: AuthenticatedRequest) -> HttpResponse:
    """All User validation rules, by name, with their Active flag and any errors."""
    page = page_get(
        ValidationRule.objects.order_by("name", "id"), request.GET.get("page"), RULES_PAGE_SIZE
    )
    definitions = user_field_definitions()
    schema = user_schema(definitions)
    locations = error_location_labels(definitions)
    for rule in page.object_list:
        rule.error_location_label = locations.get(rule.error_location, rule.error_location)
        rule.problem = validation_rule_problem(rule, schema=schema)
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
    try:
        validation_rule_set_active(actor=request.user, rule=rule, active=active)
    except ValidationError as exc:
        messages.error(
            request, f'Validation rule "{rule.name}" was not activated. ' + " ".join(exc.messages)
        )
        return redirect("setup:validation_rules")
    state = "active" if active else "inactive"
    messages.success(request, f'Validation rule "{rule.name}" is {state}.')
    return redirect("setup:validation_rules")


def syntax_check(formula: str, *, schema: dict[str, str]) -> SyntaxResult:
    """The "Check Syntax" answer: success text, or the error with its line and column and
    the offending part of that line, for the page to highlight."""
    problem = formula_problem(formula, schema=schema)
    if problem is None:
        return SyntaxResult(True, SYNTAX_OK)
    return _highlighted(formula, problem)


def _highlighted(formula: str, problem: FormulaSyntaxError) -> SyntaxResult:
    lines = formula.split("\n")
    index = min(max(problem.line, 1), len(lines)) - 1
    text = lines[index].rstrip("\r")
    column = min(max(problem.column - 1, 0), len(text))
    match = _TOKEN.match(text, column)
    end = match.end() if match else column
    return SyntaxResult(False, str(problem), text[:column], text[column:end], text[end:], index + 1)


def _rule_form_page(request: AuthenticatedRequest, *, rule: ValidationRule | None) -> HttpResponse:
    context: dict[str, Any] = {"rule": rule}
    definitions = user_field_definitions()
    schema = user_schema(definitions)
    if request.method == "POST" and "check_syntax" in request.POST:
        # Check Syntax saves nothing and judges only the formula: the other fields
        # are shown back as typed, without "required" errors.
        form = ValidationRuleForm(initial=request.POST.dict())
        context["syntax"] = syntax_check(request.POST.get("formula", ""), schema=schema)
    elif request.method == "POST" and "insert" in request.POST:
        # The editor's Insert buttons without JavaScript: append, save nothing.
        data = request.POST.dict()
        insertion = formula_insertion(data, schema)
        formula = data.get("formula", "")
        if insertion:
            data["formula"] = f"{formula} {insertion}" if formula.strip() else insertion
        form = ValidationRuleForm(initial=data)
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
        context["problem"] = validation_rule_problem(rule, schema=schema)
    else:
        form = ValidationRuleForm()
    context["form"] = form
    context["editor"] = _editor_context(schema, definitions)
    return render(request, "setup/validation_rule_form.html", context)


def _editor_context(schema: dict[str, str], definitions: list[Any]) -> dict[str, Any]:
    """What the formula editor offers: the fields with their types, operators, functions."""
    labels = {definition.api_name: definition.label for definition in definitions}
    return {
        "fields": [
            (name, schema_type_label(kind), labels.get(name, "")) for name, kind in schema.items()
        ],
        "operators": FORMULA_OPERATORS,
        "functions": FORMULA_FUNCTIONS,
    }


# Test Rule ----------------------------------------------------------------------------


@setup_required(Perm.CUSTOMIZE_APPLICATION)
@require_http_methods(["GET", "POST"])
def validation_rule_test(request: AuthenticatedRequest, rule_id: int) -> HttpResponse:
    """Test Rule: would the rule fire for these values? Writes nothing.

    GET (with ``?user=`` a username) fills the form with that user's values; POST
    evaluates the rule against the form's values and shows every sub-expression's value.
    """
    rule = get_object_or_404(ValidationRule, pk=rule_id)
    definitions = user_field_definitions()
    schema = user_schema(definitions)
    problem = validation_rule_problem(rule, schema=schema)
    context: dict[str, Any] = {"rule": rule, "problem": problem}
    if request.method == "POST":
        form = RuleTestForm(request.POST, schema=schema, definitions=definitions)
        if form.is_valid():
            values = form.values("value")
            is_new = form.cleaned_data["is_new"]
            if form.cleaned_data["running_user_is_record"]:
                globals_ = {f"$User.{k}": v for k, v in values.items() if "." not in k}
                globals_["$Profile.Name"] = values.get("Profile.Name")
            else:
                globals_ = user_globals(request.user, definitions)
            tested = EvaluationContext(
                fields=values,
                prior={} if is_new else form.values("prior"),
                globals=globals_,
                is_new=is_new,
            )
            context["result"] = validation_rule_try(rule=rule, schema=schema, context=tested)
    else:
        username = request.GET.get("user", "").strip()
        initial: dict[str, Any] = {"user": username}
        if username:
            found = User.objects.with_username(username).select_related("profile__licence").first()
            if found is None:
                context["user_error"] = "No user has this username."
            else:
                initial.update(tester_initial(user_fields(found, definitions)))
        form = RuleTestForm(initial=initial, schema=schema, definitions=definitions)
    context["form"] = form
    return render(request, "setup/validation_rule_test.html", context)
