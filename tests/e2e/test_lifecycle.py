"""The life of an invitation, as the issue's acceptance story tells it: the admin allows
coworker invitations for the company's domain; Morgan invites five rows of a CSV file
(a dry run first, then Send); Setup › Invitations shows what became of each row; a
coworker invited from People signs up from the email and is a Chatter Free User, and
another one's invitation is canceled from Morgan's pending list."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import (
    GROUP,
    INVALID_LINK,
    cancel_invitation,
    join_link,
    open_group,
    open_setup_page,
)

pytestmark = pytest.mark.e2e

COMPANY_DOMAIN = "acme.example"
INVALID = "not-an-address"
COMPANY = "pat.lee@acme.example"  # nobody's address yet: a coworker, never a customer
MEMBER = "casey@acme.example"  # Casey Nguyen, a member of the group
LENA = "lena.fischer@umbrella.example"
OMAR = "omar.haddad@stark.example"
COWORKER = "sam.rivera@acme.example"
CANCELED_COWORKER = "drew.kim@acme.example"
CSV = (
    "email,first name,last name\n"
    f"{INVALID},Nobody,Atall\n"
    f"{COMPANY},Pat,Lee\n"
    f"{MEMBER},Casey,Nguyen\n"
    f"{LENA},Lena,Fischer\n"
    f"{OMAR},Omar,Haddad\n"
)
# What the dry run says for each row, and whether Send writes an invitation for it.
DRY_RUN = {
    INVALID: "Invalid address",
    COMPANY: "This address is in your company's domain. Invite coworkers from People instead.",
    MEMBER: "Already a member",
    LENA: "Invited",
    OMAR: "Invited",
}
INVITED = (LENA, OMAR)


@contextmanager
def step(title: str) -> Iterator[None]:
    """Name the step in the failure, so a red run says where the story broke."""
    print(f"-- {title}")
    started = time.monotonic()
    try:
        yield
    except BaseException as error:
        error.add_note(f"Lifecycle step failed: {title}")
        raise
    print(f"   ok ({time.monotonic() - started:.1f} s): {title}")


def _row(page: Page, table_name: str, address: str):
    return page.get_by_role("table", name=table_name).get_by_role("row").filter(has_text=address)


def _fill_coworker_sign_up(page: Page, *, first: str, last: str) -> None:
    """The coworker's sign-up form: names and a password twice (no company, no question)."""
    page.get_by_label("First Name").fill(first)
    page.get_by_label("Last Name").fill(last)
    page.get_by_label("Password", exact=True).fill("Blue-Harbor-Lantern-77")
    page.get_by_label("Confirm Password").fill("Blue-Harbor-Lantern-77")


def _chatter_settings(admin: Page, *, domains: str) -> None:
    """Setup › Chatter › Settings: customers and coworkers allowed, the company's domains."""
    open_setup_page(admin, "Settings")
    admin.get_by_label("Allow Customer Invitations").check()
    admin.get_by_label("Allow Coworker Invitations").check()
    admin.get_by_label("Company Email Domains").fill(domains)
    admin.get_by_role("button", name="Save").click()
    expect(admin.get_by_label("Company Email Domains")).to_have_value(domains)
    expect(admin.get_by_label("Allow Coworker Invitations")).to_be_checked()


def test_a_bulk_invite_and_a_coworker_invitation_from_file_to_chatter_free_user(
    app, mailbox, open_browser
):
    admin = open_browser("admin@acme.example")
    open_setup_page(admin, "Settings")
    domains_before = admin.get_by_label("Company Email Domains").input_value()
    try:
        _story(app, mailbox, open_browser, admin)
    finally:
        # Later tests get the company's domains as seed_demo left them.
        _chatter_settings(admin, domains=domains_before)


