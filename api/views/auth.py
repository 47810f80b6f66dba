"""Logins: OAuth 2.0 token and revoke endpoints, and the SOAP ``login`` call.

Both clients send these bodies chunked, without a Content-Length; the bodies are
read from the stream (see ``api.http.body_read``), which ASGI delivers whole.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time
from typing import Any
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_variables

from accounts.models import ApiSession, ConnectedApp, User
from accounts.oauth import (
    ApiLoginFailed,
    api_password_login,
    api_session_refresh,
    api_session_revoke,
    api_session_start,
    connected_app_for_key,
    connected_app_secret_matches,
)
from accounts.permissions import Perm, user_has_perm
from accounts.throttle import client_address
from api.http import ApiError, bearer_token, body_read
from api.ids import sf_id
from chatterorg.selectors import org_get

LATEST_VERSION = "66.0"


def instance_url(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


def _oauth_error(error: str, description: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": error, "error_description": description}, status=status)


def _form(request: HttpRequest) -> dict[str, str]:
    data = body_read(request)
    try:
        parsed = parse_qs(data.decode("utf-8"), keep_blank_values=True)
    except UnicodeDecodeError:
        return {}
    return {key: values[0] for key, values in parsed.items()}


def _client(request: HttpRequest, form: dict[str, str]) -> tuple[str, str]:
    # client_id/client_secret in the body, or HTTP Basic (simple-salesforce's client credentials).
    scheme, _, encoded = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() == "basic":
        try:
            key, _, secret = base64.b64decode(encoded).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return "", ""
        return key, secret
    return form.get("client_id", ""), form.get("client_secret", "")


def _token_answer(
    request: HttpRequest, *, access: str, session: ApiSession, refresh: str | None
) -> JsonResponse:
    issued_at = str(int(time.time() * 1000))
    identity = (
        f"{instance_url(request)}/id/{sf_id('Organization', 1)}/{sf_id('User', session.user_id)}"
    )
    # Salesforce signs id + issued_at with the consumer secret; we have only its hash,
    # so the signature is keyed by the app's secret hash: stable and verifiable here.
    key = (session.app.consumer_secret_hash if session.app else settings.SECRET_KEY).encode()
    signature = base64.b64encode(
        hmac.new(key, (identity + issued_at).encode(), hashlib.sha256).digest()
    ).decode()
    body: dict[str, Any] = {
        "access_token": access,
        "instance_url": instance_url(request),
        "id": identity,
        "token_type": "Bearer",
        "issued_at": issued_at,
        "signature": signature,
        "scope": "api refresh_token",
    }
    if refresh:
        body["refresh_token"] = refresh
    return JsonResponse(body)


@csrf_exempt
@never_cache
@sensitive_variables("form", "password", "access", "refresh")
def oauth_token(request: HttpRequest) -> HttpResponse:
    """``POST /services/oauth2/token``: password, client_credentials and refresh_token."""
    if request.method != "POST":
        return _oauth_error("invalid_request", "must use HTTP POST", 405)
    try:
        form = _form(request)
    except ApiError:
        return _oauth_error("invalid_request", "request body too large", 413)
    grant = form.get("grant_type", "")
    if grant not in ("password", "client_credentials", "refresh_token"):
        return _oauth_error("unsupported_grant_type", "grant type not supported")
    key, secret = _client(request, form)
    app = connected_app_for_key(key)
    if app is None:
        return _oauth_error("invalid_client_id", "client identifier invalid")
    if not connected_app_secret_matches(app, secret):
        return _oauth_error("invalid_client", "invalid client credentials")
    address = client_address(request)
    if grant == "refresh_token":
        try:
            access, session = api_session_refresh(
                app=app, refresh_token=form.get("refresh_token", "")
            )
        except ApiLoginFailed as exc:
            return _oauth_error("invalid_grant", exc.message)
        return _token_answer(request, access=access, session=session, refresh=None)
    if grant == "client_credentials":
        user = _run_as(app)
        if user is None:
            return _oauth_error("invalid_grant", "no client credentials user enabled")
    else:
        try:
            user = api_password_login(
                username=form.get("username", ""),
                password=form.get("password", ""),
                client_address=address,
            )
        except ApiLoginFailed as exc:
            if exc.code == "API_CURRENTLY_DISABLED":
                return _oauth_error("invalid_grant", exc.message)
            return _oauth_error("invalid_grant", "authentication failure")
    access, refresh, session = api_session_start(
        user=user, kind=ApiSession.Kind.OAUTH, app=app, client_address=address
    )
    return _token_answer(
        request, access=access, session=session, refresh=refresh if grant == "password" else None
    )


def _run_as(app: ConnectedApp) -> User | None:
    user = app.run_as
    if not app.client_credentials_enabled or user is None or not user.is_active:
        return None
    return user if user_has_perm(user, Perm.API_ENABLED) else None


@csrf_exempt
@never_cache
@sensitive_variables("form")
def oauth_revoke(request: HttpRequest) -> HttpResponse:
    """``POST /services/oauth2/revoke`` (or GET with ``?token=``): end a session."""
    try:
        form = (
            _form(request)
            if request.method == "POST"
            else {key: str(value) for key, value in request.GET.items()}
        )
    except ApiError:
        return _oauth_error("invalid_request", "request body too large", 413)
    if not api_session_revoke(token=form.get("token", "")):
        return _oauth_error("unsupported_token_type", "this token type is not supported")
    return HttpResponse(status=200)


# --- SOAP ---------------------------------------------------------------------------------

SOAP_ENVELOPE = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
    'xmlns="urn:partner.soap.sforce.com" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    "<soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"
)


def _soap(body: str, status: int = 200) -> HttpResponse:
    return HttpResponse(
        SOAP_ENVELOPE.format(body=body), status=status, content_type="text/xml; charset=utf-8"
    )


def _soap_fault(code: str, message: str) -> HttpResponse:
    return _soap(
        "<soapenv:Fault>"
        '<faultcode xmlns:sf="urn:fault.partner.soap.sforce.com">sf:'
        f"{code}</faultcode><faultstring>{escape(code)}: {escape(message)}</faultstring>"
        '<detail><sf:LoginFault xmlns:sf="urn:fault.partner.soap.sforce.com" '
        'xsi:type="sf:LoginFault">'
        f"<sf:exceptionCode>{code}</sf:exceptionCode>"
        f"<sf:exceptionMessage>{escape(message)}</sf:exceptionMessage>"
        "</sf:LoginFault></detail></soapenv:Fault>",
        status=500,
    )


def _element(xml: str, name: str) -> str | None:
    # The login body is two fields: a tolerant match (any prefix) is enough, and
    # it parses no DTDs or entities beyond the five XML defines.
    match = re.search(rf"<(?:\w+:)?{name}(?:\s[^>]*)?>(.*?)</(?:\w+:)?{name}>", xml, re.S)
    if match is None:
        return None
    text = match.group(1)
    for entity, char in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'")):
        text = text.replace(entity, char)
    return text.replace("&amp;", "&")


@csrf_exempt
@never_cache
@sensitive_variables("xml", "password", "access")
def soap_login(request: HttpRequest, version: str) -> HttpResponse:
    """``POST /services/Soap/u/{version}``: the partner API's ``login`` and ``logout``."""
    if request.method != "POST":
        return _soap_fault("INVALID_OPERATION", "SOAP requests must use POST")
    try:
        xml = body_read(request).decode("utf-8", "replace")
    except ApiError:
        return _soap_fault("EXCEEDED_MAX_SIZE_REQUEST", "request body too large")
    if re.search(r"<(?:\w+:)?logout[\s/>]", xml):
        token = _element(xml, "sessionId") or bearer_token(request)
        api_session_revoke(token=token or "")
        return _soap("<logoutResponse/>")
    if not re.search(r"<(?:\w+:)?login[\s>]", xml):
        return _soap_fault("INVALID_OPERATION", "Only login and logout are supported here")
    address = client_address(request)
    try:
        user = api_password_login(
            username=_element(xml, "username") or "",
            password=_element(xml, "password") or "",
            client_address=address,
        )
    except ApiLoginFailed as exc:
        return _soap_fault(exc.code, exc.message)
    access, _refresh, _session = api_session_start(
        user=user, kind=ApiSession.Kind.SOAP, client_address=address
    )
    org_id = sf_id("Organization", 1)
    user_id = sf_id("User", user.pk)
    base = instance_url(request)
    server_url = f"{base}/services/Soap/u/{version}/{org_id}"
    return _soap(
        "<loginResponse><result>"
        f"<metadataServerUrl>{base}/services/Soap/m/{version}/{org_id}</metadataServerUrl>"
        "<passwordExpired>false</passwordExpired><sandbox>false</sandbox>"
        f"<serverUrl>{server_url}</serverUrl><sessionId>{access}</sessionId>"
        f"<userId>{user_id}</userId><userInfo>"
        f"<organizationId>{org_id}</organizationId>"
        f"<organizationName>{escape(org_get().name)}</organizationName>"
        f"<profileId>{sf_id('Profile', user.profile_id)}</profileId>"
        f"<sessionSecondsValid>{org_get().session_timeout_seconds}</sessionSecondsValid>"
        f"<userEmail>{escape(user.email)}</userEmail>"
        f"<userFullName>{escape(user.name)}</userFullName>"
        f"<userId>{user_id}</userId><userName>{escape(user.username)}</userName>"
        f"<userType>{user.user_type}</userType>"
        "</userInfo></result></loginResponse>"
    )
