"""Support references: finding one by the number a customer quotes, and the usual fix."""

from __future__ import annotations

import re

from accounts.models import Profile
from invitations.models import SupportReference

# "1234567890-12345 (1234567890)", forgiving about spaces; the bracketed part may be left out.
_NUMBER = re.compile(r"^\s*(\d{10})\s*-\s*(\d{5})\s*(?:\(\s*(\d{10})\s*\))?\s*$")


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
