"""Org-wide lists count at most LIST_COUNT_CAP rows and say when there are more."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Profile, User
from chatterorg.models import AuditEvent
from chatterorg.pagination import LIST_COUNT_CAP, CappedPaginator, page_get
from setup.views.users import USERS_PAGE_SIZE
from tests.chatterorg import fixtures

pytestmark = pytest.mark.django_db

admin_client = fixtures.admin_client


def _audit_events(count: int) -> None:
    AuditEvent.objects.bulk_create(
        AuditEvent(section="Test", action="test", display=f"Event {n}") for n in range(count)
    )


def test_a_short_list_is_counted_exactly() -> None:
    _audit_events(7)
    paginator = CappedPaginator(AuditEvent.objects.order_by("id"), 3, cap=10)
    assert (paginator.count, paginator.num_pages, paginator.capped) == (7, 3, False)


def test_a_list_at_the_cap_is_not_capped() -> None:
    _audit_events(10)
    paginator = CappedPaginator(AuditEvent.objects.order_by("id"), 3, cap=10)
    assert (paginator.count, paginator.capped) == (10, False)


def test_a_longer_list_counts_up_to_the_cap_with_a_limit_in_the_count() -> None:
    _audit_events(25)
    paginator = CappedPaginator(AuditEvent.objects.order_by("id"), 3, cap=10)
    with CaptureQueriesContext(connection) as queries:
        assert (paginator.count, paginator.num_pages, paginator.capped) == (10, 4, True)
    assert len(queries) == 1
    assert "COUNT(*)" in queries[0]["sql"] and "LIMIT 11" in queries[0]["sql"]


def test_pages_beyond_the_cap_give_the_last_counted_page() -> None:
    _audit_events(25)
    page = page_get(AuditEvent.objects.order_by("id"), 9, 3, cap=10)
    assert page.number == 4
    assert [e.display for e in page] == ["Event 9"]  # the tenth row, the last counted


def test_lists_are_counted_too() -> None:
    paginator = CappedPaginator(list(range(30)), 5, cap=12)
    assert (paginator.count, paginator.capped) == (12, True)


def test_no_cap_counts_everything() -> None:
    _audit_events(LIST_COUNT_CAP + 5)
    page = page_get(AuditEvent.objects.order_by("id"), 1, 25, cap=None)
    assert page.paginator.count == LIST_COUNT_CAP + 5


def test_setup_users_says_there_are_more_past_the_cap(admin_client) -> None:
    profile = Profile.objects.get(name=Profile.STANDARD_USER)
    User.objects.bulk_create(
        User(
            username=f"bulk{n}@acme.example",
            email=f"bulk{n}@acme.example",
            first_name="Bulk",
            last_name=f"User{n:05d}",
            profile=profile,
        )
        for n in range(LIST_COUNT_CAP + 1)
    )
    html = admin_client.get(reverse("setup:users")).content.decode()
    pages = -(-LIST_COUNT_CAP // USERS_PAGE_SIZE)
    assert f"Page 1 of {pages}+" in html


def test_a_search_reads_the_ids_once_for_the_count_and_the_page() -> None:
    _audit_events(25)
    matches = AuditEvent.objects.filter(display__contains="1").order_by("-id")
    expected = [e.display for e in matches][3:6]
    paginator = CappedPaginator(matches, 3, cap=10, ids_first=True)
    with CaptureQueriesContext(connection) as queries:
        page = paginator.page(2)
        shown = [e.display for e in page]
    assert shown == expected  # the list's order, not the ids' order
    assert (paginator.count, paginator.capped, paginator.num_pages) == (10, True, 4)
    assert len(queries) == 2
    assert "COUNT" not in queries[0]["sql"] and "LIMIT 11" in queries[0]["sql"]


def test_a_search_page_beyond_the_matches_gives_the_last_page() -> None:
    _audit_events(5)
    page = page_get(AuditEvent.objects.order_by("id"), 7, 2, search=True)
    assert page.number == 3
    assert [e.display for e in page] == ["Event 4"]


def test_a_search_with_no_match_is_one_empty_page() -> None:
    page = page_get(AuditEvent.objects.order_by("id"), 1, 2, search=True)
    assert (page.number, list(page), page.paginator.count) == (1, [], 0)
