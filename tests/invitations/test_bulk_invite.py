"""Bulk invites from a CSV file or a pasted list: the dry run, "Send", and bad files."""

from __future__ import annotations

import html
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chatterorg.models import AuditEvent, Organization
from invitations import bulk
from invitations.actions import invitations_send, invite_request_clean
from invitations.bulk import BulkRequest, bulk_plan, bulk_rows_from_file, invitations_bulk_send
from invitations.models import Invitation
from tests.factories import CustomerFactory, MembershipFactory, UserFactory


def bulk_url(group) -> str:
    return reverse("invitations:invite_bulk", kwargs={"group_id": group.pk})


def _upload(content: bytes, name: str = "people.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def _dry_run(client, group, content: bytes, **extra):
    return client.post(bulk_url(group), {"file": _upload(content), **extra})


def _statuses(response) -> list[tuple[str, str]]:
    return [(row.email, row.status) for row in response.context["plan"].rows]


FIVE_ROWS = (
    b"email,first name,last name,message\n"
    b"jane@globex.example,Jane,Doe,\n"
    b"not-an-address,,,\n"
    b"new.hire@acme.example,New,Hire,\n"
    b"casey@acme.example,Casey,Diaz,\n"
    b'raj@initech.example,Raj,Patel,"Welcome, Raj"\n'
)


@pytest.fixture
def company_domain(org):
    org.company_email_domains = "acme.example"
    org.save()
    return org


# The acceptance story ----------------------------------------


def test_a_five_row_file_is_dry_run_then_sent_exactly(client, council, company_domain):
    client.force_login(council.morgan)

    response = _dry_run(client, council, FIVE_ROWS)

    assert response.status_code == 200
    assert _statuses(response) == [
        ("jane@globex.example", "Invited"),
        ("not-an-address", "InvalidAddress"),
        ("new.hire@acme.example", "CompanyDomain"),
        ("casey@acme.example", "NoActionNeededUser"),
        ("raj@initech.example", "Invited"),
    ]
    assert "Send to the 2 valid addresses" in response.content.decode()
    assert not Invitation.objects.exists()  # the dry run writes nothing
    assert not AuditEvent.objects.exists()

    response = client.post(bulk_url(council), {"send": "1"})

    assert response.status_code == 302
    assert response["Location"] == reverse("invitations:invite", kwargs={"group_id": council.pk})
    invitations = {inv.email: inv for inv in Invitation.objects.all()}
    assert set(invitations) == {"jane@globex.example", "raj@initech.example"}
    assert invitations["raj@initech.example"].message == "Welcome, Raj"
    assert invitations["jane@globex.example"].first_name == "Jane"
    assert invitations["jane@globex.example"].last_name == "Doe"
    page = client.get(response["Location"]).content.decode()
    assert "is in your company&#x27;s domain" in page
    assert "Invalid address" in page


def test_send_after_the_world_changed_sends_nothing_and_shows_the_new_plan(client, council):
    client.force_login(council.morgan)
    _dry_run(client, council, b"email\njane@globex.example\nraj@initech.example\n")
    # Meanwhile Jane is invited from the Invite People page and Raj becomes a member.
    invitations_send(
        actor=council.morgan,
        group=council,
        invite=invite_request_clean(addresses=["jane@globex.example"], message=""),
    )
    MembershipFactory(group=council, user=UserFactory(email="raj@initech.example"))
    before = Invitation.objects.count(), AuditEvent.objects.count()

    response = client.post(bulk_url(council), {"send": "1"})

    assert response.status_code == 200
    assert response.context["changed"]
    assert "Something changed since the dry run" in response.content.decode()
    assert _statuses(response) == [
        ("jane@globex.example", "Resent"),
        ("raj@initech.example", "NoActionNeededUser"),
    ]
    assert (Invitation.objects.count(), AuditEvent.objects.count()) == before

    # The new plan is what a second Send commits.
    assert client.post(bulk_url(council), {"send": "1"}).status_code == 302
    assert AuditEvent.objects.filter(action="invitation.resent").count() == 1


def test_send_without_a_dry_run_sends_nothing(client, council):
    client.force_login(council.morgan)
    response = client.post(bulk_url(council), {"send": "1"}, follow=True)
    assert "there is no dry run to send" in response.content.decode()
    assert not Invitation.objects.exists()


def test_the_action_refuses_a_plan_other_than_the_one_shown(council):
    request = BulkRequest(rows=tuple(bulk.bulk_rows_from_text("jane@globex.example")))
    with pytest.raises(bulk.PlanChanged) as changed:
        invitations_bulk_send(
            actor=council.morgan,
            group=council,
            bulk=request,
            shown=[["jane@globex.example", "Resent"]],
        )
    assert changed.value.plan.signature == [["jane@globex.example", "Invited"]]
    assert not Invitation.objects.exists()


# Rows the dry run leaves out ----------------------------------------


def test_rows_over_the_daily_limit_are_left_out(client, council, org):
    org.invitations_per_day = 2
    org.save()
    client.force_login(council.morgan)

    response = _dry_run(
        client, council, b"email\na@globex.example\nb@globex.example\nc@x.example\n"
    )
    assert [status for _email, status in _statuses(response)] == [
        "Invited",
        "Invited",
        "OverDailyLimit",
    ]
    client.post(bulk_url(council), {"send": "1"})

    assert sorted(Invitation.objects.values_list("email", flat=True)) == [
        "a@globex.example",
        "b@globex.example",
    ]


def test_duplicates_blocked_domains_and_deactivated_accounts_are_named(client, council, org):
    org.customer_domain_rule = "deny"
    org.customer_domains = "*.initech.example"
    org.save()
    CustomerFactory(email="gone@globex.example", is_active=False)
    client.force_login(council.morgan)

    response = _dry_run(
        client,
        council,
        b"Email Address\nJane@Globex.example\njane@globex.example\nraj@eu.initech.example\n"
        b"gone@globex.example\n",
    )

    assert _statuses(response) == [
        ("Jane@globex.example", "Invited"),
        ("jane@globex.example", "Duplicate"),
        ("raj@eu.initech.example", "BlockedByDomainRule"),
        ("gone@globex.example", "DeactivatedUser"),
    ]


def test_a_pasted_list_with_invalid_addresses_offers_the_valid_ones(client, council):
    client.force_login(council.morgan)

    response = client.post(bulk_url(council), {"addresses": "a@globex.example, nope; b@x.example"})

    assert "Send to the 2 valid addresses" in response.content.decode()
    client.post(bulk_url(council), {"send": "1"})
    assert Invitation.objects.count() == 2


# Who may ----------------------------------------


def test_a_member_without_invite_people_is_refused(client, council):
    client.force_login(council.casey)
    assert client.get(bulk_url(council)).status_code == 403
    assert _dry_run(client, council, FIVE_ROWS).status_code == 403


def test_a_customer_outside_the_group_gets_data_not_available(client, council):
    client.force_login(CustomerFactory())
    assert client.get(bulk_url(council)).status_code == 404


def test_send_is_refused_when_the_right_to_invite_is_gone(client, council):
    client.force_login(council.morgan)
    _dry_run(client, council, b"email\njane@globex.example\n")
    Organization.objects.update(allow_customer_invitations=False)

    assert client.post(bulk_url(council), {"send": "1"}).status_code == 403
    assert not Invitation.objects.exists()


# Files ----------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        "email,first name\njosé@globex.example,José\n".encode(),
        "\ufeffemail,first name\njosé@globex.example,José\n".encode(),
        "email,first name\njose@globex.example,José\n".encode("cp1252"),
    ],
    ids=["utf-8", "utf-8 with BOM", "windows-1252"],
)
def test_utf8_with_or_without_bom_and_windows_1252_are_read(content):
    rows = bulk_rows_from_file(io.BytesIO(content))
    assert [row.first_name for row in rows] == ["José"]
    assert rows[0].address.endswith("@globex.example")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"email\njane@globex.example\n\x81\x8d\x8f\n", "isn't UTF-8 or Windows-1252"),
        (b"PK\x03\x04\x00\x00binary", "isn't a CSV file"),
        (b"name,company\nJane,Globex\n", "has no email column"),
        (b"", "is empty"),
        (b"email\n", "has no rows under its header"),
        (b"email\n" + b"a@globex.example\n" * 1001, "more than 1,000 rows"),
        (b"email\n" + b"a" * 1_000_001, "over 1 MB"),
    ],
    ids=["not utf-8", "not csv", "no email column", "empty", "header only", "rows", "size"],
)
def test_a_bad_file_gets_a_clear_message_and_nothing_is_written(client, council, content, message):
    client.force_login(council.morgan)

    response = _dry_run(client, council, content)

    assert response.status_code == 200
    assert message in html.unescape(response.content.decode())
    assert response.context["plan"] is None
    assert not Invitation.objects.exists()
    assert client.post(bulk_url(council), {"send": "1"}).status_code == 302  # no dry run kept
    assert not Invitation.objects.exists()


