"""The API's views in-process: the UI's permission matrix, sessions, limits and bodies."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine
from django.test import Client, override_settings
from django.utils import timezone

from accounts.models import ApiSession
from accounts.oauth import api_session_start
from accounts.permissions import Perm
from api.ids import sf_id
from groups.models import Group, Membership
from invitations.models import Invitation
from tests.factories import GroupFactory, UserFactory

V = "/services/data/v59.0"


def bearer(user) -> dict[str, str]:
    access, _refresh, _session = api_session_start(user=user, kind=ApiSession.Kind.SOAP)
    return {"HTTP_AUTHORIZATION": f"Bearer {access}"}


def post(client: Client, path: str, body, headers) -> object:
    return client.post(path, json.dumps(body), content_type="application/json", **headers)


@pytest.fixture
def inviter(customer_group):
    owner = customer_group.owner
    from accounts.models import PermissionSet, PermissionSetAssignment

    permission_set = PermissionSet.objects.create(
        label="Inviters", api_name="Inviters", permissions=[Perm.INVITE_CUSTOMERS.value]
    )
    PermissionSetAssignment.objects.create(user=owner, permission_set=permission_set)
    return owner


def invite_path(group: Group) -> str:
    return f"{V}/chatter/groups/group/{sf_id('CollaborationGroup', group.pk)}/invite"


@pytest.mark.django_db
class TestInvite:
    def test_owner_with_permission_invites_and_the_invitation_is_written(
        self, client, customers_allowed, customer_group, inviter
    ):
        response = post(
            client,
            invite_path(customer_group),
            {"invitees": ["jane@globex.example"], "message": "Hi"},
            bearer(inviter),
        )
        assert response.status_code == 201
        assert response.json()["invitations"][0]["status"] == "Invited"
        assert Invitation.objects.filter(group=customer_group, email="jane@globex.example").exists()
        assert response["Sforce-Limit-Info"] == "api-usage=1/15000"

    def test_plain_member_gets_403_and_nothing_is_written(
        self, client, customers_allowed, customer_group
    ):
        response = post(
            client,
            invite_path(customer_group),
            {"invitees": ["jane@globex.example"]},
            bearer(customer_group.member),
        )
        assert response.status_code == 403
        assert response.json()[0]["errorCode"] == "INSUFFICIENT_ACCESS_OR_READONLY"
        assert not Invitation.objects.exists()

    def test_allow_customer_invitations_off_refuses_as_the_ui_does(
        self, client, org, customer_group, inviter
    ):
        response = post(
            client, invite_path(customer_group), {"invitees": ["a@x.example"]}, bearer(inviter)
        )
        assert response.status_code == 403
        assert not Invitation.objects.exists()

    def test_outsider_customer_gets_404(self, client, customers_allowed, customer_group, customer):
        customer.profile.permissions = [Perm.API_ENABLED.value]
        customer.profile.save()
        other = GroupFactory(access_type=Group.AccessType.PRIVATE, allow_customers=True)
        response = post(client, invite_path(other), {"invitees": ["a@x.example"]}, bearer(customer))
        assert response.status_code == 404
        assert response.json()[0]["errorCode"] == "NOT_FOUND"


@pytest.mark.django_db
class TestGroupsAndCustomers:
    def test_a_customer_lists_only_their_groups(self, client, customer_group, customer):
        GroupFactory(name="Internal only")
        customer.profile.permissions = [Perm.API_ENABLED.value]
        customer.profile.save()
        response = client.get(f"{V}/chatter/groups", **bearer(customer))
        assert response.status_code == 200
        assert [g["name"] for g in response.json()["groups"]] == ["Customer Success Council"]

    def test_the_groups_list_runs_the_same_queries_for_2_and_for_25_groups(
        self, client, user, django_assert_num_queries
    ):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from tests.factories import MembershipFactory

        headers = bearer(user)

        def listed():
            for _ in range(2):  # the second with the member counts cached
                with CaptureQueriesContext(connection) as captured:
                    response = client.get(f"{V}/chatter/groups", **headers)
            return response.json()["groups"], len(captured)

        for n in range(2):
            MembershipFactory(group=GroupFactory(name=f"Team {n:02}"), role="Owner")
        few, queries = listed()
        for n in range(2, 25):
            group = GroupFactory(name=f"Team {n:02}")
            MembershipFactory(group=group, role="Owner")
            MembershipFactory(group=group)
        many, again = listed()
        assert len(few) == 2 and len(many) == 25 and again == queries
        team_24 = next(g for g in many if g["name"] == "Team 24")
        assert team_24["memberCount"] == 2 and team_24["owner"]["type"] == "User"

    def test_a_customer_without_api_enabled_is_refused(self, client, customer_group, customer):
        response = client.get(f"{V}/chatter/groups", **bearer(customer))
        assert response.status_code == 403
        assert response.json()[0]["errorCode"] == "API_DISABLED_FOR_ORG"

    def test_a_customer_gets_403_on_org_wide_objects(self, client, customer_group, customer):
        customer.profile.permissions = [Perm.API_ENABLED.value]
        customer.profile.save()
        response = client.get(f"{V}/sobjects/Profile/describe", **bearer(customer))
        assert response.status_code == 403

    def test_manager_adds_a_member_and_a_member_may_not(self, client, customer_group):
        newcomer = UserFactory()
        path = f"{V}/chatter/groups/{sf_id('CollaborationGroup', customer_group.pk)}/members"
        body = {"userId": sf_id("User", newcomer.pk)}
        refused = post(client, path, body, bearer(customer_group.member))
        assert refused.status_code == 403
        assert not Membership.objects.filter(user=newcomer).exists()
        added = post(client, path, body, bearer(customer_group.manager))
        assert added.status_code == 201
        assert Membership.objects.filter(user=newcomer, group=customer_group).exists()

    def test_allow_customers_cannot_be_cleared(self, client, customer_group):
        path = f"{V}/sobjects/CollaborationGroup/{sf_id('CollaborationGroup', customer_group.pk)}"
        response = client.patch(
            path,
            json.dumps({"CanHaveGuests": False}),
            content_type="application/json",
            **bearer(customer_group.owner),
        )
        assert response.status_code == 400
        customer_group.refresh_from_db()
        assert customer_group.allow_customers is True

    def test_the_15_character_id_is_accepted(self, client, customer_group):
        id15 = sf_id("CollaborationGroup", customer_group.pk)[:15]
        response = client.get(
            f"{V}/sobjects/CollaborationGroup/{id15}", **bearer(customer_group.owner)
        )
        assert response.status_code == 200
        assert response.json()["Name"] == "Customer Success Council"


@pytest.mark.django_db
class TestSessionsAndLimits:
    def test_no_token_is_invalid_session(self, client):
        response = client.get(f"{V}/sobjects")
        assert response.status_code == 401
        assert response.json()[0]["errorCode"] == "INVALID_SESSION_ID"

    def test_a_session_expires_after_the_timeout(self, client, user):
        headers = bearer(user)
        assert client.get(f"{V}/sobjects", **headers).status_code == 200
        with time_machine.travel(timezone.now() + timedelta(hours=13)):
            assert client.get(f"{V}/sobjects", **headers).status_code == 401

    def test_deactivation_ends_the_session(self, client, user):
        headers = bearer(user)
        user.is_active = False
        user.save()
        assert client.get(f"{V}/sobjects", **headers).status_code == 401

    def test_revoke_ends_the_session(self, client, user):
        headers = bearer(user)
        token = headers["HTTP_AUTHORIZATION"].split()[1]
        assert (
            client.post(
                "/services/oauth2/revoke",
                f"token={token}",
                content_type="application/x-www-form-urlencoded",
            ).status_code
            == 200
        )
        assert client.get(f"{V}/sobjects", **headers).status_code == 401

    def test_the_daily_limit_refuses_the_request_after_it(self, client, user, org):
        org.api_daily_request_limit = 2
        org.save()
        headers = bearer(user)
        assert client.get(f"{V}/sobjects", **headers).status_code == 200
        assert client.get(f"{V}/sobjects", **headers).status_code == 200
        refused = client.get(f"{V}/sobjects", **headers)
        assert refused.status_code == 403
        assert refused.json()[0]["errorCode"] == "REQUEST_LIMIT_EXCEEDED"
        assert refused["Sforce-Limit-Info"] == "api-usage=2/2"


@pytest.mark.django_db
class TestBodies:
    def test_deep_json_is_refused_and_writes_nothing(self, client, customer_group):
        body = "[" * 5000 + "]" * 5000
        response = client.post(
            f"{V}/chatter/groups", body, content_type="application/json",
            **bearer(customer_group.owner),
        )  # fmt: skip
        assert response.status_code == 400
        assert response.json()[0]["errorCode"] == "JSON_PARSER_ERROR"
        assert Group.objects.count() == 1

    def test_a_wrong_content_type_is_415(self, client, customer_group):
        response = client.post(
            f"{V}/chatter/groups", "name=x", content_type="text/plain",
            **bearer(customer_group.owner),
        )  # fmt: skip
        assert response.status_code == 415
        assert Group.objects.count() == 1

    @override_settings(API_MAX_BODY_BYTES=100)
    def test_a_body_over_the_limit_is_413(self, client, customer_group):
        response = post(
            client, f"{V}/chatter/groups", {"name": "x" * 200}, bearer(customer_group.owner)
        )
        assert response.status_code == 413
        assert Group.objects.count() == 1

    def test_a_missing_name_is_required_field_missing(self, client, customer_group):
        response = post(client, f"{V}/chatter/groups", {}, bearer(customer_group.owner))
        assert response.status_code == 400
        assert response.json()[0]["errorCode"] == "REQUIRED_FIELD_MISSING"


def test_ids_have_the_case_safe_suffix():
    assert sf_id("CollaborationGroup", 1) == "0F9000000000001CAA"
    from api.ids import sf_id_parse

    assert sf_id_parse("0f9000000000001caa") == ("CollaborationGroup", 1)


def test_collaboration_invitation_ids_have_salesforces_key_prefix():
    # Salesforce's key prefix list: 0H1 is CollaborationInvitation (0CI is EntityImplements).
    assert sf_id("CollaborationInvitation", 1).startswith("0H1")
    from api.ids import sf_id_parse

    assert sf_id_parse(sf_id("CollaborationInvitation", 7)) == ("CollaborationInvitation", 7)
