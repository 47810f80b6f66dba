"""Customers' sponsors and access end dates: sign-up, Setup, and the scheduled job."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.guests import customer_access_end, customer_access_set
from accounts.models import User
from chatterorg.models import AuditEvent, Licence
from invitations.lifecycle import customer_access_run
from tests.factories import (
    CustomerFactory,
    MembershipFactory,
    PrivateCustomerGroupFactory,
    UserFactory,
)
from tests.invitations.join_helpers import invitation_sent, join_submit

CUSTOMERS_URL = reverse("setup:customers")


def access_url(user) -> str:
    return reverse("setup:user_customer_access", kwargs={"user_id": user.pk})


@pytest.fixture
def sponsor(db):
    return UserFactory(username="morgan@acme.example", email="morgan@acme.example")


# Sign-up sets the sponsor and the end --------------------------------------------------------


def test_a_sign_up_makes_the_inviter_sponsor_and_applies_the_org_access_days(
    client, customers_allowed, time_machine
):
    time_machine.move_to("2026-03-01 09:00Z", tick=False)
    customers_allowed.customer_access_days = 90
    customers_allowed.save()
    _invitation, raw = invitation_sent(email="jane@globex.example")

    assert join_submit(client, raw).status_code == 302

    jane = User.objects.get(email="jane@globex.example")
    assert jane.sponsor == _invitation.inviter
    assert jane.access_ends_on == date(2026, 5, 30)


def test_without_an_org_value_access_does_not_end(client, customers_allowed):
    _invitation, raw = invitation_sent(email="jane@globex.example")
    join_submit(client, raw)
    assert User.objects.get(email="jane@globex.example").access_ends_on is None


# Setup: reassign the sponsor and set the date ----------------------------------------------------


def test_an_admin_reassigns_the_sponsor_and_sets_the_date(admin_client, sponsor, db):
    customer = CustomerFactory()
    ends = timezone.localdate() + timedelta(days=10)

    response = admin_client.post(
        access_url(customer), {"sponsor": "MORGAN@acme.example", "access_ends_on": ends}
    )

    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.sponsor == sponsor and customer.access_ends_on == ends
    assert set(AuditEvent.objects.values_list("action", flat=True)) == {
        "user.sponsor_changed",
        "user.access_end_changed",
    }


@pytest.mark.parametrize("sponsor_name", ["nobody@acme.example", "customer"])
def test_a_sponsor_who_is_no_active_coworker_is_refused_and_nothing_written(
    admin_client, db, sponsor_name
):
    customer = CustomerFactory()
    other = CustomerFactory(username="other@guest.acme.example")
    name = other.username if sponsor_name == "customer" else sponsor_name

    response = admin_client.post(access_url(customer), {"sponsor": name})

    assert response.status_code == 200
    assert response.context["form"].errors
    customer.refresh_from_db()
    assert customer.sponsor is None
    assert not AuditEvent.objects.exists()


def test_only_customers_have_the_access_page(admin_client, sponsor):
    assert admin_client.get(access_url(sponsor)).status_code == 404


def test_the_access_pages_need_manage_users(client, user, db):
    customer = CustomerFactory()
    client.force_login(user)
    assert client.get(access_url(customer)).status_code == 403
    assert client.get(CUSTOMERS_URL).status_code == 403
    client.force_login(customer)
    assert client.get(CUSTOMERS_URL).status_code == 404


def test_the_action_refuses_an_actor_without_manage_users(user, db):
    with pytest.raises(PermissionDenied):
        customer_access_set(actor=user, user=CustomerFactory(), sponsor=None, access_ends_on=None)


def test_the_action_refuses_a_past_date_for_an_active_customer(admin_user):
    with pytest.raises(ValidationError):
        customer_access_set(
            actor=admin_user,
            user=CustomerFactory(),
            sponsor=None,
            access_ends_on=timezone.localdate() - timedelta(days=1),
        )


# The Customers view ------------------------------------------------------------------------------


def test_the_customers_view_lists_sponsor_groups_and_access_end(admin_client, sponsor):
    group = PrivateCustomerGroupFactory(name="Advisory Board")
    jane = CustomerFactory(
        username="jane@guest.acme.example",
        company_name="Globex",
        sponsor=sponsor,
        access_ends_on=date(2026, 12, 31),
    )
    MembershipFactory(group=group, user=jane)
    UserFactory()  # internal users are not listed

    response = admin_client.get(CUSTOMERS_URL)

    page = response.content.decode()
    assert [user.username for user in response.context["page"].object_list] == [jane.username]
    assert "Advisory Board" in page and "morgan@acme.example" in page and "Dec 31, 2026" in page


def test_each_customer_lists_their_groups_by_name_escaped(admin_client):
    jane, raj = CustomerFactory(), CustomerFactory()
    for name in ("Zeta Council", "Alpha <Partners>"):
        MembershipFactory(group=PrivateCustomerGroupFactory(name=name), user=jane)

    page = admin_client.get(CUSTOMERS_URL).content.decode()

    assert "Alpha &lt;Partners&gt;, Zeta Council" in page
    shown = {user.pk: user.group_names for user in admin_client.get(CUSTOMERS_URL).context["page"]}
    assert shown == {jane.pk: ["Alpha <Partners>", "Zeta Council"], raj.pk: []}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"company": "initech"}, ["raj@guest.acme.example"]),
        ({"sponsor": "morgan"}, ["jane@guest.acme.example"]),
        ({"status": "inactive"}, ["gone@guest.acme.example"]),
        ({"status": "ending"}, ["raj@guest.acme.example"]),
        ({"q": "jane"}, ["jane@guest.acme.example"]),
    ],
)
def test_the_customers_view_filters(admin_client, sponsor, params, expected):
    CustomerFactory(username="jane@guest.acme.example", sponsor=sponsor)
    CustomerFactory(
        username="raj@guest.acme.example",
        company_name="Initech",
        access_ends_on=timezone.localdate() + timedelta(days=5),
    )
    CustomerFactory(username="gone@guest.acme.example", is_active=False)

    response = admin_client.get(CUSTOMERS_URL, params)

    assert [user.username for user in response.context["page"].object_list] == expected


def test_the_customers_view_query_count_does_not_grow_with_customers(
    admin_client, sponsor, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    group = PrivateCustomerGroupFactory()
    MembershipFactory(group=group, user=CustomerFactory(sponsor=sponsor))
    admin_client.get(CUSTOMERS_URL)
    with CaptureQueriesContext(connection) as few:
        admin_client.get(CUSTOMERS_URL)
    for _ in range(10):
        MembershipFactory(group=group, user=CustomerFactory(sponsor=UserFactory()))

    # session, user, org, the Setup gate's permissions, a capped count, one page of
    # customers with their sponsors, and the names of their groups
    with django_assert_num_queries(len(few)):
        admin_client.get(CUSTOMERS_URL)


# The scheduled job -------------------------------------------------------------------------------


def test_the_sponsor_is_warned_a_week_before_and_the_customer_ends_on_the_day(
    sponsor, mailoutbox, time_machine
):
    time_machine.move_to("2026-03-01 09:00Z", tick=False)
    jane = CustomerFactory(first_name="Jane", sponsor=sponsor, access_ends_on=date(2026, 3, 10))
    licence = Licence.objects.get(name=Licence.Name.CHATTER_EXTERNAL)
    used = licence.used

    assert customer_access_run() == (0, 0)  # 9 days before
    time_machine.move_to("2026-03-03 09:00Z", tick=False)
    assert customer_access_run() == (1, 0)
    assert customer_access_run() == (0, 0)  # one warning per date
    assert mailoutbox[0].to == [sponsor.email]
    assert "ends on March 10, 2026" in mailoutbox[0].subject

    time_machine.move_to("2026-03-10 00:30Z", tick=False)
    assert customer_access_run() == (0, 1)
    assert customer_access_run() == (0, 0)

    jane.refresh_from_db()
    assert not jane.is_active
    licence.refresh_from_db()
    assert licence.used == used - 1
    event = AuditEvent.objects.get(action="user.access_ended")
    assert "access ended on 2026-03-10" in event.display
    assert mailoutbox[-1].subject == "Jane " + jane.last_name + "'s access to Chatter has ended"


def test_a_new_date_re_arms_the_warning(admin_user, sponsor, mailoutbox, time_machine):
    time_machine.move_to("2026-03-01 09:00Z", tick=False)
    jane = CustomerFactory(sponsor=sponsor, access_ends_on=date(2026, 3, 5))
    customer_access_run()
    customer_access_set(
        actor=admin_user, user=jane, sponsor=sponsor, access_ends_on=date(2026, 3, 7)
    )
    assert customer_access_run() == (1, 0)
    assert len(mailoutbox) == 2


def test_a_deactivated_customer_cannot_use_their_session(client, sponsor, time_machine):
    time_machine.move_to("2026-03-01 09:00Z", tick=False)
    jane = CustomerFactory(sponsor=sponsor, access_ends_on=date(2026, 3, 1))
    client.force_login(jane)
    assert client.get(reverse("home")).status_code == 200

    customer_access_run()

    assert client.get(reverse("home")).status_code == 302  # to the login page


def test_customer_access_end_does_nothing_twice(sponsor, db):
    jane = CustomerFactory(access_ends_on=date(2026, 3, 1))
    assert customer_access_end(user_id=jane.pk, today=date(2026, 3, 1)) is not None
    assert customer_access_end(user_id=jane.pk, today=date(2026, 3, 1)) is None
    assert AuditEvent.objects.filter(action="user.access_ended").count() == 1
