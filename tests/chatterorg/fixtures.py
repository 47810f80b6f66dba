"""Fixtures for the Setup pages, shared by tests/chatterorg and the Setup tests of accounts."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import Profile
from accounts.permissions import Perm
from tests.factories import UserFactory


@pytest.fixture
def admin_client(client: Client, admin_user) -> Client:
    client.force_login(admin_user)
    return client


@pytest.fixture
def user_client(client: Client, user) -> Client:
    client.force_login(user)
    return client


@pytest.fixture
def user_manager(db):
    """A Chatter Free user whose only Setup permission, from a set, is "Manage Users"."""
    return UserFactory(
        profile=Profile.objects.get(name=Profile.CHATTER_FREE_USER),
        user_type="ChatterFree",
        perms=[Perm.MANAGE_USERS],
    )


@pytest.fixture
def customizer(db):
    """A Chatter Free user whose only Setup permission is "Customize Application"."""
    return UserFactory(
        profile=Profile.objects.get(name=Profile.CHATTER_FREE_USER),
        user_type="ChatterFree",
        perms=[Perm.CUSTOMIZE_APPLICATION],
    )
