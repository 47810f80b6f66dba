"""Setup › Support Reference Lookup: what went wrong behind a "problem with our server" page.

A customer who hits the seed's error page can quote only the number. Here an
admin types it and sees what failed (the rule, with a link to edit it, and a
suggested exemption for customers), when, for which invitation and group, and
what was submitted (never the password or the answer: those were not kept).
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedRequest
from accounts.models import User
from accounts.permissions import Perm
from invitations.join.support import (
    suggested_formula,
    support_number_normalise,
    support_reference_find,
)
from invitations.models import SupportReference
from setup.access import setup_required

SUBMITTED_LABELS = {
    "email": "Email",
    "first_name": "First Name",
    "last_name": "Last Name",
    "company_name": "Company Name",
    "security_question": "Security Question",
}


def submitted_rows(submitted: dict[str, str]) -> list[tuple[str, str]]:
    """(label, value) pairs of what the customer typed; question codes become their text."""
    questions = dict(User.SecurityQuestion.choices)
    rows = []
    for key, label in SUBMITTED_LABELS.items():
        if key in submitted:
            value = str(submitted[key])
            if key == "security_question":
                value = questions.get(value, value)
            rows.append((label, value))
    return rows


@setup_required(Perm.CUSTOMIZE_APPLICATION)
@require_http_methods(["GET"])
def support_lookup(request: AuthenticatedRequest) -> HttpResponse:
    """Look a support reference number up (a read: GET with ``?number=``)."""
    query = request.GET.get("number", "").strip()
    context: dict[str, object] = {"query": query}
    if query:
        if support_number_normalise(query) is None:
            context["error"] = (
                "Enter the number as it was shown, like 1346115889-13737 (1226695017)."
            )
        else:
            reference = support_reference_find(query)
            context["reference"] = reference
            if reference is None:
                context["error"] = "No support reference has this number."
            else:
                context["submitted"] = submitted_rows(reference.submitted)
                if reference.kind == SupportReference.Kind.VALIDATION_RULE:
                    context["suggested_formula"] = suggested_formula(reference.rule_formula)
    return render(request, "setup/support_lookup.html", context)
