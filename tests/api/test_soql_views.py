"""query, queryAll and query/<locator> in-process: answers, paging, errors, visibility."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import ApiSession, PermissionSet, PermissionSetAssignment
from accounts.oauth import api_session_start
from accounts.permissions import Perm
from api.ids import sf_id
from groups.models import Membership
from tests.factories import (
    GroupFactory,
    InvitationFactory,
    MembershipFactory,
    PrivateCustomerGroupFactory,
    UserFactory,
)

V = "/services/data/v59.0"


@pytest.fixture
def api_customer(customer):
    """A customer an admin gave "API Enabled" (Chatter External User does not have it)."""
    permission_set = PermissionSet.objects.create(
        label="API", api_name="API", permissions=[Perm.API_ENABLED.value]
    )
    PermissionSetAssignment.objects.create(user=customer, permission_set=permission_set)
    return customer


def bearer(user) -> dict[str, str]:
    access, _refresh, _session = api_session_start(user=user, kind=ApiSession.Kind.SOAP)
    return {"HTTP_AUTHORIZATION": f"Bearer {access}"}


def query(client: Client, user, soql: str, *, path: str = "query", **headers):
    return client.get(f"{V}/{path}?{urlencode({'q': soql})}", **bearer(user), **headers)


@pytest.mark.django_db
class TestQuery:
    def test_groups_with_customers_answer_ids_and_names(self, client, customer_group):
        GroupFactory(name="Open House")
        response = query(
            client,
            customer_group.owner,
            "SELECT Id, Name FROM CollaborationGroup WHERE CanHaveGuests = true",
        )
        assert response.status_code == 200
        group_id = sf_id("CollaborationGroup", customer_group.pk)
        assert response.json() == {
            "totalSize": 1,
            "done": True,
            "records": [
                {
                    "attributes": {
                        "type": "CollaborationGroup",
                        "url": f"{V}/sobjects/CollaborationGroup/{group_id}",
                    },
                    "Id": group_id,
                    "Name": "Customer Success Council",
                }
            ],
        }
        assert response["Sforce-Limit-Info"] == "api-usage=1/15000"

    def test_query_with_a_trailing_slash_and_query_all_answer_alike(self, client, customer_group):
        soql = "SELECT Id FROM CollaborationGroup"
        owner = customer_group.owner
        slash = client.get(f"{V}/query/?{urlencode({'q': soql})}", **bearer(owner))
        every = query(client, owner, soql, path="queryAll")
        assert slash.status_code == every.status_code == 200
        assert slash.json() == every.json()

    def test_relationship_fields_nest_and_a_missing_parent_is_null(self, client, customer_group):
        lonely = GroupFactory(name="Nobody Owns Me")
        response = query(
            client,
            customer_group.owner,
            "SELECT Name, Owner.Name, Owner.Profile.Name FROM CollaborationGroup ORDER BY Name",
        )
        records = response.json()["records"]
        owner = customer_group.owner
        assert records[0]["Name"] == "Customer Success Council"
        assert records[0]["Owner"]["Name"] == owner.name
        assert records[0]["Owner"]["attributes"]["type"] == "User"
        assert records[0]["Owner"]["Profile"]["Name"] == owner.profile.name
        assert records[1] == {
            "attributes": {
                "type": "CollaborationGroup",
                "url": f"{V}/sobjects/CollaborationGroup/{sf_id('CollaborationGroup', lonely.pk)}",
            },
            "Name": "Nobody Owns Me",
            "Owner": None,
        }

    def test_count_answers_total_size_without_records(self, client, customer_group):
        response = query(
            client, customer_group.owner, "select count() from CollaborationGroupMember"
        )
        assert response.json() == {"totalSize": 3, "done": True, "records": []}


@pytest.mark.django_db
class TestErrors:
    def test_misspelled_field_is_invalid_field_with_salesforce_wording(self, client, user):
        response = query(client, user, "SELECT Id, Nmae FROM CollaborationGroup")
        assert response.status_code == 400
        [error] = response.json()
        assert error["errorCode"] == "INVALID_FIELD"
        assert error["message"] == (
            "\nSELECT Id, Nmae FROM CollaborationGroup\n           ^\nERROR at Row:1:Column:12\n"
            "No such column 'Nmae' on entity 'CollaborationGroup'. If you are attempting to use "
            "a custom field, be sure to append the '__c' after the custom field name. Please "
            "reference your WSDL or the describe call for the appropriate names."
        )

    def test_form_for_from_is_malformed_query(self, client, user):
        response = query(client, user, "SELECT Id FORM User")
        assert response.status_code == 400
        assert response.json() == [
            {
                "message": "\nSELECT Id FORM User\n          ^\nERROR at Row:1:Column:11\n"
                "unexpected token: 'FORM'",
                "errorCode": "MALFORMED_QUERY",
            }
        ]

    def test_unknown_object_is_invalid_type(self, client, user):
        [error] = query(client, user, "SELECT Id FROM Foo").json()
        assert error["errorCode"] == "INVALID_TYPE"
        assert "sObject type 'Foo' is not supported." in error["message"]

    def test_missing_q_is_malformed(self, client, user):
        response = client.get(f"{V}/query", **bearer(user))
        assert response.status_code == 400
        assert response.json()[0]["errorCode"] == "MALFORMED_QUERY"

    def test_no_session_is_401(self, client, db):
        response = client.get(f"{V}/query?q=SELECT+Id+FROM+User")
        assert response.status_code == 401

    def test_a_forged_locator_is_invalid_query_locator(self, client, user):
        response = client.get(f"{V}/query/abc:def:ghi-2000", **bearer(user))
        assert response.status_code == 400
        assert response.json()[0]["errorCode"] == "INVALID_QUERY_LOCATOR"


@pytest.mark.django_db
class TestPaging:
    def test_batches_follow_next_records_url_to_the_end(self, client, customer_group):
        owner = customer_group.owner
        InvitationFactory.create_batch(450, group=customer_group, inviter=owner)
        soql = "SELECT Id, InvitedUserEmail FROM CollaborationInvitation ORDER BY InvitedUserEmail"
        first = query(client, owner, soql, HTTP_SFORCE_QUERY_OPTIONS="batchSize=200").json()
        assert first["totalSize"] == 450 and first["done"] is False
        assert len(first["records"]) == 200
        seen = [r["InvitedUserEmail"] for r in first["records"]]
        page = first
        while not page["done"]:
            assert page["nextRecordsUrl"].startswith(f"{V}/query/")
            page = client.get(page["nextRecordsUrl"], **bearer(owner)).json()
            assert page["totalSize"] == 450
            seen += [r["InvitedUserEmail"] for r in page["records"]]
        assert len(seen) == 450 and seen == sorted(seen) and len(set(seen)) == 450
        assert "nextRecordsUrl" not in page

    def test_a_page_that_reaches_the_limit_is_the_whole_answer_without_a_count(
        self, client, customer_group
    ):
        owner = customer_group.owner
        InvitationFactory.create_batch(230, group=customer_group, inviter=owner)
        soql = "SELECT Id FROM CollaborationInvitation ORDER BY CreatedDate DESC LIMIT 200"
        with CaptureQueriesContext(connection) as captured:
            answer = query(client, owner, soql, HTTP_SFORCE_QUERY_OPTIONS="batchSize=200").json()
        assert answer["totalSize"] == 200 and answer["done"] is True
        assert len(answer["records"]) == 200 and "nextRecordsUrl" not in answer
        assert not [q for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]

    def test_a_limit_beyond_the_first_page_is_counted_only_as_far_as_the_limit(
        self, client, customer_group
    ):
        owner = customer_group.owner
        InvitationFactory.create_batch(260, group=customer_group, inviter=owner)
        soql = "SELECT Id FROM CollaborationInvitation ORDER BY InvitedUserEmail LIMIT 250"
        with CaptureQueriesContext(connection) as captured:
            first = query(client, owner, soql, HTTP_SFORCE_QUERY_OPTIONS="batchSize=200").json()
        assert first["totalSize"] == 250 and first["done"] is False
        (count,) = [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]
        # The count reads at most LIMIT rows, whatever the size of the org.
        assert "LIMIT 250" in count
        rest = client.get(first["nextRecordsUrl"], **bearer(owner)).json()
        assert rest["totalSize"] == 250 and rest["done"] is True
        assert len(rest["records"]) == 50

    def test_someone_elses_locator_is_refused(self, client, customer_group):
        owner = customer_group.owner
        InvitationFactory.create_batch(201, group=customer_group, inviter=owner)
        first = query(
            client,
            owner,
            "SELECT Id FROM CollaborationInvitation",
            HTTP_SFORCE_QUERY_OPTIONS="batchSize=200",
        ).json()
        response = client.get(first["nextRecordsUrl"], **bearer(customer_group.manager))
        assert response.status_code == 400
        assert response.json()[0]["errorCode"] == "INVALID_QUERY_LOCATOR"


@pytest.mark.django_db
class TestVisibility:
    def test_customer_sees_only_co_members_and_their_groups(
        self, client, customer_group, api_customer
    ):
        outsider = UserFactory()
        MembershipFactory(group=GroupFactory(name="Internal Only"), user=outsider)
        PrivateCustomerGroupFactory(name="Another Private")
        users = query(client, api_customer, "SELECT Id FROM User").json()["records"]
        assert {r["Id"] for r in users} == {
            sf_id("User", pk)
            for pk in Membership.objects.filter(group=customer_group).values_list(
                "user_id", flat=True
            )
        }
        groups = query(client, api_customer, "SELECT Name FROM CollaborationGroup").json()
        assert [r["Name"] for r in groups["records"]] == ["Customer Success Council"]

    def test_pending_invitations_are_for_managers_and_none_for_a_customer(
        self, client, customer_group, api_customer
    ):
        InvitationFactory(group=customer_group, inviter=customer_group.owner)
        soql = (
            "SELECT Id, InvitedUserEmail, Status, SharedEntity.Name FROM CollaborationInvitation "
            "WHERE Status = 'Sent' ORDER BY CreatedDate DESC"
        )
        owner_rows = query(client, customer_group.owner, soql).json()["records"]
        assert [r["SharedEntity"]["Name"] for r in owner_rows] == ["Customer Success Council"]
        assert query(client, api_customer, soql).json() == {
            "totalSize": 0,
            "done": True,
            "records": [],
        }
        assert query(client, customer_group.member, soql).json()["totalSize"] == 0


@pytest.mark.django_db
def test_sosl_search_is_refused_plainly(client, user):
    response = client.get(f"{V}/search/?{urlencode({'q': 'FIND {Alpha}'})}", **bearer(user))
    assert response.status_code == 400
    assert response.json()[0]["errorCode"] == "INVALID_SEARCH"
