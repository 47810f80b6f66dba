"""With DEBUG on (as `make run` serves), a customer still sees the app's error pages.

Django's technical pages (the URL patterns, the traceback, the settings) appear
only for a developer who sets DJANGO_DEBUG_PAGES.
"""

from __future__ import annotations

import logging

import pytest
from django.test import Client
from django.urls import include, path

from tests.factories import PrivateCustomerGroupFactory

TECHNICAL_404 = "Using the URLconf defined in"
TECHNICAL_500 = "Traceback"

pytestmark = pytest.mark.django_db


@pytest.fixture
def debug_on(settings):
    settings.DEBUG = True
    settings.DEBUG_PAGES = False
    return settings


@pytest.fixture
def debug_pages(settings):
    settings.DEBUG = True
    settings.DEBUG_PAGES = True
    return settings


def _boom(request):
    raise RuntimeError("the validation rule engine fell over")


class WithFailingView:
    """The project's URLs plus one view that raises, for the 500 page."""

    urlpatterns = [path("boom/", _boom), path("", include("chatterorg.urls"))]


@pytest.fixture
def customer_client(client, customer):
    client.force_login(customer)
    return client


def test_a_customer_opening_another_group_sees_data_not_available(debug_on, customer_client, org):
    other = PrivateCustomerGroupFactory(name="Board of Directors")

    response = customer_client.get(f"/groups/{other.pk}/")

    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]
    content = response.content.decode()
    assert "Data Not Available" in content
    assert TECHNICAL_404 not in content
    # The layout's context is there: the org's name and the signed-in header.
    assert org.name in content
    assert "Log Out" in content


def test_a_url_that_matches_nothing_is_data_not_available(debug_on, customer_client):
    response = customer_client.get("/no/such/page/")

    assert response.status_code == 404
    content = response.content.decode()
    assert "Data Not Available" in content
    assert TECHNICAL_404 not in content


def test_a_missing_slash_is_still_redirected(debug_on, customer_client):
    response = customer_client.get("/groups")

    assert response.status_code == 301
    assert response["Location"] == "/groups/"


def test_a_refused_page_is_insufficient_privileges(debug_on, customer_client):
    response = customer_client.get("/groups/new/")

    assert response.status_code == 403
    assert "Insufficient Privileges" in response.content.decode()


def test_a_server_error_is_the_apps_page_and_is_still_logged(debug_on, customer, caplog):
    debug_on.ROOT_URLCONF = WithFailingView
    client = Client(raise_request_exception=False)
    client.force_login(customer)

    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/boom/")

    assert response.status_code == 500
    content = response.content.decode()
    assert "There was a problem with our server" in content
    assert TECHNICAL_500 not in content
    assert "the validation rule engine fell over" not in content
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.getMessage() == "Internal Server Error: /boom/"
    assert record.exc_info is not None


def test_a_disallowed_host_is_a_plain_bad_request(debug_on):
    response = Client(HTTP_HOST="attacker.example").get("/accounts/login/")

    assert response.status_code == 400
    content = response.content.decode()
    assert "Bad Request" in content
    assert "ALLOWED_HOSTS" not in content


def test_debug_pages_bring_back_the_technical_404(debug_pages, customer_client):
    other = PrivateCustomerGroupFactory()

    response = customer_client.get(f"/groups/{other.pk}/")

    assert response.status_code == 404
    assert "Data Not Available" not in response.content.decode()
    assert "Page not found" in response.content.decode()


def test_debug_pages_bring_back_the_technical_url_list(debug_pages, customer_client):
    response = customer_client.get("/no/such/page/")

    assert response.status_code == 404
    assert TECHNICAL_404 in response.content.decode()


def test_debug_pages_bring_back_the_traceback(debug_pages, customer):
    debug_pages.ROOT_URLCONF = WithFailingView
    client = Client(raise_request_exception=False)
    client.force_login(customer)

    response = client.get("/boom/")

    assert response.status_code == 500
    assert "the validation rule engine fell over" in response.content.decode()


def test_with_debug_off_the_pages_are_the_same(settings, customer_client):
    settings.DEBUG = False
    other = PrivateCustomerGroupFactory()

    response = customer_client.get(f"/groups/{other.pk}/")

    assert response.status_code == 404
    assert "Data Not Available" in response.content.decode()
