"""The API's request and response plumbing: Salesforce's error shape, JSON bodies,
the session check and the daily request limit.

Every error is a JSON array of ``{"message", "errorCode", "fields"}`` with
Salesforce's codes; every authenticated response carries
``Sforce-Limit-Info: api-usage=N/M``. Views are plain Django functions: the
shapes are Salesforce's, not a framework's, so a JSON helper is all they need.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from accounts.models import ApiSession, User
from accounts.oauth import api_session_for_token
from accounts.permissions import Perm, user_has_perm
from accounts.validation import ValidationRuleFailed
from api.ids import MalformedId
from api.models import ApiDailyUsage
from chatterorg.selectors import org_get


class ApiError(Exception):
    """An error answer: HTTP status, Salesforce error code, message, fields."""

    def __init__(self, status: int, code: str, message: str, fields: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = list(fields)


class ApiRequest(HttpRequest):
    """A request that passed ``api_view``: its API session and user."""

    api_session: ApiSession
    api_user: User
    api_usage: tuple[int, int]


def errors_response(errors: list[dict[str, Any]], status: int) -> JsonResponse:
    return JsonResponse(errors, status=status, safe=False)


def error_response(error: ApiError) -> JsonResponse:
    return errors_response(
        [{"message": error.message, "errorCode": error.code, "fields": error.fields}],
        error.status,
    )


def not_found(message: str = "The requested resource does not exist") -> ApiError:
    return ApiError(404, "NOT_FOUND", message)


def insufficient_access(message: str = "") -> ApiError:
    return ApiError(
        403,
        "INSUFFICIENT_ACCESS_OR_READONLY",
        message or "You do not have the level of access necessary to perform the operation.",
    )


def malformed_id(value: Any) -> ApiError:
    return ApiError(400, "MALFORMED_ID", f"Invalid id: {value}")


# Action fields → API field names, for the ``fields`` of a refused write.
FIELD_API_NAMES: dict[str, str] = {}


def validation_error(exc: ValidationError, api_names: dict[str, str] | None = None) -> ApiError:
    """An action's refusal as Salesforce says it (a failing User rule is its own code)."""
    names = {**FIELD_API_NAMES, **(api_names or {})}
    if isinstance(exc, ValidationRuleFailed):
        violation = exc.first
        fields = [names.get(violation.field, violation.field)] if violation.field else []
        return ApiError(400, "FIELD_CUSTOM_VALIDATION_EXCEPTION", violation.message, fields)
    if hasattr(exc, "error_dict"):
        fields = [names.get(f, f) for f in exc.error_dict if f != "__all__"]
        messages = [m for errors in exc.message_dict.values() for m in errors]
    else:
        fields, messages = [], list(exc.messages)
    return ApiError(400, "FIELD_INTEGRITY_EXCEPTION", " ".join(messages), fields)


def api_error_for(exc: Exception) -> ApiError | None:
    """What an exception a view or an action raised answers, or None for a bug."""
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, Http404):
        return not_found()
    if isinstance(exc, PermissionDenied):
        return insufficient_access(str(exc))
    if isinstance(exc, MalformedId):
        return malformed_id(exc)
    if isinstance(exc, ValidationError):
        return validation_error(exc)
    return None


def api_errors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Answer what a view or an action raises in Salesforce's error shape."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except (ApiError, Http404, PermissionDenied, MalformedId, ValidationError) as exc:
            error = api_error_for(exc)
            assert error is not None
            return error_response(error)

    return wrapped


# --- Bodies -------------------------------------------------------------------------------


def body_read(request: HttpRequest) -> bytes:
    """The raw body, at most ``API_MAX_BODY_BYTES`` (413 beyond, before any parsing).

    Read from the stream, not ``request.body``: a chunked body has no
    Content-Length for Django's own limit to check.
    """
    limit = settings.API_MAX_BODY_BYTES
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if declared.isdigit() and int(declared) > limit:
        raise ApiError(413, "REQUEST_ENTITY_TOO_LARGE", "Request body exceeds 10 MB.")
    data = request.read(limit + 1)
    if len(data) > limit:
        raise ApiError(413, "REQUEST_ENTITY_TOO_LARGE", "Request body exceeds 10 MB.")
    return data


