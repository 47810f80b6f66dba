"""Reads of org-wide things."""

from chatterorg.models import Licence, Organization


def org_get() -> Organization:
    """The deployment's one org, created with defaults on first use."""
    org, _ = Organization.objects.get_or_create(pk=1)
    return org


def licence_get(name: str) -> Licence:
    return Licence.objects.get(name=name)