def test_the_parse_streams_across_chunks_and_quoted_line_breaks(monkeypatch):
    monkeypatch.setattr(bulk, "CHUNK_BYTES", 5)
    content = 'email,message\r\njane@globex.example,"Hi,\r\nJane"\r\nraj@x.example,Bye\r\n'
    rows = bulk_rows_from_file(io.BytesIO(content.encode()))
    assert [(row.line, row.address, row.message) for row in rows] == [
        (2, "jane@globex.example", "Hi,\r\nJane"),
        (3, "raj@x.example", "Bye"),
    ]


def test_a_big_file_is_refused_before_it_is_read():
    with pytest.raises(ValidationError, match="over 1 MB"):
        bulk_rows_from_file(io.BytesIO(b""), size=bulk.MAX_BYTES + 1)


# Bounded queries ----------------------------------------


def _dry_run_queries(council, count: int) -> int:
    rows = tuple(bulk.bulk_rows_from_text(",".join(f"p{n}@globex.example" for n in range(count))))
    with CaptureQueriesContext(connection) as captured:
        plan = bulk_plan(actor=council.morgan, group=council, bulk=BulkRequest(rows=rows))
    assert len(plan.rows) == count
    return len(captured)


def test_a_1000_row_dry_run_takes_as_many_queries_as_a_10_row_one(council, org):
    org.invitations_per_day = 5000
    org.save()
    _dry_run_queries(council, 1)  # the actor's permissions are read once, then kept
    # org, membership, users by address, pending invitations, the daily count
    assert _dry_run_queries(council, 1000) == _dry_run_queries(council, 10) == 5


def test_a_1000_row_dry_run_page_is_one_request_with_bounded_queries(
    client, council, org, django_assert_max_num_queries
):
    org.invitations_per_day = 5000
    org.save()
    client.force_login(council.morgan)
    content = b"email\n" + b"".join(b"p%d@globex.example\n" % n for n in range(1000))
    client.get(bulk_url(council))

    # session, user, org, group, membership and permission reads, the plan's reads (users
    # by address, memberships, pending invitations, the daily count), the licence, and
    # the session's write
    with django_assert_max_num_queries(16):
        response = _dry_run(client, council, content)

    assert response.context["plan"].sending == 1000
