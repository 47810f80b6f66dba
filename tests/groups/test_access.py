"""The one place of group permission rules: capabilities per role and visibility."""

from __future__ import annotations

import pytest
from django.http import Http404

from accounts.permissions import Perm
from groups.access import group_for_user, person_for_user
from groups.models import Group, Membership
from tests.factories import (
    AdminFactory,
    CustomerFactory,
    GroupFactory,
    MembershipFactory,
    PrivateCustomerGroupFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

CAPS = (
    "view_content",
    "post",
    "comment",
    "join",
    "leave",
    "ask_to_join",
    "manage_members",
    "change_roles",
    "edit",
    "delete",
    "transfer_ownership",
    "invite",
)
# What each role may do in a Private group that allows customers, with invitations off.
EXPECTED = {
    #              view post comm join leave ask  manage roles edit delete transfer invite
    "owner":      (1,   1,   1,   0,   0,    0,   1,     1,    1,   1,     1,       0),
    "manager":    (1,   1,   1,   0,   1,    0,   1,     1,    1,   0,     0,       0),
    "member":     (1,   1,   1,   0,   1,    0,   0,     0,    0,   0,     0,       0),
    "non_member": (0,   0,   0,   0,   0,    1,   0,     0,    0,   0,     0,       0),
    "admin":      (1,   0,   0,   0,   0,    1,   1,     1,    1,   1,     1,       0),
    "customer":   (1,   1,   1,   0,   1,    0,   0,     0,    0,   0,     0,       0),
}  # fmt: skip


@pytest.mark.parametrize("role", EXPECTED)
def test_each_role_gets_exactly_its_capabilities_in_a_private_group(roles, customer_group, role):
    _, caps = group_for_user(roles[role], customer_group.pk)
    assert {name: int(getattr(caps, name)) for name in CAPS} == dict(
        zip(CAPS, EXPECTED[role], strict=True)
    )


def test_an_internal_non_member_may_join_a_public_group_but_not_post(public_group):
    _, caps = group_for_user(UserFactory(), public_group.pk)
    assert caps.view_content and caps.join
    assert not caps.post and not caps.comment and not caps.ask_to_join


def test_a_customer_outside_a_group_gets_404_like_a_missing_group(customer, public_group):
    other_private = PrivateCustomerGroupFactory()
    for group_id in (public_group.pk, other_private.pk, 999_999):
        with pytest.raises(Http404):
            group_for_user(customer, group_id)


def test_unlisted_groups_exist_only_for_their_members_even_for_modify_all_data():
    group = GroupFactory(access_type=Group.AccessType.UNLISTED)
    member = MembershipFactory(group=group).user
    for outsider in (UserFactory(), AdminFactory()):
        with pytest.raises(Http404):
            group_for_user(outsider, group.pk)
    _, caps = group_for_user(member, group.pk)
    assert caps.view_content


def test_only_owner_and_managers_post_in_a_broadcast_only_group(customer_group):
    Group.objects.filter(pk=customer_group.pk).update(broadcast_only=True)
    assert group_for_user(customer_group.manager, customer_group.pk)[1].post
    _, member_caps = group_for_user(customer_group.member, customer_group.pk)
    assert not member_caps.post
    assert member_caps.comment


def test_an_archived_group_is_read_only_but_stays_editable(customer_group):
    Group.objects.filter(pk=customer_group.pk).update(is_archived=True)
    _, caps = group_for_user(customer_group.owner, customer_group.pk)
    assert not (caps.post or caps.comment or caps.manage_members or caps.change_roles)
    assert caps.edit and caps.view_content


def test_a_customer_manager_cannot_manage_members(customer_group):
    manager = CustomerFactory()
    MembershipFactory(group=customer_group, user=manager, role=Membership.Role.MANAGER)
    _, caps = group_for_user(manager, customer_group.pk)
    assert caps.post and not caps.manage_members and not caps.change_roles and not caps.invite


class TestInvitePeople:
    """ "Invite People" needs the org setting, the permission and a managing role."""

    def test_a_manager_with_the_permission_may_invite_when_the_org_allows(
        self, customers_allowed, customer_group
    ):
        manager = UserFactory(perms=[Perm.INVITE_CUSTOMERS])
        MembershipFactory(group=customer_group, user=manager, role=Membership.Role.MANAGER)
        assert group_for_user(manager, customer_group.pk)[1].invite

    def test_nobody_may_invite_while_the_org_does_not_allow_it(self, org, customer_group):
        manager = UserFactory(perms=[Perm.INVITE_CUSTOMERS])
        MembershipFactory(group=customer_group, user=manager, role=Membership.Role.MANAGER)
        assert not group_for_user(manager, customer_group.pk)[1].invite

    def test_a_member_with_the_permission_may_not_invite(self, customers_allowed, customer_group):
        member = UserFactory(perms=[Perm.INVITE_CUSTOMERS])
        MembershipFactory(group=customer_group, user=member)
        assert not group_for_user(member, customer_group.pk)[1].invite

    def test_an_owner_without_the_permission_may_not_invite(
        self, customers_allowed, customer_group
    ):
        assert not group_for_user(customer_group.owner, customer_group.pk)[1].invite

    def test_a_modify_all_data_admin_may_invite_without_being_a_member(
        self, customers_allowed, customer_group, admin_user
    ):
        assert group_for_user(admin_user, customer_group.pk)[1].invite

    def test_nobody_may_invite_into_a_group_without_customers(self, customers_allowed):
        group = GroupFactory(access_type=Group.AccessType.PRIVATE)
        owner = UserFactory(perms=[Perm.INVITE_CUSTOMERS])
        MembershipFactory(group=group, user=owner, role=Membership.Role.OWNER)
        assert not group_for_user(owner, group.pk)[1].invite


def test_a_customer_may_open_only_profiles_of_people_sharing_a_group(roles):
    customer = roles["customer"]
    assert person_for_user(customer, roles["owner"].pk) == roles["owner"]
    assert person_for_user(customer, customer.pk) == customer
    with pytest.raises(Http404):
        person_for_user(customer, roles["non_member"].pk)


def test_an_internal_user_may_open_any_active_profile(roles):
    assert person_for_user(roles["non_member"], roles["customer"].pk) == roles["customer"]
    inactive = UserFactory(is_active=False)
    with pytest.raises(Http404):
        person_for_user(roles["non_member"], inactive.pk)
