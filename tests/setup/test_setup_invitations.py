"""Setup › Invitations: every invitation of the org, filters, bulk Resend / Cancel, CSV export."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from chatterorg.models import AuditEvent
from chatterorg.pagination import LIST_COUNT_CAP
from invitations.models import Invitation
from invitations.selectors import (
    LIST_STATUSES,
    InvitationFilters,
    invitation_status_counts,
    invitations_org_filtered,
)
from tests.factories import (
    CustomerFactory,
    InvitationFactory,
    PrivateCustomerGroupFactory,
    UserFactory,
)

LIST_URL = reverse("setup:invitations")
BULK_URL = reverse("setup:invitations_bulk")
EXPORT_URL = reverse("setup:invitations_export")


@pytest.fixture
def world(db):
    """One invitation in each status, in two groups, from two inviters."""
    council = PrivateCustomerGroupFactory(name="Customer Success Council")
    board = PrivateCustomerGroupFactory(name="Advisory Board")
    morgan = UserFactory(username="morgan@acme.example", first_name="Morgan")
    nora = UserFactory(username="nora@acme.example", first_name="Nora")
    now = timezone.now()
    sent = InvitationFactory(group=council, inviter=morgan, email="jane@globex.example")
    expired = InvitationFactory(
        group=council,
        inviter=morgan,
        email="raj@initech.example",
        sent_at=now - timedelta(days=70),
        expires_at=now - timedelta(days=10),
    )
    accepted = InvitationFactory(
        group=board,
        inviter=nora,
        email="li@globex.example",
        status=Invitation.Status.ACCEPTED,
        accepted_at=now,
        accepted_user=CustomerFactory(email="li@globex.example"),
    )
    canceled = InvitationFactory(
        group=board,
        inviter=nora,
        email="=cmd@hack.example",
        status=Invitation.Status.CANCELED,
        canceled_at=now,
    )
    return {
        "sent": sent,
        "expired": expired,
        "accepted": accepted,
        "canceled": canceled,
        "morgan": morgan,
    }


def _emails(response) -> list[str]:
    return [invitation.email for invitation in response.context["page"].object_list]


# Who may open it -------------------------------------------------------------------------------


def test_a_customer_gets_data_not_available(client, db):
    client.force_login(CustomerFactory())
    assert client.get(LIST_URL).status_code == 404


def test_a_user_without_manage_users_gets_insufficient_privileges(user_client):
    assert user_client.get(LIST_URL).status_code == 403
    assert user_client.get(EXPORT_URL).status_code == 403
    assert user_client.post(BULK_URL, {"operation": "cancel"}).status_code == 403


def test_manage_users_alone_opens_the_page_and_the_setup_tree_links_it(client, user_manager, world):
    client.force_login(user_manager)
    response = client.get(LIST_URL)
    assert response.status_code == 200
    assert f'href="{LIST_URL}"' in response.content.decode()


# The list ---------------------------------------------------------------------------------------


def test_every_status_is_listed_with_expired_computed_from_the_expiry(admin_client, world):
    response = admin_client.get(LIST_URL)

    shown = {inv.email: inv.display_status for inv in response.context["page"].object_list}
    assert shown == {
        "jane@globex.example": "Sent",
        "raj@initech.example": "Expired",
        "li@globex.example": "Accepted",
        "=cmd@hack.example": "Canceled",
    }
    assert dict(response.context["counts"]) == {
        "Sent": 1,
        "Expired": 1,
        "Accepted": 1,
        "Canceled": 1,
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "Sent"}, ["jane@globex.example"]),
        ({"status": "Expired"}, ["raj@initech.example"]),
        ({"status": "Accepted"}, ["li@globex.example"]),
        ({"group": "advisory"}, ["li@globex.example", "=cmd@hack.example"]),
        ({"inviter": "morgan"}, ["jane@globex.example", "raj@initech.example"]),
        ({"domain": "GLOBEX.example"}, ["jane@globex.example", "li@globex.example"]),
        ({"q": "raj"}, ["raj@initech.example"]),
    ],
    ids=["sent", "expired", "accepted", "group", "inviter", "domain", "search"],
)
def test_filters_narrow_the_list(admin_client, world, params, expected):
    response = admin_client.get(LIST_URL, params)
    assert sorted(_emails(response)) == sorted(expected)


def test_the_sent_date_filter_takes_whole_days(admin_client, world):
    today = timezone.localdate()
    response = admin_client.get(LIST_URL, {"sent_from": today.isoformat()})
    assert "raj@initech.example" not in _emails(response)
    response = admin_client.get(LIST_URL, {"sent_to": (today - timedelta(days=60)).isoformat()})
    assert _emails(response) == ["raj@initech.example"]


def test_counts_follow_the_other_filters_but_not_the_status(admin_client, world):
    response = admin_client.get(LIST_URL, {"status": "Sent", "group": "council"})
    assert dict(response.context["counts"]) == {
        "Sent": 1,
        "Expired": 1,
        "Accepted": 0,
        "Canceled": 0,
    }


def test_an_idn_domain_filter_matches_both_spellings(admin_client, db):
    InvitationFactory(email="anna@bücher.example")
    InvitationFactory(email="otto@xn--bcher-kva.example")
    InvitationFactory(email="jane@globex.example")
    response = admin_client.get(LIST_URL, {"domain": "BÜCHER.example"})
    assert sorted(_emails(response)) == ["anna@bücher.example", "otto@xn--bcher-kva.example"]


def test_the_page_query_count_does_not_depend_on_the_number_of_invitations(
    admin_client, django_assert_num_queries, world
):
    admin_client.get(LIST_URL)  # warm the session and the URL cache

    def count_queries() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(LIST_URL).status_code == 200
        return len(captured)

    few = count_queries()
    group = PrivateCustomerGroupFactory()
    inviter = UserFactory()
    now = timezone.now()
    Invitation.objects.bulk_create(
        Invitation(
            group=group,
            inviter=inviter,
            email=f"many{n}@globex.example",
            email_key=f"many{n}@globex.example",
            expires_at=now + timedelta(days=1),
        )
        for n in range(120)
    )
    # session, user, org, the capped counts per status (one query), the capped count, the
    # page's rows
    # (group, inviter and accepted user joined), plus the Setup tree's permission reads
    with django_assert_num_queries(few):
        assert admin_client.get(LIST_URL).status_code == 200


def _canceled(count: int, *, domain: str = "globex.example") -> None:
    group = PrivateCustomerGroupFactory()
    inviter = UserFactory()
    now = timezone.now()
    Invitation.objects.bulk_create(
        Invitation(
            group=group,
            inviter=inviter,
            email=f"gone{n}@{domain}",
            status=Invitation.Status.CANCELED,
            canceled_at=now,
            expires_at=now + timedelta(days=1),
        )
        for n in range(count)
    )


def test_a_count_past_the_cap_says_there_are_more(admin_client, world):
    _canceled(LIST_COUNT_CAP + 1)

    response = admin_client.get(LIST_URL)

    assert dict(response.context["counts"])["Canceled"] == LIST_COUNT_CAP
    assert response.context["counts_capped"] == {"Canceled"}
    html = response.content.decode()
    assert f"Canceled ({LIST_COUNT_CAP}+)" in html
    assert "Sent (1)</a>" in html
    assert f"All ({LIST_COUNT_CAP + 3}+)" in html


def test_each_status_is_counted_with_a_limit_and_without_sorting_in_one_query(db):
    filters = InvitationFilters(domain="globex.example")
    with CaptureQueriesContext(connection) as queries:
        invitation_status_counts(filters=filters)

    (query,) = queries.captured_queries
    sql = query["sql"]
    assert sql.count(f"LIMIT {LIST_COUNT_CAP + 1}") == len(LIST_STATUSES), sql
    assert sql.count("COUNT(*)") == len(LIST_STATUSES) and "ORDER BY" not in sql, sql
    assert sql.count('"email_domain" = ') == len(LIST_STATUSES) and "LIKE" not in sql, sql


# A count, bounded, read off an index (bench/invitations_plans.py shows which one on a large
# org: the status index, or the domain's; on a test table the planner's pick among the
# indexes that can serve a status varies with the table's dead rows).
COUNT_PLAN = r"Limit .*\n.*Index (Only )?Scan using invitation\w* "


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN output of PostgreSQL")
@pytest.mark.parametrize(
    "filters",
    [InvitationFilters(), InvitationFilters(domain="umbrella.example")],
    ids=["whole-org", "one-domain"],
)
def test_on_postgresql_each_count_reads_at_most_the_cap_off_an_index(db, filters):
    # Thousands of invitations in a few domains, a handful in the one filtered on, and the
    # planner's statistics of them: on a tiny table any index is as cheap as another.
    _canceled(2000)
    _canceled(2000, domain="initech.example")
    group, inviter, now = PrivateCustomerGroupFactory(), UserFactory(), timezone.now()
    Invitation.objects.bulk_create(
        Invitation(
            group=group, inviter=inviter, email=email, expires_at=now + timedelta(days=n % 3 - 1)
        )
        for n, email in enumerate(
            [f"live{n}@initech.example" for n in range(500)]
            + [f"few{n}@umbrella.example" for n in range(3)]
        )
    )
    with CaptureQueriesContext(connection) as queries:
        invitation_status_counts(filters=filters)

    (query,) = queries.captured_queries  # the four counts in one query
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE invitations_invitation")
        # Still small: make scanning the whole table the last resort.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"EXPLAIN {query['sql']}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert len(re.findall(COUNT_PLAN, plan)) == len(LIST_STATUSES), plan


def test_the_expired_tab_lists_the_most_recently_expired_first(admin_client, db):
    group, inviter, now = PrivateCustomerGroupFactory(), UserFactory(), timezone.now()
    # (sent, expired) days ago: sent b, c, a; expired b, a, c (the expiry setting changed)
    for name, sent, expired in [("a", 70, 3), ("b", 62, 1), ("c", 65, 9)]:
        Invitation.objects.create(
            group=group,
            inviter=inviter,
            email=f"{name}@globex.example",
            sent_at=now - timedelta(days=sent),
            expires_at=now - timedelta(days=expired),
        )
    Invitation.objects.create(
        group=group, inviter=inviter, email="live@globex.example", expires_at=now + timedelta(1)
    )

    response = admin_client.get(LIST_URL, {"status": "Expired"})

    assert _emails(response) == ["b@globex.example", "a@globex.example", "c@globex.example"]


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN output of PostgreSQL")
def test_on_postgresql_the_expired_tab_reads_its_page_off_the_status_index(db):
    _canceled(2000)
    group, inviter, now = PrivateCustomerGroupFactory(), UserFactory(), timezone.now()
    Invitation.objects.bulk_create(
        Invitation(
            group=group,
            inviter=inviter,
            email=f"n{n}@initech.example",
            sent_at=now - timedelta(days=n % 120),
            expires_at=now - timedelta(days=n % 120) + timedelta(days=60),
        )
        for n in range(3000)
    )
    page = invitations_org_filtered(filters=InvitationFilters(status="Expired"))[:50]
    sql, params = page.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE invitations_invitation")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Scan Backward using invitation_status_expires_idx" in plan, plan
    # No sort of every expired invitation (an incremental sort of equal expiries may stay).
    assert not re.search(r"(^|->)\s*Sort\s+\(cost", plan, re.MULTILINE), plan


# Bulk Resend and Cancel --------------------------------------------------------------------------


def test_bulk_cancel_asks_first_and_writes_nothing_until_confirmed(admin_client, world):
    ids = [world["sent"].pk, world["expired"].pk]

    response = admin_client.post(
        BULK_URL, {"operation": "cancel", "invitation": ids, "next": LIST_URL + "?status=Sent"}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Cancel 2 invitations?" in html
    assert "Cancel Invitations" in html
    assert f'href="{LIST_URL}?status=Sent"' in html  # going back keeps the filters
    for pk in ids:
        assert f'name="invitation" value="{pk}"' in html
    assert 'name="confirm" value="1"' in html
    statuses = set(Invitation.objects.filter(pk__in=ids).values_list("status", flat=True))
    assert statuses == {Invitation.Status.SENT}
    assert not AuditEvent.objects.filter(action="invitation.canceled").exists()


def test_bulk_cancel_cancels_the_selected_pending_and_skips_the_rest(admin_client, world):
    ids = [world["sent"].pk, world["expired"].pk, world["accepted"].pk]

    response = admin_client.post(
        BULK_URL,
        {
            "operation": "cancel",
            "invitation": ids,
            "next": LIST_URL + "?status=Sent",
            "confirm": "1",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == LIST_URL + "?status=Sent"
    world["sent"].refresh_from_db()
    world["expired"].refresh_from_db()
    world["accepted"].refresh_from_db()
    assert world["sent"].status == world["expired"].status == Invitation.Status.CANCELED
    assert world["sent"].canceled_at is not None
    assert world["accepted"].status == Invitation.Status.ACCEPTED
    event = AuditEvent.objects.get(action="invitation.canceled")
    assert "jane@globex.example" in event.new_value and "raj@initech.example" in event.new_value


def test_bulk_resend_restarts_the_expiry_for_the_days_each_was_sent_for(
    admin_client, admin_user, world, django_capture_on_commit_callbacks
):
    start = timezone.now()
    short = InvitationFactory(
        email="short@globex.example", sent_at=start, expires_at=start + timedelta(days=3)
    )
    with (
        time_machine.travel(timezone.now() + timedelta(hours=1), tick=False),
        django_capture_on_commit_callbacks() as callbacks,
    ):
        admin_client.post(
            BULK_URL, {"operation": "resend", "invitation": [world["expired"].pk, short.pk]}
        )
        now = timezone.now()

    world["expired"].refresh_from_db()
    short.refresh_from_db()
    assert world["expired"].expires_at == now + timedelta(days=60)
    assert short.expires_at == now + timedelta(days=3)
    assert short.inviter_id == admin_user.pk and short.token_hash is None
    assert AuditEvent.objects.filter(action="invitation.resent").count() == 1
    assert len(callbacks) == 1  # one email task for the whole selection


def test_bulk_resend_over_the_daily_limit_writes_nothing(admin_client, org, world):
    org.invitations_per_day = 1
    org.save()
    before = list(Invitation.objects.order_by("pk").values_list("sent_at", "inviter_id"))

    response = admin_client.post(
        BULK_URL,
        {"operation": "resend", "invitation": [world["sent"].pk, world["expired"].pk]},
        follow=True,
    )

    assert "You can invite at most 1 people" in response.content.decode()
    assert list(Invitation.objects.order_by("pk").values_list("sent_at", "inviter_id")) == before
    assert not AuditEvent.objects.filter(action="invitation.resent").exists()


def test_bulk_action_with_nothing_selected_says_so(admin_client, world):
    response = admin_client.post(BULK_URL, {"operation": "cancel"}, follow=True)
    assert "Select at least one invitation." in response.content.decode()


def test_bulk_action_refuses_a_foreign_next_url(admin_client, world):
    response = admin_client.post(
        BULK_URL,
        {
            "operation": "cancel",
            "invitation": [world["sent"].pk],
            "next": "https://evil.example/",
            "confirm": "1",
        },
    )
    assert response["Location"] == LIST_URL


# CSV export ---------------------------------------------------------------------------------


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def test_the_export_is_the_filtered_list_and_defuses_formulas(admin_client, world):
    response = admin_client.get(EXPORT_URL, {"group": "advisory"})

    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    header, *rows = _csv(response)
    assert header[:4] == ["Email", "Status", "Group", "Invited By"]
    assert sorted(row[0] for row in rows) == ["'=cmd@hack.example", "li@globex.example"]
    accepted = next(row for row in rows if row[0] == "li@globex.example")
    assert accepted[1] == "Accepted" and accepted[2] == "Advisory Board"


def test_the_export_says_expired(admin_client, world):
    _header, *rows = _csv(admin_client.get(EXPORT_URL, {"status": "Expired"}))
    assert [(row[0], row[1]) for row in rows] == [("raj@initech.example", "Expired")]


def test_the_export_of_20000_invitations_streams_from_one_query(
    admin_client, django_assert_max_num_queries, db
):
    group = PrivateCustomerGroupFactory()
    inviter = UserFactory()
    now = timezone.now()
    Invitation.objects.bulk_create(
        (
            Invitation(
                group=group,
                inviter=inviter,
                email=f"guest{n}@globex.example",
                email_key=f"guest{n}@globex.example",
                expires_at=now + timedelta(days=1),
            )
            for n in range(20_000)
        ),
        batch_size=2000,
    )
    admin_client.get(LIST_URL)  # the session is read once here, not counted below

    # session, user, the permission reads of the Setup gate, and one query for the rows,
    # read in chunks by the iterator while the response streams
    with django_assert_max_num_queries(6):
        response = admin_client.get(EXPORT_URL)
        rows = _csv(response)

    assert len(rows) == 20_001
