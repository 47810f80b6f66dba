"""Fixtures shared by the whole suite."""

import pytest

from chatterorg.models import Organization
from groups.models import Membership
from tests.factories import (
    AdminFactory,
    CustomerFactory,
    MembershipFactory,
    PrivateCustomerGroupFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def _caches_cleared():
    """Every test starts with empty caches: a rolled-back test leaves fragments whose
    versions (and, on SQLite, ids) the next test's database gives out again."""
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()
    yield


@pytest.fixture
def org(db) -> Organization:
    return Organization.objects.get(pk=1)


@pytest.fixture
def customers_allowed(org) -> Organization:
    org.allow_customer_invitations = True
    org.save()
    return org


@pytest.fixture
def admin_user(db):
    return AdminFactory(username="admin@acme.example", email="admin@acme.example")


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def customer_group(db):
    """A Private group with customers: an owner, a manager and a member."""
    group = PrivateCustomerGroupFactory(name="Customer Success Council")
    group.owner = MembershipFactory(group=group, role=Membership.Role.OWNER).user
    group.manager = MembershipFactory(group=group, role=Membership.Role.MANAGER).user
    group.member = MembershipFactory(group=group, role=Membership.Role.MEMBER).user
    return group


@pytest.fixture
def customer(db, customer_group):
    user = CustomerFactory()
    MembershipFactory(group=customer_group, user=user)
    return user
