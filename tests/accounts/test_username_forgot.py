"""The login page's hint for customers, and Forgot Your Username?."""

from __future__ import annotations

from django.urls import reverse

from accounts.models import UsernameReminder
from accounts.throttle import FORGOT_LIMIT
from accounts.username_reminder import MAX_PER_DAY, username_reminder_deliver
from tests.factories import CustomerFactory, UserFactory

FORGOT_URL = reverse("accounts:username_forgot")


def test_the_login_page_says_what_a_customer_username_looks_like(client, db):
    page = client.get(reverse("accounts:login")).content.decode()
    assert (
        "Customers: your username looks like name@guest.company.example and is in your "
        "welcome email"
    ) in page
    assert FORGOT_URL in page
    assert "Forgot Your Username?" in page


def test_the_usernames_of_an_address_are_emailed(client, db, mailoutbox):
    CustomerFactory(username="jane@guest.acme.example", email="Jane@Globex.example")
    UserFactory(username="jane.admin@acme.example", email="jane@globex.example")

    response = client.post(FORGOT_URL, {"email": "jane@GLOBEX.example"})

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:username_forgot_sent")
    assert len(mailoutbox) == 1
    body = mailoutbox[0].body
    assert "jane@guest.acme.example" in body and "jane.admin@acme.example" in body
    assert "/password/reset/" not in body and "/join/" not in body


def test_the_answer_is_the_same_whether_or_not_an_account_exists(client, db, mailoutbox):
    CustomerFactory(email="jane@globex.example")
    known = client.post(FORGOT_URL, {"email": "jane@globex.example"}, follow=True)
    unknown = client.post(FORGOT_URL, {"email": "nobody@globex.example"}, follow=True)

    assert known.status_code == unknown.status_code == 200
    assert known.content == unknown.content
    assert len(mailoutbox) == 1


def test_a_deactivated_user_gets_no_email(client, db, mailoutbox):
    CustomerFactory(email="gone@globex.example", is_active=False)
    client.post(FORGOT_URL, {"email": "gone@globex.example"})
    assert mailoutbox == []


def test_an_address_gets_at_most_five_emails_a_day(db, mailoutbox):
    CustomerFactory(email="jane@globex.example")
    for _ in range(MAX_PER_DAY + 2):
        username_reminder_deliver.call(email="jane@globex.example")
    assert len(mailoutbox) == MAX_PER_DAY
    assert UsernameReminder.objects.count() == MAX_PER_DAY


def test_a_client_address_shares_the_forgot_password_hourly_limit(client, db, mailoutbox):
    CustomerFactory(email="jane@globex.example")
    for _ in range(FORGOT_LIMIT):
        client.post(reverse("accounts:password_forgot"), {"username": "nobody"})

    client.post(FORGOT_URL, {"email": "jane@globex.example"})

    assert mailoutbox == []
