"""Which logouts end API sessions: the API's own (SOAP ``logout``), not the browser's.

Salesforce keeps a connected app's tokens apart from the UI session: a nightly
job must not stop because its user logged out of the browser. Revoke (OAuth or
Setup), deactivation and the timeout end API sessions too (tests/api/test_views.py).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import ApiSession
from accounts.oauth import api_session_for_token, api_session_start

pytestmark = pytest.mark.django_db

LOGOUT = """<?xml version="1.0" encoding="utf-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"
  xmlns:urn="urn:partner.soap.sforce.com">
  <soapenv:Header><urn:SessionHeader><urn:sessionId>{token}</urn:sessionId></urn:SessionHeader>
  </soapenv:Header>
  <soapenv:Body><urn:logout/></soapenv:Body>
</soapenv:Envelope>"""


def test_a_soap_logout_ends_its_session(client, user):
    access, _refresh, _session = api_session_start(user=user, kind=ApiSession.Kind.SOAP)

    response = client.post(
        "/services/Soap/u/59.0", LOGOUT.format(token=access), content_type="text/xml"
    )

    assert response.status_code == 200
    assert b"logoutResponse" in response.content
    assert api_session_for_token(access) is None


def test_logging_out_of_the_ui_leaves_the_users_api_sessions(client, user):
    access, _refresh, _session = api_session_start(user=user, kind=ApiSession.Kind.SOAP)
    client.force_login(user)

    client.post(reverse("accounts:logout"))

    assert "_auth_user_id" not in client.session
    assert api_session_for_token(access) is not None
