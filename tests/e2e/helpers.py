"""What a person does in the browser, in the app's own words (labels from REFERENCE.md)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from playwright.sync_api import Locator, Page, expect

from tests.live import DEMO_PASSWORD, REPO

GROUP = "Customer Success Council"
INVALID_LINK = "This invitation is no longer valid"
SERVER_PROBLEM = "There was a problem with our server"
REFERENCE_PATTERN = re.compile(r"Your support reference number is (\d{10}-\d{5} \(\d{10}\))")
AXE_JS = REPO / "node_modules" / "axe-core" / "axe.min.js"
URL_PATTERN = re.compile(r"https?://[^\s<>\"')\]]+")


def log_in(page: Page, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log In").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def log_out(page: Page) -> None:
    """The avatar menu of the global header, then "Log Out"."""
    page.locator("details.co-menu > summary").click()
    page.get_by_role("button", name="Log Out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def open_group(page: Page, name: str = GROUP) -> None:
    """From anywhere: the Groups tab, then the group's link."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Groups").click()
    page.get_by_role("link", name=name, exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)


def open_setup_page(page: Page, link: str) -> None:
    """From anywhere: the Setup tab, then a link of the Setup tree."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Setup").click()
    page.get_by_role("navigation", name="Setup").get_by_role("link", name=link, exact=True).click()


def allow_customer_invitations(page: Page) -> None:
    """As an admin: Setup › Chatter › Settings, tick "Allow Customer Invitations", Save."""
    open_setup_page(page, "Settings")
    checkbox = page.get_by_label("Allow Customer Invitations")
    checkbox.check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_label("Allow Customer Invitations")).to_be_checked()


def invite(page: Page, addresses: str, message: str = "") -> None:
    """As a manager on the group page: "Invite People", the form, "Send"."""
    page.get_by_role("link", name="Invite People").click()
    page.get_by_label("Email addresses").fill(addresses)
    if message:
        page.get_by_label("Message (optional)").fill(message)
    page.get_by_role("button", name="Send").click()


def cancel_invitation(page: Page, address: str) -> None:
    """On the pending table: "Cancel", then "Cancel Invitation" in the confirmation."""
    page.get_by_role("button", name=f"Cancel invitation to {address}").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Cancel Invitation").click()


def invite_outcome(page: Page, address: str) -> Locator:
    """The row of the outcome table ("Invitations sent") for one address."""
    return (
        page.get_by_role("region", name="Invitations sent")
        .get_by_role("row")
        .filter(has_text=address)
    )


def text_body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None, f"no text part in {message['Subject']!r}"
    return str(part.get_content())


def join_link(message: EmailMessage) -> str:
    """The URL that follows the words "Join Now" in the text part."""
    text = text_body(message)
    label = text.find("Join Now")
    assert label >= 0, f'no "Join Now" in the text part:\n{text}'
    after = URL_PATTERN.search(text, label)
    if after:
        return after.group(0).rstrip(".,;:")
    before = URL_PATTERN.findall(text[:label])
    assert before, f'no link near "Join Now" in the text part:\n{text}'
    return str(before[-1]).rstrip(".,;:")


def fill_sign_up(
    page: Page,
    *,
    first: str,
    last: str,
    company: str,
    password: str = "Blue-Harbor-Lantern-77",
    answer: str = "Marigold Street",
) -> None:
    page.get_by_label("First Name").fill(first)
    page.get_by_label("Last Name").fill(last)
    page.get_by_label("Company Name").fill(company)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Confirm Password").fill(password)
    question = page.get_by_label("Security Question")
    # The first real question (index 0 may be an empty "choose one" option).
    values = question.locator("option").evaluate_all(
        "options => options.map(o => o.value).filter(v => v)"
    )
    question.select_option(values[0])
    page.get_by_label("Answer").fill(answer)


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Run axe-core in the page and return its serious and critical violations.

    ``page.evaluate`` goes through the DevTools protocol, which the page's CSP
    (script-src 'self') does not govern, unlike an injected <script> tag."""
    source = Path(AXE_JS).read_text()
    page.evaluate(source)
    results = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ["violations"]});
            return r.violations;
        }"""
    )
    return [v for v in results if v.get("impact") in {"serious", "critical"}]


def describe_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        impact, rule = violation["impact"], violation["id"]
        lines.append(f"[{impact}] {rule}: {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"]:
            lines.append(f"    {node['target']}: {node.get('failureSummary', '')}")
            lines.append(f"      {node['html'][:300]}")
    return "\n".join(lines) or json.dumps(violations)


def coworker_invitations_on(page: Page, domains: str = "acme.example") -> None:
    """As an admin: Chatter Settings with "Allow Coworker Invitations" and the company's
    email domains (what People › Invite Coworkers needs)."""
    page.goto("/setup/chatter/settings/")
    field = page.get_by_label("Company Email Domains")
    if domains not in field.input_value():
        field.fill(domains)
    page.get_by_label("Allow Coworker Invitations").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_label("Company Email Domains")).to_have_value(re.compile(domains))


def go_to_group(page: Page, name: str = GROUP) -> str:
    """The group's page from the Groups list (by URL: on a phone the tabs are a menu);
    returns its URL."""
    page.goto("/groups/")
    page.get_by_role("link", name=name, exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    return page.url


def walk_lifecycle_pages(
    open_page: Callable[[str | None], Page],
    mailbox: Any,
    check: Callable[[Page, str], None],
    *,
    tag: str,
) -> None:
    """Set up the invitation lifecycle through the app and call ``check(page, name)`` on
    each of its pages: Setup › Invitations and Customers and a customer's access, a group's
    pending list and history, bulk invite and its dry run, Invite Coworkers, the coworker
    sign-up, the used and the replaced link, Forgot Your Username. ``tag`` keeps this
    walk's addresses apart from other walks in the same run."""
    admin = open_page("admin@acme.example")
    coworker_invitations_on(admin)

    morgan = open_page("morgan@acme.example")
    group_url = go_to_group(morgan)
    joiner, resent, canceled = (
        f"{tag}.{who}@globex.example" for who in ("joiner", "resent", "canceled")
    )
    invite(morgan, f"{joiner}, {resent}, {canceled}")
    for address in (joiner, resent, canceled):
        expect(invite_outcome(morgan, address)).to_contain_text("Invited")
    first_links = {address: join_link(mailbox.wait_for(address)[0]) for address in (joiner, resent)}
    morgan.goto(group_url)
    morgan.get_by_role("button", name=f"Resend invitation to {resent}").click()
    expect(morgan.get_by_text(resent).first).to_be_visible()
    cancel_invitation(morgan, canceled)
    expect(morgan.get_by_role("button", name=f"Cancel invitation to {canceled}")).to_have_count(0)
    assert len(mailbox.wait_for(resent, count=2)) == 2

    customer = open_page(None)
    customer.goto(first_links[joiner])
    fill_sign_up(customer, first="Jess", last="Joiner", company="Globex")
    customer.get_by_role("button", name="Create Account").click()
    expect(customer).to_have_url(re.compile(r"/groups/\d+/$"))
    used = open_page(None)
    used.goto(first_links[joiner])
    expect(used.get_by_role("heading", level=1)).to_have_text(f"You've already joined {GROUP}")
    check(used, "You've already joined")
    used.goto(first_links[resent])
    expect(used.get_by_role("heading", level=1)).to_have_text("A newer invitation was sent to you")
    check(used, "A newer invitation was sent to you")

    group_id = re.search(r"/groups/(\d+)/", group_url).group(1)  # type: ignore[union-attr]
    morgan.goto(f"/invitations/groups/{group_id}/invitations/")
    expect(morgan.get_by_role("heading", level=1)).to_have_text("Pending Invitations")
    check(morgan, "Pending Invitations")
    morgan.get_by_role("link", name="Invitation History").click()
    expect(morgan.get_by_role("row").filter(has_text=canceled)).to_contain_text("Canceled")
    check(morgan, "Invitation History")

    morgan.goto(group_url)
    morgan.get_by_role("link", name="Invite People").click()
    morgan.get_by_role("link", name="Invite from a CSV file").click()
    check(morgan, "Invite People from a File")
    morgan.get_by_label("Or paste email addresses").fill(
        "\n".join(
            [
                f"{tag}.bulk1@initech.example",
                f"{tag}.bulk2@initech.example",
                "not-an-address",
                f"{tag}.bulk1@initech.example",
                f"{tag}.hire@acme.example",
                joiner,
            ]
        )
    )
    morgan.get_by_role("button", name="Dry Run").click()
    expect(morgan.get_by_role("heading", name="Dry run")).to_be_visible()
    check(morgan, "bulk invite dry run")

    morgan.goto("/people/")
    morgan.get_by_role("link", name="Invite Coworkers").click()
    check(morgan, "Invite Coworkers")
    hire = f"{tag}.hire@acme.example"
    morgan.get_by_label("Email addresses").fill(hire)
    # Exactly: an earlier walk's pending invitation has a "Resend invitation to …" button.
    morgan.get_by_role("button", name="Send", exact=True).click()
    expect(morgan.get_by_role("region", name="Invitations sent")).to_contain_text(hire)
    check(morgan, "Invite Coworkers outcome")
    coworker = open_page(None)
    coworker.goto(join_link(mailbox.wait_for(hire)[0]))
    expect(coworker.get_by_label("First Name")).to_be_visible()
    check(coworker, "coworker sign-up")
    coworker.get_by_role("button", name="Create Account").click()
    expect(coworker.locator(".slds-has-error").first).to_be_visible()
    check(coworker, "coworker sign-up with errors")

    admin.goto("/setup/invitations/")
    expect(admin.get_by_role("row").filter(has_text=canceled)).to_contain_text("Canceled")
    check(admin, "Setup › Invitations")
    admin.goto("/setup/users/customers/")
    admin.get_by_role("link", name=f"{tag}.joiner@guest.acme.example").click()
    check(admin, "a customer's user page")
    admin.get_by_role("link", name="Change", exact=True).click()
    expect(admin.get_by_role("heading", level=1)).to_contain_text("Customer Access")
    check(admin, "Customer Access")
    admin.goto("/setup/users/customers/")
    check(admin, "Setup › Customers")

    visitor = open_page(None)
    visitor.goto("/accounts/login/")
    visitor.get_by_role("link", name="Forgot Your Username?").click()
    check(visitor, "Forgot Your Username")
    visitor.get_by_label("Email").fill(joiner)
    visitor.get_by_role("button", name="Continue").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Check Your Email")
    check(visitor, "Forgot Your Username: sent")
