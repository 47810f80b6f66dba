"""The database holds the group invariants even when the actions are bypassed."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from groups.models import Group, Membership
from tests.factories import CustomerFactory, GroupFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def test_a_group_cannot_have_a_second_owner(customer_group):
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(group=customer_group, role=Membership.Role.OWNER)


def test_a_user_cannot_be_a_member_twice(customer_group):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(group=customer_group, user=customer_group.member)


def test_a_customer_can_never_be_owner():
    group = GroupFactory(access_type=Group.AccessType.PRIVATE, allow_customers=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(group=group, user=CustomerFactory(), role=Membership.Role.OWNER)


def test_a_customer_may_be_a_manager():
    group = GroupFactory(access_type=Group.AccessType.PRIVATE, allow_customers=True)
    MembershipFactory(group=group, user=CustomerFactory(), role=Membership.Role.MANAGER)
    assert group.memberships.get().is_customer


def test_a_public_group_cannot_allow_customers():
    with pytest.raises(IntegrityError), transaction.atomic():
        GroupFactory(access_type=Group.AccessType.PUBLIC, allow_customers=True)


def test_public_and_private_names_are_unique_case_insensitively():
    GroupFactory(name="Sales", access_type=Group.AccessType.PUBLIC)
    with pytest.raises(IntegrityError), transaction.atomic():
        GroupFactory(name="SALES", access_type=Group.AccessType.PRIVATE)


def test_an_unlisted_group_may_share_a_listed_groups_name():
    GroupFactory(name="Sales", access_type=Group.AccessType.PUBLIC)
    GroupFactory(name="Sales", access_type=Group.AccessType.UNLISTED)
    assert Group.objects.filter(name="Sales").count() == 2


def test_the_access_label_marks_private_groups_with_customers():
    assert GroupFactory.build(access_type="Private", allow_customers=True).access_label == (
        "Private With Customers"
    )
    assert GroupFactory.build(access_type="Private").access_label == "Private"
    assert GroupFactory.build(access_type="Unlisted", allow_customers=True).access_label == (
        "Unlisted"
    )
