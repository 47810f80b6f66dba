"""Setup Audit Trail: who changed what, when, old → new; newest first, a page at a time."""

from __future__ import annotations

import pytest
from django.urls import reverse
from time_machine import travel

from chatterorg.actions import audit_record
from chatterorg.models import AuditEvent
from setup.views.org import AUDIT_TRAIL_PAGE_SIZE
from tests.factories import AdminFactory

pytestmark = pytest.mark.django_db

URL = reverse("setup:audit_trail")


def events(count: int) -> None:
    for n in range(count):
        audit_record(
            actor=AdminFactory(),
            section="Chatter Settings",
            action="chatter_settings.changed",
            display=f"Change number {n}",
            old=False,
            new=True,
        )


def test_audit_trail_shows_date_user_section_action_and_old_and_new(admin_client, admin_user):
    with travel("2026-03-04 15:30:00+00:00", tick=False):
        audit_record(
            actor=admin_user,
            section="Chatter Settings",
            action="chatter_settings.changed",
            display=(
                'Changed Chatter setting "Allow Customer Invitations" from Unchecked to Checked'
            ),
            old=False,
            new=True,
        )

    html = admin_client.get(URL).content.decode()

    assert "<h1>View Setup Audit Trail</h1>" in html
    for header in ("Date", "User", "Section", "Action", "Old Value", "New Value"):
        assert f'<th scope="col">{header}</th>' in html
    assert "3/4/2026 3:30 PM" in html
    assert "admin@acme.example" in html
    assert "Chatter Settings" in html
    assert "Changed Chatter setting &quot;Allow Customer Invitations&quot;" in html
    assert "<td>Unchecked</td>" in html
    assert "<td>Checked</td>" in html


def test_changes_without_a_user_show_system(admin_client):
    audit_record(actor=None, section="Manage Users", action="user.created", display="Seeded")

    assert "<td>System</td>" in admin_client.get(URL).content.decode()


def test_newest_change_comes_first(admin_client):
    with travel("2026-01-01 09:00:00+00:00", tick=False):
        audit_record(actor=None, section="S", action="a", display="Older change")
    with travel("2026-01-02 09:00:00+00:00", tick=False):
        audit_record(actor=None, section="S", action="a", display="Newer change")

    html = admin_client.get(URL).content.decode()

    assert html.index("Newer change") < html.index("Older change")


def test_audit_trail_is_paginated(admin_client):
    events(AUDIT_TRAIL_PAGE_SIZE + 1)

    first = admin_client.get(URL).content.decode()
    second = admin_client.get(URL, {"page": 2}).content.decode()

    assert first.count("Change number") == AUDIT_TRAIL_PAGE_SIZE
    assert second.count("Change number") == 1
    assert "Page 2 of 2" in second


def test_an_empty_trail_says_so(admin_client):
    assert "No changes have been recorded yet." in admin_client.get(URL).content.decode()


@pytest.mark.parametrize("rows", [1, 30])
def test_query_count_does_not_grow_with_the_rows(admin_client, django_assert_num_queries, rows):
    events(rows)
    assert AuditEvent.objects.count() == rows

    # session, user with their profile, the user's permission sets, count,
    # the page of events, their users, the org (header)
    with django_assert_num_queries(7):
        response = admin_client.get(URL)

    assert response.content.decode().count("Change number") == rows


def test_standard_user_cannot_see_the_audit_trail(user_client):
    assert user_client.get(URL).status_code == 403


def test_user_manager_without_customize_application_cannot_see_it(client, user_manager):
    client.force_login(user_manager)

    assert client.get(URL).status_code == 403
