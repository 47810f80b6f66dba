"""simple-salesforce, unmodified, against a live Chatter Org over HTTPS.

The story of the README: Morgan logs in, describes CollaborationGroup, creates a
Private group with customers, adds a member, invites two people, reads the
invitations back; then the refusals the client turns into its exceptions.
"""

from __future__ import annotations

import json

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import (
    SalesforceAuthenticationFailed,
    SalesforceMalformedRequest,
    SalesforceRefusedRequest,
    SalesforceResourceNotFound,
)

from api.ids import sf_id
from tests.api.live import CLIENT_ID, CLIENT_SECRET, DEMO_PASSWORD, LiveApi

pytestmark = pytest.mark.api_clients


@pytest.fixture(autouse=True)
def trust_test_ca(live_api: LiveApi, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(live_api.ca))


def oauth_login(live_api: LiveApi, username: str) -> Salesforce:
    # domain is interpolated into https://{domain}.salesforce.com/services/oauth2/token
    return Salesforce(
        username=username,
        password=DEMO_PASSWORD,
        consumer_key=CLIENT_ID,
        consumer_secret=CLIENT_SECRET,
        domain=f"{live_api.host}/login",
    )


def soap_login(live_api: LiveApi, username: str) -> Salesforce:
    # From 127.0.0.1 (a trusted IP range) the security token may be empty.
    return Salesforce(
        username=username,
        password=DEMO_PASSWORD,
        security_token="",
        domain=f"{live_api.host}/login",
    )


def allow_customer_invitations(live_api: LiveApi, on: bool) -> None:
    live_api.shell(
        "from chatterorg.models import Organization; import json;"
        f"Organization.objects.filter(pk=1).update(allow_customer_invitations={on});"
        "print(json.dumps(True))"
    )


def council_id(sf: Salesforce) -> str:
    page = sf.restful("chatter/groups", params={"q": "Customer Success Council"})
    return page["groups"][0]["id"]


def test_the_story_with_simple_salesforce(live_api: LiveApi) -> None:
    allow_customer_invitations(live_api, True)
    sf = oauth_login(live_api, "morgan@acme.example")
    assert sf.sf_instance == live_api.host

    described = sf.CollaborationGroup.describe()
    fields = {f["name"]: f for f in described["fields"]}
    assert described["keyPrefix"] == "0F9"
    assert fields["CanHaveGuests"]["type"] == "boolean"
    assert [p["value"] for p in fields["CollaborationType"]["picklistValues"]] == [
        "Public",
        "Private",
        "Unlisted",
    ]

    created = sf.CollaborationGroup.create(
        {"Name": "Partner Pilot", "CollaborationType": "Private", "CanHaveGuests": True}
    )
    group_id = created["id"]
    assert created["success"] and group_id.startswith("0F9") and len(group_id) == 18
    group = sf.CollaborationGroup.get(group_id)
    assert group["CanHaveGuests"] is True and group["CollaborationType"] == "Private"

    nora = sf.restful("chatter/groups", params={"q": "Customer Success Council"})
    council = nora["groups"][0]
    nora_id = next(
        m["user"]["id"]
        for m in sf.restful(f"chatter/groups/{council['id']}/members")["members"]
        if m["user"]["name"].startswith("Nora")
    )
    member = sf.restful(
        f"chatter/groups/{group_id}/members",
        method="POST",
        json={"userId": nora_id, "role": "GroupManager"},
    )
    assert member["role"] == "GroupManager"

    invited = sf.restful(
        f"chatter/groups/group/{group_id}/invite",
        method="POST",
        json={"invitees": ["ana@globex.example", "raj@initech.example"], "message": "Welcome!"},
    )
    assert invited == {
        "invitations": [
            {"email": "ana@globex.example", "status": "Invited", "userId": None},
            {"email": "raj@initech.example", "status": "Invited", "userId": None},
        ]
    }
    recent = sf.CollaborationInvitation.describe()
    assert recent["createable"] is True and recent["updateable"] is False
    rows = sf.restful("sobjects/CollaborationInvitation")["recentItems"]
    mine = [sf.CollaborationInvitation.get(row["Id"]) for row in rows]
    mine = [row for row in mine if row["SharedEntityId"] == group_id]
    assert sorted(row["InvitedUserEmail"] for row in mine) == [
        "ana@globex.example",
        "raj@initech.example",
    ]
    assert {row["Status"] for row in mine} == {"Sent"}

    # The other body form; an existing member is "NoActionNeededUser".
    again = sf.restful(
        f"chatter/groups/{group_id}/invite",
        method="POST",
        json={"invitees": {"emails": ["nora@acme.example"]}},
    )
    assert again["invitations"][0]["status"] == "NoActionNeededUser"

    # CanHaveGuests can be set but never cleared.
    with pytest.raises(SalesforceMalformedRequest):
        sf.CollaborationGroup.update(group_id, {"CanHaveGuests": False})


