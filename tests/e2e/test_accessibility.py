"""axe-core on the pages of the story and of the invitation lifecycle: no serious or critical
violations.

axe runs through ``page.evaluate``, so the app's CSP (script-src 'self') stays on:
the pages are checked as people get them."""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import (
    AXE_JS,
    allow_customer_invitations,
    axe_violations,
    describe_violations,
    fill_sign_up,
    invite,
    invite_outcome,
    join_link,
    open_group,
    open_setup_page,
    walk_lifecycle_pages,
)

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def axe_available() -> None:
    """axe-core from npm. Missing: a skip on a developer machine, a failure in CI."""
    if not AXE_JS.exists():
        reason = f"{AXE_JS} is missing: run `npm ci` at the repository root (axe-core)."
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason + " CI=true, so this is a failure, not a skip.")
        pytest.skip(reason)


def test_story_pages_have_no_serious_or_critical_accessibility_violations(
    axe_available, mailbox, open_browser
):
    found: dict[str, list[dict]] = {}
    csp_errors: dict[str, list[str]] = {}

    def check(page, name: str) -> None:
        page.wait_for_load_state("load")
        found[name] = axe_violations(page)
        blocked = [text for text in page.console_errors if "Content Security Policy" in text]
        if blocked:
            csp_errors[name] = blocked

    login = open_browser()
    login.goto("/accounts/login/")
    check(login, "login")

    admin = open_browser("admin@acme.example")
    allow_customer_invitations(admin)
    check(admin, "Setup › Chatter Settings")
    open_setup_page(admin, "Validation Rules")
    check(admin, "Setup › Validation Rules")
    open_setup_page(admin, "Support Reference Lookup")
    check(admin, "Setup › Support Reference Lookup")

    morgan = open_browser("morgan@acme.example")
    open_group(morgan)
    check(morgan, "group page (manager)")
    morgan.get_by_role("link", name="Invite People").click()
    check(morgan, "invite form")
    morgan.go_back()
    address = "a11y.customer@stark.example"
    invite(morgan, address)
    expect(invite_outcome(morgan, address)).to_contain_text("Invited")
    check(morgan, "invite outcome")

    messages = mailbox.wait_for(address)
    assert messages, f"no invitation reached {address}"
    customer = open_browser()
    customer.goto(join_link(messages[0]))
    expect(customer.get_by_label("First Name")).to_be_visible()
    check(customer, "Join Now sign-up form")
    customer.get_by_role("button", name="Create Account").click()
    check(customer, "sign-up form with errors")
    fill_sign_up(customer, first="Pepper", last="Potts", company="Stark Industries")
    customer.get_by_role("button", name="Create Account").click()
    expect(customer).to_have_url(re.compile(r"/groups/\d+/$"))
    check(customer, "group page (customer, welcome banner)")

    invalid = open_browser()
    invalid.goto("/join/this-is-not-a-real-invitation-token-at-all-000000/")
    check(invalid, "invitation no longer valid")

    report = "\n\n".join(
        f"== {name}\n{describe_violations(violations)}"
        for name, violations in found.items()
        if violations
    )
    assert not report, "serious or critical accessibility violations:\n" + report
    assert not csp_errors, f"the page's CSP blocked something: {csp_errors}"


# The lifecycle pages that docs/screenshots shows, by the name the walk gives them.
LIFECYCLE_SCREENSHOTS = {
    "Setup › Invitations": "15-setup-invitations",
    "bulk invite dry run": "16-bulk-invite-dry-run",
}


def test_lifecycle_pages_have_no_serious_or_critical_accessibility_violations(
    axe_available, customer_invitations_allowed, mailbox, open_browser, screenshot
):
    found: dict[str, list[dict]] = {}
    csp_errors: dict[str, list[str]] = {}

    def check(page, name: str) -> None:
        page.wait_for_load_state("load")
        found[name] = axe_violations(page)
        blocked = [text for text in page.console_errors if "Content Security Policy" in text]
        if blocked:
            csp_errors[name] = blocked
        if name in LIFECYCLE_SCREENSHOTS:
            screenshot(page, LIFECYCLE_SCREENSHOTS[name])

    walk_lifecycle_pages(open_browser, mailbox, check, tag="a11y")

    assert set(LIFECYCLE_SCREENSHOTS) <= set(found)
    report = "\n\n".join(
        f"== {name}\n{describe_violations(violations)}"
        for name, violations in found.items()
        if violations
    )
    assert not report, "serious or critical accessibility violations:\n" + report
    assert not csp_errors, f"the page's CSP blocked something: {csp_errors}"
