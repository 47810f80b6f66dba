"""The demo groups and the issue's acceptance checks, run on the seeded demo org."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from chatterorg.models import AuditEvent
from groups.models import Comment, Group, Membership, Post

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db) -> dict[str, User]:
    call_command("seed_demo", stdout=io.StringIO())
    return {u.username.split("@")[0]: u for u in User.objects.all()}


@pytest.fixture
def council(demo) -> Group:
    return Group.objects.get(name="Customer Success Council")


def _state() -> tuple:
    return (
        list(Group.objects.values().order_by("pk")),
        list(Membership.objects.values_list("group_id", "user_id", "role").order_by("pk")),
        AuditEvent.objects.count(),
    )


def test_the_council_is_private_with_customers_and_its_three_roles(council, demo):
    assert council.access_label == "Private With Customers"
    roles = dict(council.memberships.values_list("user__username", "role"))
    assert roles == {
        "morgan@acme.example": "Owner",
        "nora@acme.example": "Manager",
        "casey@acme.example": "Member",
    }
    assert Post.objects.filter(group=council).count() >= 2
    assert Comment.objects.filter(post__group=council).exists()


def test_all_acme_is_public_owned_by_admin_with_every_internal_user(demo):
    all_acme = Group.objects.get(name="All Acme")
    assert all_acme.access_type == "Public"
    assert all_acme.memberships.get(role="Owner").user == demo["admin"]
    internal = set(User.objects.exclude(user_type="ChatterGuest").values_list("pk", flat=True))
    assert set(all_acme.memberships.values_list("user_id", flat=True)) == internal


def test_seeding_twice_changes_nothing(demo):
    before = _state(), Post.objects.count(), Comment.objects.count()
    call_command("seed_demo", stdout=io.StringIO())
    assert (_state(), Post.objects.count(), Comment.objects.count()) == before


class TestAcceptance:
    def test_casey_sees_none_of_the_manager_links(self, client, council, demo, org):
        org.allow_customer_invitations = True
        org.save()
        client.force_login(demo["casey"])
        response = client.get(reverse("groups:detail", args=[council.pk]))
        assert response.status_code == 200
        html = response.content.decode()
        assert council.name in html
        for label in ("Add/Remove Members", "Change Roles", "Invite People"):
            assert label not in html

    @pytest.mark.parametrize("who", ["nora", "morgan"])
    def test_nora_and_morgan_see_add_remove_members_and_change_roles(
        self, client, council, demo, who
    ):
        client.force_login(demo[who])
        html = client.get(reverse("groups:detail", args=[council.pk])).content.decode()
        assert "Add/Remove Members" in html and "Change Roles" in html

    def test_morgan_sees_invite_people_once_the_org_allows_it(self, client, council, demo, org):
        org.allow_customer_invitations = True
        org.save()
        client.force_login(demo["morgan"])
        html = client.get(reverse("groups:detail", args=[council.pk])).content.decode()
        assert "Invite People" in html

    @pytest.mark.parametrize(
        "change,message",
        [
            ({"access_type": "Private"}, "Allow Customers can&#x27;t be turned off"),
            (
                {"access_type": "Public", "allow_customers": "on"},
                "A group that allows customers can&#x27;t be Public.",
            ),
        ],
    )
    def test_clearing_allow_customers_or_going_public_is_refused(
        self, client, council, demo, change, message
    ):
        before = _state()
        client.force_login(demo["morgan"])
        response = client.post(
            reverse("groups:edit", args=[council.pk]),
            {"name": council.name, "description": council.description, **change},
        )
        assert response.status_code == 200 and message in response.content.decode()
        assert _state() == before

    def test_caseys_posts_to_add_member_and_change_role_are_403_and_write_nothing(
        self, client, council, demo
    ):
        before = _state()
        client.force_login(demo["casey"])
        nora = council.memberships.get(user=demo["nora"])
        add = client.post(
            reverse("groups:member_add", args=[council.pk]),
            {"user": demo["admin"].pk},
        )
        role = client.post(
            reverse("groups:role_set", args=[council.pk]),
            {"membership": nora.pk, "role": "Member"},
        )
        assert (add.status_code, role.status_code) == (403, 403)
        assert _state() == before
