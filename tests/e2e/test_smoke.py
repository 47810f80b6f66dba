"""The harness itself: the server answers, the browser logs in, Setup opens."""

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import open_setup_page

pytestmark = pytest.mark.e2e


def test_login_page_shows_the_login_form(open_browser):
    page = open_browser()
    response = page.goto("/accounts/login/")
    assert response is not None and response.status == 200
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_label("Username")).to_be_visible()
    expect(page.get_by_label("Password")).to_be_visible()
    expect(page.get_by_role("button", name="Log In")).to_be_visible()


def test_admin_opens_chatter_settings_in_setup(open_browser):
    page = open_browser("admin@acme.example")
    open_setup_page(page, "Settings")
    expect(page.get_by_label("Allow Customer Invitations")).to_be_visible()
    expect(page.get_by_role("button", name="Save")).to_be_visible()
