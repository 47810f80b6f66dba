"""Fixtures for the invitation tests: the demo's cast in Customer Success Council."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.tasks import task_backends

from accounts.permissions import Perm
from groups.models import Group, Membership
from tests.factories import MembershipFactory, PrivateCustomerGroupFactory, UserFactory


@pytest.fixture
def council(db, customers_allowed) -> Group:
    """Customer Success Council, with invitations allowed in the org.

    morgan: Owner with "Invite Customers To Chatter"; nora: Manager without it;
    casey: Member with it (so only the role is missing).
    """
    group = PrivateCustomerGroupFactory(name="Customer Success Council")
    group.morgan = UserFactory(
        first_name="Morgan",
        last_name="Lee",
        username="morgan@acme.example",
        email="morgan@acme.example",
        perms=[Perm.INVITE_CUSTOMERS],
    )
    group.nora = UserFactory(
        first_name="Nora", last_name="Kim", username="nora@acme.example", email="nora@acme.example"
    )
    group.casey = UserFactory(
        first_name="Casey",
        last_name="Diaz",
        username="casey@acme.example",
        email="casey@acme.example",
        perms=[Perm.INVITE_CUSTOMERS],
    )
    MembershipFactory(group=group, user=group.morgan, role=Membership.Role.OWNER)
    MembershipFactory(group=group, user=group.nora, role=Membership.Role.MANAGER)
    MembershipFactory(group=group, user=group.casey, role=Membership.Role.MEMBER)
    return group


@pytest.fixture
def morgan(council):
    return council.morgan


@pytest.fixture
def queued_tasks(settings) -> Iterator[list]:
    """Switch to the dummy tasks backend; the list holds every task result enqueued."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    backend = task_backends["default"]
    backend.clear()
    yield backend.results
    backend.clear()
