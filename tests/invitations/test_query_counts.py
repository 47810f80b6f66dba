"""The Invite People page runs the same queries for a small and a large group (issue 17)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from groups.models import Membership
from invitations.models import Invitation
from tests.factories import InvitationFactory, UserFactory

pytestmark = pytest.mark.django_db


# 1 session, 2 user with their profile, 3 the inviter's membership with the group,
# 4 org, 5 permission sets ("Invite Customers To Chatter"), 6 the Chatter External
# licence (licences left).
@pytest.mark.parametrize("n", [1, 30])
def test_the_invite_page_runs_the_same_queries_for_any_group(
    client, council, django_assert_num_queries, n
):
    Membership.objects.bulk_create(Membership(group=council, user=UserFactory()) for _ in range(n))
    for _ in range(n):
        InvitationFactory(group=council, inviter=council.morgan)
    assert Invitation.objects.count() == n
    client.force_login(council.morgan)
    with django_assert_num_queries(6):
        response = client.get(reverse("invitations:invite", args=[council.pk]))
    assert response.status_code == 200
