"""`manage.py seed_demo` builds the demo org, and running it again changes nothing."""

from __future__ import annotations

import io

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command

from accounts.models import PermissionSet, Profile, User
from accounts.permissions import Perm, user_has_perm
from chatterorg.models import AuditEvent, Licence, Organization

pytestmark = pytest.mark.django_db

DEMO_PASSWORD = "Demo-Password-For-Tests-1"


def seed(monkeypatch) -> None:
    monkeypatch.setenv("DEMO_PASSWORD", DEMO_PASSWORD)
    call_command("seed_demo", stdout=io.StringIO())


def snapshot() -> dict[str, object]:
    """Row counts of every model, the licence counts and the whole audit trail."""
    counts: dict[str, object] = {
        model._meta.label: model._default_manager.count() for model in apps.get_models()
    }
    counts["licences"] = list(Licence.objects.values_list("name", "used").order_by("name"))
    counts["audit"] = list(AuditEvent.objects.values_list("action", "display").order_by("id"))
    counts["org"] = list(Organization.objects.values())
    return counts


def test_seed_demo_twice_changes_nothing(monkeypatch):
    seed(monkeypatch)
    first = snapshot()

    seed(monkeypatch)

    assert snapshot() == first


def test_seed_demo_creates_the_demo_users_with_their_profiles(monkeypatch):
    seed(monkeypatch)

    profiles = dict(User.objects.values_list("username", "profile__name"))
    assert profiles["admin@acme.example"] == Profile.SYSTEM_ADMINISTRATOR
    for name in ("morgan", "nora", "casey"):
        assert profiles[f"{name}@acme.example"] == Profile.STANDARD_USER


def test_demo_users_log_in_with_the_demo_password(monkeypatch):
    seed(monkeypatch)

    assert authenticate(username="morgan@acme.example", password=DEMO_PASSWORD) is not None


def test_only_morgan_may_invite_customers(monkeypatch):
    seed(monkeypatch)

    inviters = PermissionSet.objects.get(api_name="Chatter_Customer_Inviters")
    assert inviters.label == "Chatter Customer Inviters"
    assert inviters.permissions == [Perm.INVITE_CUSTOMERS.value]
    may_invite = {
        user.username for user in User.objects.all() if user_has_perm(user, Perm.INVITE_CUSTOMERS)
    }
    assert may_invite == {"admin@acme.example", "morgan@acme.example"}


def test_demo_org_starts_with_customer_invitations_off(monkeypatch):
    seed(monkeypatch)

    assert Organization.objects.get(pk=1).allow_customer_invitations is False


def test_seed_demo_counts_the_demo_users_licences(monkeypatch):
    seed(monkeypatch)

    salesforce = Licence.objects.get(name="Salesforce")
    active_internal = User.objects.filter(
        is_active=True, profile__licence__name="Salesforce"
    ).count()
    assert salesforce.used == active_internal >= 4
