"""Customer usernames: the lowest free number, found by exact look-ups on the unique index."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from invitations.join.usernames import customer_username
from tests.factories import CustomerFactory


def _jane() -> str:
    return customer_username(
        invitee_email="Jane@Globex.example", inviter_email="morgan@acme.example"
    )


def test_names_taken_in_any_case_are_collisions(db):
    CustomerFactory(username="JANE@guest.acme.example")
    CustomerFactory(username="Jane2@Guest.Acme.Example")
    CustomerFactory(username="jAnE4@GUEST.acme.example")

    assert _jane() == "jane3@guest.acme.example"


def test_past_the_first_ten_the_next_look_up_finds_the_lowest_free_number(
    db, django_assert_num_queries
):
    for n in ("", *range(2, 13)):
        CustomerFactory(username=f"jane{n}@guest.acme.example")

    with django_assert_num_queries(2):  # jane … jane10, then jane11 … jane30
        assert _jane() == "jane13@guest.acme.example"


def test_a_gap_in_the_second_look_up_is_taken_first(db):
    for n in ("", *range(2, 11), 12):
        CustomerFactory(username=f"JANE{n}@guest.acme.example")

    assert _jane() == "jane11@guest.acme.example"


def test_numbers_past_the_first_look_ups_keep_counting(db):
    # jane … jane30 fill the first two look-ups (10 and 20 candidates).
    for n in ("", *range(2, 31)):
        CustomerFactory(username=f"jane{n}@guest.acme.example")

    assert _jane() == "jane31@guest.acme.example"


def test_a_long_local_part_is_shortened_and_numbered_within_the_limit(db):
    # 80 characters at most: 19 for "@guest.acme.example", 6 kept for the number.
    shortened = "j" * (80 - len("@guest.acme.example") - 6)
    CustomerFactory(username=f"{shortened.upper()}@guest.acme.example")

    username = customer_username(
        invitee_email=f"{'J' * 64}@globex.example", inviter_email="morgan@acme.example"
    )

    assert username == f"{shortened}2@guest.acme.example"
    assert len(username) <= 80


def test_each_look_up_is_an_exact_match_on_the_lower_case_username(db):
    with CaptureQueriesContext(connection) as queries:
        _jane()

    (query,) = queries.captured_queries
    sql = query["sql"].upper()
    assert 'WHERE LOWER("ACCOUNTS_USER"."USERNAME") IN (' in sql
    assert "LIKE" not in sql
    assert "ORDER BY" not in sql


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN output of PostgreSQL")
def test_on_postgresql_the_look_up_can_use_the_unique_index(db):
    CustomerFactory(username="jane@guest.acme.example")
    with CaptureQueriesContext(connection) as queries:
        _jane()
    sql = queries.captured_queries[0]["sql"]

    with connection.cursor() as cursor:
        # A test table is tiny: make scanning the whole table (or a whole index) the last resort.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"EXPLAIN {sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "Index Scan using user_username_ci_unique" in plan, plan
    assert "Index Cond: (lower((username)::text) = ANY" in plan, plan
