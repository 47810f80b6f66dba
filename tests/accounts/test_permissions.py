"""A user's permissions are the profile's ∪ every assigned permission set's."""

from __future__ import annotations

import pytest

from accounts.actions import permission_set_assign, permission_set_unassign
from accounts.models import PermissionSet, Profile, User
from accounts.permissions import Perm, user_can_open_setup, user_has_perm, user_perms
from tests.factories import AdminFactory, UserFactory

pytestmark = pytest.mark.django_db


def chatter_free_user(**kwargs) -> User:
    """A user whose profile grants nothing."""
    return UserFactory(
        profile=Profile.objects.get(name=Profile.CHATTER_FREE_USER),
        user_type=User.UserType.CHATTER_FREE,
        **kwargs,
    )


def fresh(user: User) -> User:
    """The user as the next request loads it (no cached permissions)."""
    return User.objects.get(pk=user.pk)


def test_permission_from_the_profile_only():
    user = UserFactory()  # Standard User: "Create and Own New Chatter Groups"

    assert user_has_perm(user, Perm.CREATE_GROUPS)
    assert not user_has_perm(user, Perm.INVITE_CUSTOMERS)


def test_permission_from_a_permission_set_only():
    user = chatter_free_user(perms=[Perm.INVITE_CUSTOMERS])

    assert user_has_perm(user, Perm.INVITE_CUSTOMERS)
    assert not user_has_perm(user, Perm.CREATE_GROUPS)


def test_permissions_from_profile_and_set_add_up():
    user = UserFactory(perms=[Perm.INVITE_CUSTOMERS])

    assert user_perms(user) == {Perm.CREATE_GROUPS, Perm.API_ENABLED, Perm.INVITE_CUSTOMERS}


def test_permissions_from_several_sets_add_up():
    user = chatter_free_user(perms=[Perm.INVITE_CUSTOMERS])
    other = PermissionSet.objects.create(
        label="Managers", api_name="Managers", permissions=[Perm.MANAGE_USERS]
    )
    permission_set_assign(actor=None, user=user, permission_set=other)

    assert user_perms(fresh(user)) == {Perm.INVITE_CUSTOMERS, Perm.MANAGE_USERS}


def test_user_with_neither_profile_nor_set_permissions_has_none():
    user = chatter_free_user()

    assert user_perms(user) == frozenset()
    assert not any(user_has_perm(user, perm) for perm in Perm)


def test_system_administrator_has_every_permission():
    admin = AdminFactory()

    assert all(user_has_perm(admin, perm) for perm in Perm)


def test_inactive_user_has_no_permissions():
    admin = AdminFactory(is_active=False)

    assert user_perms(admin) == frozenset()


def test_permissions_are_computed_once_per_user_object(django_assert_num_queries):
    user = fresh(UserFactory(perms=[Perm.INVITE_CUSTOMERS]))

    # 1. the user's profile, 2. the permissions of the user's sets; then nothing more.
    with django_assert_num_queries(2):
        for _ in range(3):
            for perm in Perm:
                user_has_perm(user, perm)


def test_an_assignment_takes_effect_on_the_next_request():
    user = chatter_free_user()
    inviters = PermissionSet.objects.create(
        label="Inviters", api_name="Inviters", permissions=[Perm.INVITE_CUSTOMERS]
    )
    assert not user_has_perm(user, Perm.INVITE_CUSTOMERS)

    permission_set_assign(actor=None, user=user, permission_set=inviters)
    assert user_has_perm(fresh(user), Perm.INVITE_CUSTOMERS)

    permission_set_unassign(actor=AdminFactory(), user=user, permission_set=inviters)
    assert not user_has_perm(fresh(user), Perm.INVITE_CUSTOMERS)


@pytest.mark.parametrize(
    ("perms", "opens_setup"),
    [
        ([], False),
        ([Perm.INVITE_CUSTOMERS, Perm.MODIFY_ALL_DATA], False),
        ([Perm.CUSTOMIZE_APPLICATION], True),
        ([Perm.MANAGE_USERS], True),
    ],
)
def test_setup_is_for_users_who_customize_or_manage_users(perms, opens_setup):
    user = chatter_free_user(perms=perms)

    assert user_can_open_setup(user) is opens_setup


def test_every_permission_has_its_salesforce_label():
    assert Perm.INVITE_CUSTOMERS.label == "Invite Customers To Chatter"
    assert Perm.CUSTOMIZE_APPLICATION.label == "Customize Application"
    assert Perm.MANAGE_USERS.label == "Manage Users"
    assert Perm.CREATE_GROUPS.label == "Create and Own New Chatter Groups"
    assert Perm.MODIFY_ALL_DATA.label == "Modify All Data"