def test_readme_acceptance_invites_jane_and_casey_is_refused(live_api: LiveApi) -> None:
    allow_customer_invitations(live_api, True)
    sf = soap_login(live_api, "morgan@acme.example")
    group_id = council_id(sf)
    answer = sf.restful(
        f"chatter/groups/group/{group_id}/invite",
        method="POST",
        json={"invitees": ["jane@globex.example"], "message": "Join us"},
    )
    assert answer["invitations"][0] == {
        "email": "jane@globex.example",
        "status": "Invited",
        "userId": None,
    }
    pending = live_api.shell(
        "from invitations.models import Invitation; import json;"
        "print(json.dumps(list(Invitation.objects.filter(email='jane@globex.example',"
        " group__name='Customer Success Council', status='Sent').values_list('email', flat=True))))"
    )
    assert pending == ["jane@globex.example"]
    deadline_messages: list[str] = []
    for _ in range(100):
        deadline_messages = [m for m in live_api.outbox() if "jane@globex.example" in m]
        if deadline_messages:
            break
        import time

        time.sleep(0.1)
    assert deadline_messages and "Join Now" in deadline_messages[0]

    casey = soap_login(live_api, "casey@acme.example")
    with pytest.raises(SalesforceRefusedRequest) as refused:
        casey.restful(
            f"chatter/groups/group/{group_id}/invite",
            method="POST",
            json={"invitees": ["jane@globex.example"]},
        )
    assert refused.value.content[0]["errorCode"] == "INSUFFICIENT_ACCESS_OR_READONLY"

    allow_customer_invitations(live_api, False)
    try:
        with pytest.raises(SalesforceRefusedRequest):
            sf.restful(
                f"chatter/groups/group/{group_id}/invite",
                method="POST",
                json={"invitees": ["bo@globex.example"]},
            )
    finally:
        allow_customer_invitations(live_api, True)


def test_validation_rule_expired_session_and_not_found(live_api: LiveApi) -> None:
    admin = oauth_login(live_api, "admin@acme.example")
    casey = admin.restful("chatter/groups", params={"q": "All Acme"})
    assert casey["groups"]
    users = {row["Name"]: row["Id"] for row in admin.restful("sobjects/User")["recentItems"]}
    casey_id = next(user_id for name, user_id in users.items() if name.startswith("Casey"))

    live_api.shell(
        "from accounts.models import ValidationRule; import json;"
        "ValidationRule.objects.filter(name='Require Department').update(active=True);"
        "print(json.dumps(True))"
    )
    try:
        with pytest.raises(SalesforceMalformedRequest) as refused:
            admin.User.update(casey_id, {"Department": "", "Title": "Lead"})
        error = refused.value.content[0]
        assert error["errorCode"] == "FIELD_CUSTOM_VALIDATION_EXCEPTION"
    finally:
        live_api.shell(
            "from accounts.models import ValidationRule; import json;"
            "ValidationRule.objects.filter(name='Require Department').update(active=False);"
            "print(json.dumps(True))"
        )

    # Deactivate (User has no delete), then reactivate.
    assert admin.User.update(casey_id, {"IsActive": False}) == 204
    assert admin.User.get(casey_id)["IsActive"] is False
    admin.User.update(casey_id, {"IsActive": True})

    # A revoked session: simple-salesforce logs in again on INVALID_SESSION_ID.
    old = admin.session_id
    requests.post(
        f"{live_api.url}/services/oauth2/revoke", data={"token": old}, verify=str(live_api.ca)
    ).raise_for_status()
    assert admin.CollaborationGroup.describe()["name"] == "CollaborationGroup"
    assert admin.session_id != old

    with pytest.raises(SalesforceResourceNotFound):
        admin.CollaborationGroup.get(sf_id("CollaborationGroup", 987654))
    with pytest.raises(SalesforceMalformedRequest) as malformed:
        admin.CollaborationGroup.get("0F9000000000zzzAAA")
    assert malformed.value.content[0]["errorCode"] == "MALFORMED_ID"


def test_wrong_password_is_invalid_grant_and_soap_invalid_login(live_api: LiveApi) -> None:
    with pytest.raises(SalesforceAuthenticationFailed) as failed:
        Salesforce(
            username="morgan@acme.example",
            password="wrong-password",
            consumer_key=CLIENT_ID,
            consumer_secret=CLIENT_SECRET,
            domain=f"{live_api.host}/login",
        )
    assert failed.value.code == "invalid_grant"
    with pytest.raises(SalesforceAuthenticationFailed) as soap_failed:
        Salesforce(
            username="morgan@acme.example",
            password="wrong-password",
            security_token="",
            domain=f"{live_api.host}/login",
        )
    assert soap_failed.value.code == "INVALID_LOGIN"


