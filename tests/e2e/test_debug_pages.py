"""Under `make run`'s settings (DEBUG on) a signed-in user never gets Django's technical 404."""

import uuid

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

TECHNICAL_404 = "Using the URLconf defined in"


@pytest.fixture(scope="module")
def unlisted_group_id(app) -> int:
    """An Unlisted group Casey is not in, so he may not know of it (made behind the app's back)."""
    name = f"Board {uuid.uuid4().hex[:8]}"
    return int(
        app.shell(
            "from groups.models import Group\n"
            f"group = Group.objects.create(name={name!r}, access_type=Group.AccessType.UNLISTED)\n"
            "print(group.pk)\n"
        )
    )


def test_a_user_opening_a_group_they_may_not_see_gets_data_not_available(
    app, open_browser, unlisted_group_id
):
    assert app.env["DJANGO_DEBUG"] == "1"
    page = open_browser("casey@acme.example")

    response = page.goto(f"/groups/{unlisted_group_id}/")

    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Data Not Available")
    expect(page.get_by_role("link", name="Go to Home")).to_be_visible()
    assert TECHNICAL_404 not in page.content()
    assert "Board" not in page.title()


def test_a_url_that_matches_nothing_gets_data_not_available(open_browser):
    page = open_browser("casey@acme.example")

    response = page.goto("/groups/999999999/members/no-such-page/")

    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Data Not Available")
    assert TECHNICAL_404 not in page.content()
