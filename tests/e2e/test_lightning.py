"""The Lightning look in the browser: Quick Find, confirmations (modal and no-JS page), the
app navigation as a menu on phones, 390 px without sideways scrolling, the invitations-off
notice, axe on the new pages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ACTION_TIMEOUT_MS
from tests.e2e.helpers import (
    GROUP,
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

MOBILE = {"width": 390, "height": 844}


def _no_js(people, username: str | None = None, **options):
    """A page with JavaScript off (the no-JS path), logged in as ``username``."""
    if username:
        people.open(username).context.close()
    context = people.browser.new_context(
        base_url=people.app.url,
        java_script_enabled=False,
        storage_state=people.sessions.get(username) if username else None,
        **options,
    )
    return context.new_page()


def _sideways(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_quick_find_filters_the_setup_tree_as_you_type(open_browser, screenshot):
    admin = open_browser("admin@acme.example")
    open_setup_page(admin, "Settings")
    tree = admin.get_by_role("navigation", name="Setup")

    admin.get_by_role("searchbox", name="Quick Find").fill("valid")

    expect(tree.get_by_role("link", name="Validation Rules")).to_be_visible()
    expect(tree.get_by_role("link", name="Settings", exact=True)).to_be_hidden()
    expect(tree.get_by_role("link", name="Users", exact=True)).to_be_hidden()
    screenshot(admin, "13-setup-quick-find")
    admin.get_by_role("searchbox", name="Quick Find").fill("chatter")
    expect(tree.get_by_role("link", name="Settings", exact=True)).to_be_visible()
    admin.get_by_role("searchbox", name="Quick Find").fill("nothing like this")
    expect(admin.get_by_text("No Setup pages match.")).to_be_visible()
    admin.get_by_role("searchbox", name="Quick Find").fill("")
    expect(tree.get_by_role("link", name="Users", exact=True)).to_be_visible()


def test_quick_find_works_without_javascript(people):
    page = _no_js(people, "admin@acme.example")
    try:
        page.goto("/setup/")
        page.get_by_role("searchbox", name="Quick Find").fill("permission")
        page.get_by_role("button", name="Find").click()
        tree = page.get_by_role("navigation", name="Setup")
        expect(tree.get_by_role("link", name="Permission Sets")).to_be_visible()
        expect(tree.get_by_role("link", name="Validation Rules")).to_be_hidden()
    finally:
        page.context.close()


def test_cancel_asks_in_a_modal_that_keeps_focus_and_closes_with_escape(
    customer_invitations_allowed, mailbox, open_browser
):
    morgan = open_browser("morgan@acme.example")
    open_group(morgan)
    address = "modal.customer@oscorp.example"
    invite(morgan, address)
    expect(invite_outcome(morgan, address)).to_contain_text("Invited")
    open_group(morgan)
    cancel = morgan.get_by_role("button", name=f"Cancel invitation to {address}")

    cancel.click()
    dialog = morgan.get_by_role("alertdialog", name="Cancel Invitation?")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(address)
    for _ in range(4):  # Tab cycles inside the dialog
        morgan.keyboard.press("Tab")
        assert morgan.evaluate("document.activeElement.closest('[role=alertdialog]') !== null")
    assert axe_violations(morgan) == [], describe_violations(axe_violations(morgan))
    morgan.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(cancel).to_be_focused()

    cancel.click()
    morgan.get_by_role("alertdialog").get_by_role("button", name="Cancel Invitation").click()
    expect(morgan.get_by_text(f"Invitation to {address} canceled.")).to_be_visible()
    expect(cancel).to_have_count(0)


def test_remove_member_delete_group_and_transfer_ownership_ask_first(open_browser):
    morgan = open_browser("morgan@acme.example")
    open_group(morgan)

    morgan.get_by_role("link", name="Delete Group").click()
    dialog = morgan.get_by_role("alertdialog", name="Delete Group")
    expect(dialog.get_by_role("button", name="Delete Group")).to_be_visible()
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_have_count(0)

    morgan.get_by_role("link", name="Add/Remove Members").click()
    morgan.get_by_role("button", name="Remove Casey Nguyen").click()
    dialog = morgan.get_by_role("alertdialog", name="Remove Casey Nguyen?")
    expect(dialog.get_by_role("button", name="Remove")).to_be_visible()
    morgan.keyboard.press("Escape")
    expect(dialog).to_have_count(0)

    open_group(morgan)
    morgan.get_by_role("link", name="Change Roles").click()
    morgan.get_by_role("button", name="Transfer Ownership").click()
    dialog = morgan.get_by_role("alertdialog")
    expect(dialog).to_contain_text("Transfer ownership to")
    morgan.keyboard.press("Escape")
    expect(morgan.get_by_role("heading", level=1)).to_have_text("Change Roles")


def test_confirmations_are_pages_without_javascript(people):
    page = _no_js(people, "morgan@acme.example")
    try:
        page.goto("/groups/")
        page.get_by_role("link", name=GROUP, exact=True).first.click()
        page.get_by_role("link", name="Add/Remove Members").click()
        page.get_by_role("button", name="Remove Casey Nguyen").click()
        expect(page).to_have_url(re.compile(r"/members/remove/confirm/\?membership=\d+"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Remove Casey Nguyen?")
        page.get_by_role("link", name="Cancel").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Add/Remove Members")
        expect(page.get_by_text("Casey Nguyen").first).to_be_visible()
    finally:
        page.context.close()


def test_ticking_allow_customers_asks_in_a_modal_before_the_group_is_created(open_browser):
    morgan = open_browser("morgan@acme.example")
    morgan.get_by_role("navigation", name="Main").get_by_role("link", name="Groups").click()
    morgan.get_by_role("link", name="New Group").click()
    morgan.get_by_label("Name", exact=True).fill("Partner Pilot")
    morgan.get_by_label("Private", exact=True).check()
    morgan.get_by_label("Allow Customers").check()

    morgan.get_by_role("button", name="Save").click()
    dialog = morgan.get_by_role("alertdialog", name="Allow customers in this group?")
    expect(dialog).to_contain_text("can't be turned off once it's on")
    morgan.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(morgan.get_by_role("heading", level=1)).to_have_text("New Group")

    morgan.get_by_role("button", name="Save").click()
    morgan.get_by_role("alertdialog").get_by_role("button", name="Allow Customers").click()
    expect(morgan.get_by_role("heading", level=1)).to_contain_text("Partner Pilot")
    expect(morgan.get_by_text("Private With Customers").first).to_be_visible()

    morgan.get_by_role("link", name="Edit Group").click()
    expect(morgan.get_by_label("Allow Customers")).to_be_disabled()
    expect(morgan.get_by_label("Public", exact=True)).to_be_disabled()
    expect(morgan.get_by_text("Allow Customers can't be turned off.")).to_be_visible()
    expect(morgan.get_by_text("A group that allows customers can't be Public.")).to_be_visible()
    morgan.get_by_label("Description").fill("Pilot with two partners.")
    morgan.get_by_role("button", name="Save").click()
    expect(morgan.get_by_text("Group saved.")).to_be_visible()


def test_unticking_active_asks_in_a_modal_and_cancel_keeps_the_user(open_browser):
    admin = open_browser("admin@acme.example")
    open_setup_page(admin, "Users")
    admin.get_by_role("link", name="Casey Nguyen").click()
    admin.get_by_role("link", name="Edit", exact=True).click()
    admin.get_by_label("Active").uncheck()

    admin.get_by_role("button", name="Save").click()
    dialog = admin.get_by_role("alertdialog", name="Deactivate Casey Nguyen?")
    expect(dialog.get_by_role("button", name="Deactivate")).to_be_visible()
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_have_count(0)
    expect(admin.get_by_role("heading", level=1)).to_have_text("User Edit: Casey Nguyen")


def test_deactivate_and_allow_customers_ask_on_a_page_without_javascript(people):
    page = _no_js(people, "admin@acme.example")
    try:
        page.goto("/setup/users/?q=casey")
        page.get_by_role("link", name="Casey Nguyen").click()
        page.get_by_role("link", name="Edit", exact=True).click()
        page.get_by_label("Active").uncheck()
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Deactivate Casey Nguyen?")
        page.get_by_role("link", name="Cancel").click()
        expect(page.get_by_label("Active")).to_be_checked()

        page.goto("/groups/new/")
        page.get_by_label("Name", exact=True).fill("No Script Pilot")
        page.get_by_label("Private", exact=True).check()
        page.get_by_label("Allow Customers").check()
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Allow customers in No Script Pilot?"
        )
        page.get_by_role("button", name="Allow Customers").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("No Script Pilot")
    finally:
        page.context.close()


def test_the_avatar_and_setup_menus_work_from_the_keyboard(open_browser):
    admin = open_browser("admin@acme.example")
    summary = admin.locator("details.co-menu > summary")
    summary.focus()
    admin.keyboard.press("Enter")
    expect(admin.get_by_role("link", name="Settings", exact=True)).to_be_visible()
    admin.keyboard.press("Escape")
    expect(admin.get_by_role("button", name="Log Out")).to_be_hidden()
    expect(summary).to_be_focused()
    admin.get_by_role("navigation", name="Main").get_by_role("link", name="Setup").click()
    expect(admin.get_by_role("navigation", name="Setup")).to_be_visible()

    toggle = admin.locator("details.co-setup-menu > summary")
    toggle.focus()
    admin.keyboard.press("Enter")
    expect(admin.get_by_role("link", name="Chatter Settings", exact=True).first).to_be_visible()
    admin.keyboard.press("Escape")
    expect(toggle).to_be_focused()
    toggle.click()
    admin.locator("details.co-setup-menu").get_by_role("link", name="Users").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("All Users")


def _mobile(people, username: str):
    """A 390 px wide page, logged in as ``username``."""
    if username not in people.sessions:
        people.open(username).context.close()
    context = people.browser.new_context(
        base_url=people.app.url, viewport=MOBILE, storage_state=people.sessions[username]
    )
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    return context.new_page()


def test_on_a_phone_the_app_navigation_is_a_menu_that_works_from_the_keyboard(people, screenshot):
    page = _mobile(people, "morgan@acme.example")
    try:
        page.goto("/")
        nav = page.get_by_role("navigation", name="Main")
        for tab in ("Home", "Groups", "People"):
            expect(nav.get_by_role("link", name=tab, exact=True)).to_be_hidden()
        toggle = nav.get_by_title("Show Navigation Menu")
        menu = nav.get_by_role("list", name="Navigation Menu")
        expect(toggle).to_be_visible()
        expect(menu).to_be_hidden()

        toggle.focus()
        page.keyboard.press("Enter")
        expect(menu.get_by_role("link", name="People", exact=True)).to_be_visible()
        expect(menu.get_by_role("link", name="Home", exact=True)).to_have_attribute(
            "aria-current", "page"
        )
        assert axe_violations(page) == [], describe_violations(axe_violations(page))
        page.keyboard.press("Escape")
        expect(menu).to_be_hidden()
        expect(toggle).to_be_focused()

        page.keyboard.press("Space")
        expect(menu).to_be_visible()
        page.keyboard.press("Tab")
        expect(menu.get_by_role("link", name="Home", exact=True)).to_be_focused()
        page.keyboard.press("Escape")
        expect(toggle).to_be_focused()

        toggle.click()
        expect(menu).to_be_visible()
        screenshot(page, "17-app-navigation-phone")
        menu.get_by_role("link", name="Groups", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Groups")
        expect(menu).to_be_hidden()
        toggle.click()
        expect(menu.get_by_role("link", name="Groups", exact=True)).to_have_attribute(
            "aria-current", "page"
        )
        page.locator("footer").click()  # outside the menu
        expect(menu).to_be_hidden()
    finally:
        page.context.close()


def test_on_a_phone_the_app_navigation_menu_works_without_javascript(people):
    page = _no_js(people, "morgan@acme.example", viewport=MOBILE)
    try:
        page.goto("/")
        nav = page.get_by_role("navigation", name="Main")
        expect(nav.get_by_role("link", name="Groups", exact=True)).to_be_hidden()
        nav.get_by_title("Show Navigation Menu").click()
        nav.get_by_role("list", name="Navigation Menu").get_by_role("link", name="People").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("People")
    finally:
        page.context.close()


def test_at_desktop_width_the_app_navigation_shows_its_tabs(open_browser):
    page = open_browser("morgan@acme.example")
    nav = page.get_by_role("navigation", name="Main")
    for tab in ("Home", "Groups", "People"):
        expect(nav.get_by_role("link", name=tab, exact=True)).to_be_visible()
    expect(nav.get_by_title("Show Navigation Menu")).to_be_hidden()
    nav.get_by_role("link", name="People", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("People")


def test_the_global_search_finds_groups_and_people(open_browser):
    casey = open_browser("casey@acme.example")
    box = casey.get_by_role("searchbox", name="Search groups and people")
    box.fill("nora")
    box.press("Enter")
    expect(casey.get_by_role("link", name="Nora Patel")).to_be_visible()
    assert axe_violations(casey) == [], describe_violations(axe_violations(casey))


def test_no_page_scrolls_sideways_at_390_px(
    customer_invitations_allowed, mailbox, people, screenshot
):
    found: dict[str, int] = {}

    def check(page, name: str) -> None:
        page.wait_for_load_state("load")
        found[name] = _sideways(page)

    morgan = people.browser.new_context(
        base_url=people.app.url,
        viewport=MOBILE,
        storage_state=people.sessions.get("morgan@acme.example")
        or people.open("morgan@acme.example").context.storage_state(),
    ).new_page()
    try:
        morgan.goto("/groups/")
        check(morgan, "groups")
        morgan.get_by_role("link", name=GROUP, exact=True).first.click()
        check(morgan, "group page")
        screenshot(morgan, "14-group-mobile")
        for path, name in (("/people/", "people"), ("/search/?q=a", "search")):
            morgan.goto(path)
            check(morgan, name)
        morgan.get_by_role("link", name="Morgan Lee").first.click()
        check(morgan, "profile")
        morgan.goto("/groups/")
        morgan.get_by_role("link", name=GROUP, exact=True).first.click()
        morgan.get_by_role("link", name="Invite People").click()
        check(morgan, "invite")
        address = "mobile.customer@oscorp.example"
        morgan.get_by_label("Email addresses").fill(address)
        morgan.get_by_role("button", name="Send").click()
        check(morgan, "invite outcome")
    finally:
        morgan.context.close()

    people.open("admin@acme.example").context.close()
    admin = people.browser.new_context(
        base_url=people.app.url,
        viewport=MOBILE,
        storage_state=people.sessions["admin@acme.example"],
    ).new_page()
    try:
        for path in ("/setup/", "/setup/chatter/settings/", "/setup/users/", "/setup/audit-trail/"):
            admin.goto(path)
            check(admin, path)
    finally:
        admin.context.close()

    messages = mailbox.wait_for(address)
    assert messages
    visitor = people.browser.new_context(base_url=people.app.url, viewport=MOBILE).new_page()
    try:
        visitor.goto(join_link(messages[0]))
        check(visitor, "sign-up")
        fill_sign_up(visitor, first="Otto", last="Octavius", company="Oscorp")
        check(visitor, "sign-up filled")
        visitor.goto("/accounts/login/")
        check(visitor, "login")
    finally:
        visitor.context.close()

    # The invitation lifecycle's pages, with their data set up through the app.
    opened: list = []

    def open_mobile(username: str | None):
        page = (
            _mobile(people, username)
            if username
            else people.browser.new_context(base_url=people.app.url, viewport=MOBILE).new_page()
        )
        opened.append(page)
        return page

    try:
        walk_lifecycle_pages(open_mobile, mailbox, check, tag="mobile")
    finally:
        for page in opened:
            page.context.close()

    wide = {name: extra for name, extra in found.items() if extra > 0}
    assert not wide, f"pages wider than 390 px (extra pixels): {wide}"


def test_with_invitations_off_managers_see_a_notice_and_on_hold(
    customer_invitations_allowed, open_browser
):
    admin = open_browser("admin@acme.example")
    morgan = open_browser("morgan@acme.example")
    open_group(morgan)
    address = "hold.customer@oscorp.example"
    invite(morgan, address)
    expect(invite_outcome(morgan, address)).to_contain_text("Invited")

    open_setup_page(admin, "Settings")
    admin.get_by_label("Allow Customer Invitations").uncheck()
    admin.get_by_role("button", name="Save").click()
    expect(admin.get_by_label("Allow Customer Invitations")).not_to_be_checked()
    try:
        open_group(morgan)
        expect(
            morgan.get_by_text("Customer invitations are turned off for your org.")
        ).to_be_visible()
        row = morgan.get_by_role("row").filter(has_text=address)
        expect(row).to_contain_text("On hold")
        expect(morgan.get_by_role("link", name="Invite People")).to_have_count(0)
        assert axe_violations(morgan) == [], describe_violations(axe_violations(morgan))
    finally:
        admin.get_by_label("Allow Customer Invitations").check()
        admin.get_by_role("button", name="Save").click()
        expect(admin.get_by_label("Allow Customer Invitations")).to_be_checked()
    open_group(morgan)
    expect(morgan.get_by_text("Customer invitations are turned off")).to_have_count(0)


def test_error_and_confirm_pages_have_no_serious_accessibility_violations(open_browser):
    found = {}
    casey = open_browser("casey@acme.example")
    casey.goto("/groups/999999/")
    found["Data Not Available"] = axe_violations(casey)
    casey.goto("/setup/")
    found["Insufficient Privileges"] = axe_violations(casey)
    morgan = open_browser("morgan@acme.example")
    open_group(morgan)
    morgan.get_by_role("link", name="Delete Group").click(modifiers=["Control"])
    morgan.goto(morgan.url.rstrip("/") + "/delete/")
    found["Delete Group page"] = axe_violations(morgan)
    report = "\n".join(f"== {k}\n{describe_violations(v)}" for k, v in found.items() if v)
    assert not report, report
