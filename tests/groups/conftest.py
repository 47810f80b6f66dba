"""Fixtures for the groups tests: one user per role on the customer group."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from accounts.models import User
from groups.models import Group, Membership
from tests.factories import GroupFactory, MembershipFactory, UserFactory

ROLES = ("owner", "manager", "member", "non_member", "admin", "customer")


@pytest.fixture
def roles(customer_group: Group, customer: User, admin_user: User) -> dict[str, User]:
    """Every role of the matrix on ``customer_group`` (Private With Customers).

    ``admin`` holds "Modify All Data" and is not a member; ``non_member`` is an
    internal Standard User who is not a member.
    """
    return {
        "owner": customer_group.owner,
        "manager": customer_group.manager,
        "member": customer_group.member,
        "non_member": UserFactory(),
        "admin": admin_user,
        "customer": customer,
    }


@pytest.fixture
def login(client: Client) -> Callable[[User], Client]:
    def _login(user: User) -> Client:
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def public_group(db) -> Group:
    """A Public group with an owner and a member (``.owner``, ``.member``)."""
    group = GroupFactory(name="All Acme")
    group.owner = MembershipFactory(group=group, role=Membership.Role.OWNER).user
    group.member = MembershipFactory(group=group).user
    return group
