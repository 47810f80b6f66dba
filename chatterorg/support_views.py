"""Setup › Support Reference Lookup: what went wrong behind a "problem with our server" page.

A customer who hits the seed's error page can quote only the number. Here an
admin types it and sees what failed (the rule, with a link to edit it, and a
suggested exemption for customers), when, for which invitation and group, and
what was submitted (never the password or the answer: those were not kept).
"""

from __future__ import annotations

import re

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from accounts.models import Profile, User
from accounts.permissions import Perm
from chatterorg.models import SupportReference
from chatterorg.setup_views import setup_required

# "1234567890-12345 (1234567890)", forgiving about spaces; the bracketed part may be left out.
_NUMBER = re.compile(r"^\s*(\d{10})\s*-\s*(\d{5})\s*(?:\(\s*(\d{10})\s*\))?\s*$")
SUBMITTED_LABELS = {
    "email": "Email",
    "first_name": "First Name",
    "last_name": "Last Name",
    "company_name": "Company Name",
    "security_question": "Security Question",
}


def support_number_normalise(text: str) -> tuple[str, bool] | None:
    """The canonical number (or its first part) and whether it is complete; None if malformed."""
    match = _NUMBER.match(text)
    if match is None:
        return None
    first, second, third = match.groups()
    if third is None:
        return f"{first}-{second} (", False
    return f"{first}-{second} ({third})", True


def support_reference_find(text: str) -> SupportReference | None:
    normalised = support_number_normalise(text)
    if normalised is None:
        return None
    number, complete = normalised
    references = SupportReference.objects.select_related(
        "rule", "invitation__inviter", "invitation__accepted_user", "group"
    )
    if complete:
        return references.filter(number=number).first()
    return references.filter(number__startswith=number).first()


def suggested_formula(formula: str) -> str:
    """The usual fix: keep the rule for everyone but customers signing up."""
    return f'AND({formula}, Profile.Name <> "{Profile.CHATTER_EXTERNAL_USER}")'


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
def support_lookup(request: HttpRequest) -> HttpResponse:
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
