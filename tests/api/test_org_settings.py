"""The API reads its org settings from Setup: trusted IP ranges, session timeout, daily limit."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.models import ApiSession
from accounts.oauth import ApiLoginFailed, api_password_login, api_session_start
from chatterorg.tokens import token_hash
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

V = "/services/data/v59.0"
OUTSIDE = "203.0.113.9"
TOKEN = "A" * 24


def test_a_password_from_outside_the_trusted_ranges_needs_the_security_token(user, org):
    with pytest.raises(ApiLoginFailed):
        api_password_login(username=user.username, password=PASSWORD, client_address=OUTSIDE)

    user.security_token_hash = token_hash(TOKEN)
    user.save()
    assert (
        api_password_login(
            username=user.username, password=PASSWORD + TOKEN, client_address=OUTSIDE
        )
        == user
    )


def test_an_address_in_a_trusted_range_set_in_setup_may_omit_the_token(user, org):
    org.trusted_ip_ranges = ["203.0.113.0/24"]
    org.save()

    assert (
        api_password_login(username=user.username, password=PASSWORD, client_address=OUTSIDE)
        == user
    )


def test_loopback_is_no_longer_trusted_once_setup_removes_it(user, org):
    org.trusted_ip_ranges = []
    org.save()

    with pytest.raises(ApiLoginFailed):
        api_password_login(username=user.username, password=PASSWORD, client_address="127.0.0.1")


def test_sessions_end_after_the_orgs_timeout_value(client, user, org):
    org.session_timeout_seconds = 15 * 60
    org.save()
    access, _refresh, _session = api_session_start(user=user, kind=ApiSession.Kind.SOAP)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {access}"}

    with time_machine.travel(timezone.now() + timedelta(minutes=10)):
        assert client.get(f"{V}/sobjects", **headers).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(minutes=40)):
        assert client.get(f"{V}/sobjects", **headers).status_code == 401


def test_limits_report_the_orgs_daily_limit(client, user, org):
    org.api_daily_request_limit = 1234
    org.save()
    access, _refresh, _session = api_session_start(user=user, kind=ApiSession.Kind.SOAP)

    response = client.get(f"{V}/limits", HTTP_AUTHORIZATION=f"Bearer {access}")

    assert response.json()["DailyApiRequests"] == {"Max": 1234, "Remaining": 1233}
    assert response["Sforce-Limit-Info"] == "api-usage=1/1234"
