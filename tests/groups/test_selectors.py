"""Who sees which groups and people in lists (issue §6)."""

from __future__ import annotations

import pytest

from groups.models import Group
from groups.selectors import (
    group_list,
    groups_of_person,
    groups_visible_to,
    member_candidates,
    member_counts_attach,
    people_list,
    people_visible_to,
)
from tests.factories import (
    AdminFactory,
    CustomerFactory,
    GroupFactory,
    MembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def groups(customer_group, public_group):
    unlisted = GroupFactory(name="Board", access_type=Group.AccessType.UNLISTED)
    unlisted.member = MembershipFactory(group=unlisted).user
    return {"private": customer_group, "public": public_group, "unlisted": unlisted}


def _names(qs) -> set[str]:
    return {g.name for g in qs}


def test_internal_users_see_public_and_private_groups_but_not_unlisted_ones(groups):
    assert _names(groups_visible_to(UserFactory())) == {"Customer Success Council", "All Acme"}


def test_members_of_an_unlisted_group_see_it_in_lists(groups):
    assert "Board" in _names(groups_visible_to(groups["unlisted"].member))


def test_modify_all_data_opens_no_unlisted_group(groups):
    assert "Board" not in _names(groups_visible_to(AdminFactory()))


def test_customers_see_only_their_groups(groups, customer):
    assert _names(groups_visible_to(customer)) == {"Customer Success Council"}
    assert _names(groups_visible_to(CustomerFactory())) == set()


def test_my_groups_and_the_name_search_narrow_the_list(groups):
    member = groups["public"].member
    assert _names(group_list(member, mine=True)) == {"All Acme"}
    assert _names(group_list(member, query="success")) == {"Customer Success Council"}


def test_the_list_counts_members_and_shows_my_role(groups):
    owner = groups["private"].owner
    [row] = member_counts_attach(group_list(owner, mine=True))
    assert (row.member_count, row.my_role) == (3, "Owner")


def test_internal_users_see_every_active_user_in_people(roles):
    inactive = UserFactory(is_active=False)
    visible = set(people_visible_to(roles["non_member"]))
    assert set(roles.values()) <= visible and inactive not in visible


def test_customers_see_only_people_sharing_a_group(roles):
    visible = set(people_visible_to(roles["customer"]))
    assert visible == {roles["owner"], roles["manager"], roles["member"], roles["customer"]}


def test_people_search_matches_every_word_in_name_or_username(db):
    nora = UserFactory(first_name="Nora", last_name="Patel", username="nora@acme.example")
    UserFactory(first_name="Nora", last_name="Smith")
    assert list(people_list(nora, query="nora patel")) == [nora]
    assert list(people_list(nora, query="nora@acme")) == [nora]


def test_member_candidates_are_internal_non_members_matching_the_search(customer_group):
    fresh = UserFactory(first_name="Quentin", last_name="Zed")
    CustomerFactory(first_name="Quentin", last_name="Zed")
    customer_group.member.first_name = "Quentin"
    customer_group.member.save()
    assert member_candidates(customer_group, query="quentin") == [fresh]
    assert member_candidates(customer_group, query="  ") == []


def test_a_profile_shows_only_groups_the_viewer_may_also_see(groups, customer):
    person = groups["private"].owner
    MembershipFactory(group=groups["public"], user=person)
    MembershipFactory(group=groups["unlisted"], user=person)
    assert _names(groups_of_person(UserFactory(), person)) == {
        "Customer Success Council",
        "All Acme",
    }
    assert _names(groups_of_person(customer, person)) == {"Customer Success Council"}
