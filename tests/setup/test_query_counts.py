"""Setup's lists run the same queries for a small and a large org (issue 17)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from chatterorg.actions import audit_record
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _org_of(n: int, actor) -> None:
    UserFactory.create_batch(n, last_name="Lastname")
    for i in range(n):
        audit_record(actor=actor, section="Manage Users", action="user.changed", display=f"E{i}")


# Setup › Users with a search: 1 session, 2 user with their profile, 3 permission sets
# (the Setup gate), 4 org (layout), 5 the ids of the matches (up to the cap: the count),
# 6 the page of users with their profiles.
@pytest.mark.parametrize("n", [2, 40])
def test_setup_users_with_a_search_runs_the_same_queries_for_any_org(
    admin_client, admin_user, django_assert_num_queries, n
):
    _org_of(n, admin_user)
    with django_assert_num_queries(QUERIES["users"]):
        response = admin_client.get(reverse("setup:users") + "?q=lastn")
    assert response.status_code == 200


@pytest.mark.parametrize("n", [2, 40])
def test_the_audit_trail_runs_the_same_queries_for_any_org(
    admin_client, admin_user, django_assert_num_queries, n
):
    _org_of(n, admin_user)
    with django_assert_num_queries(QUERIES["audit"]):
        response = admin_client.get(reverse("setup:audit_trail"))
    assert response.status_code == 200


# The Audit Trail: 1 session, 2 user with their profile, 3 permission sets (the gate),
# 4 the capped count, 5 org (layout), 6 the page of events, 7 their actors.
QUERIES = {"users": 6, "audit": 7}