def _depth(value: Any) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return deepest


def json_body(request: HttpRequest) -> Any:
    """The request's JSON body: 415 for another content type, 400 JSON_PARSER_ERROR
    for a body that is not JSON or nests deeper than ``API_MAX_JSON_DEPTH``."""
    content_type = request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
    data = body_read(request)
    if content_type != "application/json":
        raise ApiError(
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            f"Content type '{content_type or 'none'}' is not supported; use application/json.",
        )
    try:
        value = json.loads(data or b"null")
    except RecursionError:
        raise ApiError(400, "JSON_PARSER_ERROR", "The JSON body is nested too deeply.") from None
    except ValueError as exc:
        raise ApiError(400, "JSON_PARSER_ERROR", f"The request body is not JSON: {exc}") from None
    if _depth(value) > settings.API_MAX_JSON_DEPTH:
        raise ApiError(400, "JSON_PARSER_ERROR", "The JSON body is nested too deeply.")
    return value


def json_object(request: HttpRequest) -> dict[str, Any]:
    value = json_body(request)
    if not isinstance(value, dict):
        raise ApiError(400, "JSON_PARSER_ERROR", "The request body must be a JSON object.")
    return value


# --- Sessions and the daily limit ---------------------------------------------------------


def bearer_token(request: HttpRequest) -> str:
    """The token of ``Authorization: Bearer …`` (or Salesforce's older ``OAuth …``)."""
    scheme, _, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() in ("bearer", "oauth"):
        return token.strip()
    return ""


INVALID_SESSION = ApiError(401, "INVALID_SESSION_ID", "Session expired or invalid")


def usage_count() -> tuple[int, int]:
    """Count one request against the org's daily limit: ``(used, limit)``; 403 past it.

    One conditional UPDATE: concurrent requests cannot pass the limit together.
    """
    limit = org_get().api_daily_request_limit
    today = timezone.now().date()
    ApiDailyUsage.objects.bulk_create([ApiDailyUsage(day=today)], ignore_conflicts=True)
    counted = ApiDailyUsage.objects.filter(day=today, requests__lt=limit).update(
        requests=F("requests") + 1
    )
    used = ApiDailyUsage.objects.filter(day=today).values_list("requests", flat=True).first() or 0
    if not counted:
        raise ApiError(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
    return used, limit


def usage_header(response: HttpResponse, used: int, limit: int) -> HttpResponse:
    response["Sforce-Limit-Info"] = f"api-usage={used}/{limit}"
    return response


View = Callable[..., HttpResponse]


def api_view(*methods: str) -> Callable[[View], View]:
    """An authenticated API endpoint: a live session of a user with "API Enabled",
    the request counted against the daily limit, errors in Salesforce's shape."""

    def decorator(view: View) -> View:
        @csrf_exempt
        @never_cache
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            session = api_session_for_token(bearer_token(request))
            if session is None:
                return error_response(INVALID_SESSION)
            if not user_has_perm(session.user, Perm.API_ENABLED):
                return error_response(
                    ApiError(403, "API_DISABLED_FOR_ORG", "API is not enabled for this user.")
                )
            try:
                used, limit = usage_count()
            except ApiError as error:
                limit = org_get().api_daily_request_limit
                return usage_header(error_response(error), limit, limit)
            if methods and request.method not in methods:
                response: HttpResponse = error_response(
                    ApiError(
                        405,
                        "METHOD_NOT_ALLOWED",
                        f"HTTP Method '{request.method}' not allowed. Allowed are "
                        + ",".join(methods),
                    )
                )
                response["Allow"] = ", ".join(methods)
                return usage_header(response, used, limit)
            api_request: Any = request
            api_request.api_session = session
            api_request.api_user = session.user
            response = api_errors(view)(request, *args, **kwargs)
            return usage_header(response, used, limit)

        return wrapped

    return decorator


def ok(data: Any, status: int = 200) -> HttpResponse:
    if status == 204:
        return HttpResponse(status=204)
    return JsonResponse(data, status=status, safe=False)
