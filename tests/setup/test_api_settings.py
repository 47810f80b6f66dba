"""Setup › Security › Network Access and Session Settings: the API's org settings."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.oauth import org_api_settings_update
from chatterorg.models import AuditEvent, Organization
from tests.chatterorg import fixtures
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

admin_client = fixtures.admin_client
user_client = fixtures.user_client
user_manager = fixtures.user_manager

NETWORK = reverse("setup:network_access")
SESSION = reverse("setup:session_settings")


def org() -> Organization:
    return Organization.objects.get(pk=1)


def test_the_initial_values_come_from_the_environment_settings(settings):
    assert org().trusted_ip_ranges == list(settings.API_TRUSTED_IP_RANGES)
    assert org().api_daily_request_limit == settings.API_DAILY_REQUEST_LIMIT
    assert org().session_timeout_seconds == settings.API_SESSION_TIMEOUT


@pytest.mark.parametrize("url", [NETWORK, SESSION])
def test_customers_get_404(url):
    client = Client()
    client.force_login(CustomerFactory())
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", [NETWORK, SESSION])
def test_users_without_customize_application_get_403_and_change_nothing(user_manager, url):
    client = Client()
    client.force_login(user_manager)
    before = org()

    assert client.get(url).status_code == 403
    assert client.post(url, {"trusted_ip_ranges": "0.0.0.0/0"}).status_code == 403
    assert org().trusted_ip_ranges == before.trusted_ip_ranges


def test_admin_sets_trusted_ip_ranges_normalised_and_audited(admin_client, admin_user):
    page = admin_client.get(NETWORK).content.decode()
    response = admin_client.post(
        NETWORK, {"trusted_ip_ranges": "203.0.113.9/24\n198.51.100.7\n\n203.0.113.0/24"}
    )

    assert "127.0.0.0/8" in page
    assert response.status_code == 302
    assert org().trusted_ip_ranges == ["203.0.113.0/24", "198.51.100.7/32"]
    event = AuditEvent.objects.get()
    assert (event.actor, event.section) == (admin_user, "Network Access")
    assert event.new_value == "203.0.113.0/24, 198.51.100.7/32"


def test_a_range_that_is_not_one_is_refused_and_nothing_is_written(admin_client):
    before = org().trusted_ip_ranges

    response = admin_client.post(NETWORK, {"trusted_ip_ranges": "10.0.0.0/8\nthe office"})

    assert response.status_code == 200
    assert "the office is not an IP address" in response.content.decode()
    assert org().trusted_ip_ranges == before
    assert not AuditEvent.objects.exists()


def test_admin_sets_the_timeout_and_the_daily_limit(admin_client):
    response = admin_client.post(
        SESSION, {"session_timeout_seconds": str(2 * 3600), "api_daily_request_limit": "500"}
    )

    assert response.status_code == 302
    assert (org().session_timeout_seconds, org().api_daily_request_limit) == (7200, 500)
    displays = sorted(AuditEvent.objects.values_list("display", flat=True))
    assert displays == [
        'Changed Session Settings setting "API Requests per 24 hours" from 15,000 to 500',
        'Changed Session Settings setting "Timeout Value" from 12 hours to 2 hours',
    ]


def test_a_timeout_that_is_not_offered_is_refused(admin_client):
    response = admin_client.post(
        SESSION, {"session_timeout_seconds": "5", "api_daily_request_limit": "500"}
    )

    assert response.status_code == 200
    assert org().api_daily_request_limit == 15000
    assert not AuditEvent.objects.exists()


def test_the_action_refuses_users_without_customize_application(user_manager):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        org_api_settings_update(actor=user_manager, api_daily_request_limit=1)

    assert org().api_daily_request_limit == 15000
    assert not AuditEvent.objects.exists()