def _story(app, mailbox, open_browser, admin: Page) -> None:
    with step("1. the admin allows coworker invitations for acme.example in Chatter Settings"):
        _chatter_settings(admin, domains=COMPANY_DOMAIN)

    with step("2. Morgan uploads a CSV of five rows and sees each row's outcome in a dry run"):
        morgan = open_browser("morgan@acme.example")
        open_group(morgan)
        morgan.get_by_role("link", name="Invite People").click()
        morgan.get_by_role("link", name="Invite from a CSV file").click()
        expect(morgan.get_by_role("heading", level=1)).to_have_text("Invite People from a File")
        morgan.get_by_label("CSV file").set_input_files(
            files=[{"name": "people.csv", "mimeType": "text/csv", "buffer": CSV.encode()}]
        )
        morgan.get_by_role("button", name="Dry Run").click()
        plan = morgan.get_by_role("region", name="Dry run")
        expect(plan).to_be_visible()
        for address, outcome in DRY_RUN.items():
            row = _row(morgan, "What Send will do with each row", address)
            expect(row).to_have_count(1)
            expect(row).to_contain_text(outcome)
        # Nothing is sent by a dry run.
        assert mailbox.messages_for(LENA) == [] and mailbox.messages_for(OMAR) == []

    with step("3. Send commits that plan: the two new customers are invited"):
        plan.get_by_role("button", name="Send to the 2 valid addresses").click()
        sent = morgan.get_by_role("region", name="Invitations sent")
        for address in INVITED:
            expect(sent.get_by_role("row").filter(has_text=address)).to_contain_text("Invited")
        for address in INVITED:
            messages = mailbox.wait_for(address)
            assert len(messages) == 1, ([m["Subject"] for m in messages], app.log_tail("worker"))
            assert GROUP in str(messages[0]["Subject"])

    with step("4. the admin's Setup › Invitations shows what became of every row"):
        open_setup_page(admin, "Invitations")
        expect(admin.get_by_role("heading", level=1)).to_have_text("Invitations")
        table = "Every invitation of the org, newest first"
        for address in INVITED:
            row = _row(admin, table, address)
            expect(row).to_have_count(1)
            cells = row.get_by_role("cell")
            expect(cells.nth(2)).to_have_text("Sent")  # Status
            expect(cells.nth(3)).to_have_text(GROUP)  # Group
            expect(cells.nth(4)).to_have_text("morgan@acme.example")  # Invited By
        # The rows the dry run left out wrote no invitation.
        for address in (INVALID, COMPANY, MEMBER):
            expect(_row(admin, table, address)).to_have_count(0)
        admin.get_by_label("Email domain").fill("umbrella.example")
        admin.get_by_role("button", name="Filter", exact=True).click()
        expect(admin.get_by_role("link", name="Sent (1)")).to_be_visible()
        expect(_row(admin, table, LENA)).to_have_count(1)
        expect(_row(admin, table, OMAR)).to_have_count(0)

    with step("5. Morgan invites a coworker from People › Invite Coworkers"):
        morgan.get_by_role("navigation", name="Main").get_by_role("link", name="People").click()
        morgan.get_by_role("link", name="Invite Coworkers").click()
        expect(morgan.get_by_role("heading", level=1)).to_have_text("Invite Coworkers")
        morgan.get_by_label("Email addresses").fill(f"{COWORKER}, {CANCELED_COWORKER}")
        morgan.get_by_role("button", name="Send", exact=True).click()
        outcome = morgan.get_by_role("region", name="Invitations sent").get_by_role("row")
        for address in (COWORKER, CANCELED_COWORKER):
            expect(outcome.filter(has_text=address)).to_contain_text("Invited")
        for address in (COWORKER, CANCELED_COWORKER):
            expect(_row(morgan, "Your pending invitations", address)).to_have_count(1)

    with step("5b. Morgan cancels one of them from her pending list, after the confirmation"):
        # Once its email is out: a canceled invitation's email is never sent.
        canceled = mailbox.wait_for(CANCELED_COWORKER)
        assert len(canceled) == 1, ([m["Subject"] for m in canceled], app.log_tail("worker"))
        cancel_invitation(morgan, CANCELED_COWORKER)
        expect(morgan.get_by_text(f"Invitation to {CANCELED_COWORKER} canceled.")).to_be_visible()
        expect(_row(morgan, "Your pending invitations", CANCELED_COWORKER)).to_have_count(0)
        expect(_row(morgan, "Your pending invitations", COWORKER)).to_have_count(1)
        gone = open_browser()
        gone.goto(join_link(canceled[0]))
        expect(gone.get_by_text(INVALID_LINK).first).to_be_visible()

    with step("6. the coworker's email arrives, and Join Now makes a Chatter Free User"):
        messages = mailbox.wait_for(COWORKER)
        assert len(messages) == 1, ([m["Subject"] for m in messages], app.log_tail("worker"))
        sam = open_browser()
        sam.goto(join_link(messages[0]))
        expect(sam.get_by_role("heading", level=1)).to_have_text("Join Acme Corporation")
        expect(sam.get_by_label("Company Name")).to_have_count(0)  # a coworker is the org's
        _fill_coworker_sign_up(sam, first="Sam", last="Rivera")
        sam.get_by_role("button", name="Create Account").click()
        expect(sam).to_have_url(re.compile(r"/$"))
        expect(sam.get_by_text(f"Your username is {COWORKER}")).to_be_visible()

    with step("7. Setup › Users lists Sam as a Chatter Free User with a Chatter Free license"):
        open_setup_page(admin, "Users")
        admin.get_by_label("Search users").fill("sam.rivera")
        admin.get_by_label("Search users").press("Enter")
        row = admin.get_by_role("row").filter(has_text=COWORKER)
        expect(row).to_have_count(1)
        expect(row).to_contain_text("Chatter Free User")
        row.get_by_role("link", name="Sam Rivera").click()
        detail = admin.get_by_role("table").filter(has_text="User License")
        expect(detail.get_by_role("row").filter(has_text="User License")).to_contain_text(
            "Chatter Free"
        )
        expect(detail.get_by_role("row").filter(has_text="Username")).to_contain_text(COWORKER)