def test_chunked_login_body_is_read(live_api: LiveApi) -> None:
    def chunks():
        yield b"grant_type=password&client_id=" + CLIENT_ID.encode()
        yield b"&client_secret=" + CLIENT_SECRET.encode()
        yield b"&username=nora%40acme.example&password=" + DEMO_PASSWORD.encode().replace(
            b"!", b"%21"
        )

    response = requests.post(
        f"{live_api.url}/services/oauth2/token",
        data=chunks(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        verify=str(live_api.ca),
    )
    assert response.request.headers.get("Transfer-Encoding") == "chunked"
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) >= {"access_token", "instance_url", "id", "token_type", "issued_at"}
    versions = requests.get(
        f"{live_api.url}/services/data/v66.0/limits",
        headers={"Authorization": f"Bearer {body['access_token']}"},
        verify=str(live_api.ca),
    )
    assert versions.headers["Sforce-Limit-Info"].startswith("api-usage=")
    assert json.loads(versions.content)["DailyApiRequests"]["Max"] == 15000


PENDING_SOQL = (
    "SELECT Id, InvitedUserEmail, Status, SharedEntity.Name FROM CollaborationInvitation "
    "WHERE Status = 'Sent' ORDER BY CreatedDate DESC"
)


def bulk_invitations(live_api: LiveApi, group_name: str, count: int) -> None:
    """``count`` pending invitations to ``group_name`` from Morgan, written directly
    (again for a second caller: the rows that exist already are left alone). They
    were sent two days ago, so they do not use up Morgan's invitations of the day,
    which the other tests on this shared server spend."""
    live_api.shell(
        "import json; from datetime import timedelta; from django.utils import timezone\n"
        "from accounts.models import User; from groups.models import Group\n"
        "from invitations.models import Invitation\n"
        "morgan = User.objects.get(username='morgan@acme.example')\n"
        "group, _ = Group.objects.get_or_create(name="
        f"{group_name!r}, defaults=dict(access_type='Private', allow_customers=True))\n"
        "from groups.models import Membership\n"
        "Membership.objects.get_or_create(group=group, user=morgan, defaults=dict(role='Owner'))\n"
        "later = timezone.now() + timedelta(days=30)\n"
        "sent = timezone.now() - timedelta(days=2)\n"
        "Invitation.objects.bulk_create([Invitation(group=group, inviter=morgan, "
        f"email=f'bulk{{n}}@globex.example', email_key=f'bulk{{n}}@globex.example', "
        f"sent_at=sent, expires_at=later) for n in range({count})], ignore_conflicts=True)\n"
        "print(json.dumps(True))"
    )


def test_soql_query_and_query_all_with_simple_salesforce(live_api: LiveApi) -> None:
    allow_customer_invitations(live_api, True)
    sf = oauth_login(live_api, "morgan@acme.example")
    groups = sf.query("SELECT Id, Name FROM CollaborationGroup WHERE CanHaveGuests = true")
    assert groups["done"] is True
    names = {row["Name"] for row in groups["records"]}
    assert "Customer Success Council" in names
    assert all(row["Id"].startswith("0F9") for row in groups["records"])

    council = council_id(sf)
    sf.restful(
        f"chatter/groups/group/{council}/invite",
        method="POST",
        json={"invitees": ["soql-pending@globex.example"]},
    )
    pending = sf.query_all(PENDING_SOQL)
    mine = [r for r in pending["records"] if r["InvitedUserEmail"] == "soql-pending@globex.example"]
    assert mine and mine[0]["SharedEntity"]["Name"] == "Customer Success Council"
    assert mine[0]["Status"] == "Sent"
    assert pending["totalSize"] == len(pending["records"])

    # Casey is a plain member: the pending list is for the group's managers.
    casey = soap_login(live_api, "casey@acme.example")
    assert casey.query_all(PENDING_SOQL)["totalSize"] == 0

    count = sf.query("SELECT COUNT() FROM User WHERE IsActive = true")
    assert count["totalSize"] >= 4 and count["records"] == []

    with pytest.raises(SalesforceMalformedRequest) as misspelled:
        sf.query("SELECT Id, Nmae FROM CollaborationGroup")
    assert misspelled.value.content[0]["errorCode"] == "INVALID_FIELD"
    assert (
        "No such column 'Nmae' on entity 'CollaborationGroup'"
        in (misspelled.value.content[0]["message"])
    )
    with pytest.raises(SalesforceMalformedRequest) as malformed:
        sf.query("SELECT Id FORM User")
    assert malformed.value.content[0]["errorCode"] == "MALFORMED_QUERY"


def test_query_all_pages_past_2000_rows_with_simple_salesforce(live_api: LiveApi) -> None:
    bulk_invitations(live_api, "Bulk Paging Group", 2100)
    sf = soap_login(live_api, "morgan@acme.example")
    soql = (
        "SELECT Id, InvitedUserEmail FROM CollaborationInvitation "
        "WHERE SharedEntity.Name = 'Bulk Paging Group' AND InvitedUserEmail LIKE 'bulk%'"
    )
    first = sf.query(soql)
    assert first["totalSize"] == 2100 and first["done"] is False
    assert len(first["records"]) == 2000
    assert first["nextRecordsUrl"].startswith("/services/data/")
    every = sf.query_all(soql)
    emails = [row["InvitedUserEmail"] for row in every["records"]]
    assert len(emails) == len(set(emails)) == 2100
    streamed = list(sf.query_all_iter(soql))
    assert len(streamed) == 2100
