"""Join Now links that must no longer work, opened in a real browser: none shows the
sign-up form. Unknown, expired and canceled links show "This invitation is no longer
valid"; a used link says "You've already joined …", a replaced one points to the latest
email."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import (
    GROUP,
    INVALID_LINK,
    allow_customer_invitations,
    cancel_invitation,
    fill_sign_up,
    invite,
    invite_outcome,
    join_link,
    open_group,
    open_setup_page,
)

pytestmark = pytest.mark.e2e


@pytest.fixture
def morgan(customer_invitations_allowed, open_browser):
    """Morgan on Customer Success Council, with customer invitations allowed by the admin."""
    page = open_browser("morgan@acme.example")
    open_group(page)
    return page


def _invite_one(app, morgan, mailbox, address: str) -> str:
    group_url = morgan.url
    invite(morgan, address)
    expect(invite_outcome(morgan, address)).to_contain_text("Invited")
    messages = mailbox.wait_for(address)
    assert len(messages) == 1, ([m["Subject"] for m in messages], app.log_tail("worker"))
    morgan.goto(group_url)
    return join_link(messages[0])


def _assert_no_longer_valid(page, link: str, *, says: str = INVALID_LINK) -> int:
    response = page.goto(link)
    assert response is not None
    expect(page.get_by_text(says).first).to_be_visible()
    expect(page.get_by_label("First Name")).to_have_count(0)
    expect(page.get_by_role("button", name="Create Account")).to_have_count(0)
    return response.status


def test_an_expired_link_is_no_longer_valid(app, mailbox, morgan, open_browser, screenshot):
    address = "expired.customer@wayne.example"
    link = _invite_one(app, morgan, mailbox, address)
    expired = app.shell(
        "from datetime import timedelta; from django.utils import timezone; "
        "from invitations.models import Invitation; "
        f"print(Invitation.objects.filter(email='{address}')"
        ".update(expires_at=timezone.now() - timedelta(minutes=1)))"
    )
    assert expired == 1
    page = open_browser()
    _assert_no_longer_valid(page, link)
    screenshot(page, "12-invitation-no-longer-valid")


def test_a_canceled_link_is_no_longer_valid(app, mailbox, morgan, open_browser):
    address = "canceled.customer@wayne.example"
    link = _invite_one(app, morgan, mailbox, address)
    cancel_invitation(morgan, address)
    expect(morgan.get_by_role("button", name=f"Cancel invitation to {address}")).to_have_count(0)
    _assert_no_longer_valid(open_browser(), link)


def test_a_used_link_is_no_longer_valid(app, mailbox, morgan, open_browser):
    address = "reused.customer@wayne.example"
    link = _invite_one(app, morgan, mailbox, address)
    first = open_browser()
    first.goto(link)
    fill_sign_up(first, first="Bruce", last="Wayne", company="Wayne Enterprises")
    first.get_by_role("button", name="Create Account").click()
    expect(first).to_have_url(re.compile(r"/groups/\d+/$"))
    expect(first.get_by_role("heading", level=1)).to_contain_text(GROUP)
    # The same link again: in a fresh browser, and in the browser that used it.
    _assert_no_longer_valid(open_browser(), link, says=f"You've already joined {GROUP}")
    _assert_no_longer_valid(first, link, says=f"You've already joined {GROUP}")


def test_a_resent_invitation_kills_the_old_link(app, mailbox, morgan, open_browser):
    address = "resent.customer@wayne.example"
    old_link = _invite_one(app, morgan, mailbox, address)
    morgan.get_by_role("button", name=f"Resend invitation to {address}").click()
    messages = mailbox.wait_for(address, count=2)
    assert len(messages) == 2, [m["Subject"] for m in messages]
    new_link = join_link(messages[1])
    assert new_link != old_link
    _assert_no_longer_valid(open_browser(), old_link, says="A newer invitation was sent to you")
    fresh = open_browser()
    fresh.goto(new_link)
    expect(fresh.get_by_label("First Name")).to_be_visible()


def test_bad_links_of_every_kind_answer_alike(app, mailbox, morgan, open_browser):
    """Unknown and canceled tokens get the same status and the same page text."""
    address = "alike.customer@wayne.example"
    link = _invite_one(app, morgan, mailbox, address)
    cancel_invitation(morgan, address)
    expect(morgan.get_by_role("button", name=f"Cancel invitation to {address}")).to_have_count(0)
    canceled = open_browser()
    canceled_status = _assert_no_longer_valid(canceled, link)
    unknown = open_browser()
    unknown_link = re.sub(r"/join/[^/]+/", "/join/" + "A" * 43 + "/", link)
    assert unknown_link != link
    unknown_status = _assert_no_longer_valid(unknown, unknown_link)
    assert canceled_status == unknown_status
    assert canceled.locator("main").inner_text() == unknown.locator("main").inner_text()


def test_a_link_stops_working_while_customer_invitations_are_off(
    app, mailbox, morgan, open_browser
):
    address = "paused.customer@wayne.example"
    link = _invite_one(app, morgan, mailbox, address)
    admin = open_browser("admin@acme.example")
    open_setup_page(admin, "Settings")
    admin.get_by_label("Allow Customer Invitations").uncheck()
    admin.get_by_role("button", name="Save").click()
    try:
        expect(admin.get_by_label("Allow Customer Invitations")).not_to_be_checked()
        _assert_no_longer_valid(open_browser(), link)
        morgan.reload()
        expect(morgan.get_by_text("Invite People", exact=True)).to_have_count(0)
    finally:
        allow_customer_invitations(admin)
    # Back on: the same link works again (it was never used).
    fresh = open_browser()
    fresh.goto(link)
    expect(fresh.get_by_label("First Name")).to_be_visible()


def test_submitting_the_form_from_two_tabs_creates_one_account(app, mailbox, morgan, open_browser):
    address = "twotabs.customer@wayne.example"
    link = _invite_one(app, morgan, mailbox, address)
    first = open_browser()
    first.goto(link)
    second = first.context.new_page()
    second.goto(link)
    for tab in (first, second):
        fill_sign_up(tab, first="Lucius", last="Fox", company="Wayne Enterprises")
    first.get_by_role("button", name="Create Account").click()
    expect(first).to_have_url(re.compile(r"/groups/\d+/$"))
    second.get_by_role("button", name="Create Account").click()
    second.wait_for_load_state()
    accounts = app.shell(
        "import json; from accounts.models import User; "
        f"print(json.dumps(User.objects.filter(email__iexact='{address}').count()))"
    )
    assert accounts == 1
    expect(second.get_by_text("There was a problem with our server")).to_have_count(0)
