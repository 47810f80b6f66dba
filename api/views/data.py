"""The REST data API: versions, limits, describe, sObject rows and composite/sobjects."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from api.http import (
    ApiError,
    ApiRequest,
    api_error_for,
    api_view,
    json_body,
    json_object,
    ok,
)
from api.ids import PREFIXES, sf_id
from api.models import ApiDailyUsage
from api.sobjects import SOBJECTS, SObject, sobject_get
from chatterorg.selectors import org_get

FIRST_VERSION, LAST_VERSION = 31, 66
MAX_COMPOSITE_RECORDS = 200


def version_check(version: str) -> None:
    """``NN.N`` for a supported version (404 NOT_FOUND otherwise, as Salesforce answers)."""
    try:
        major, minor = version.split(".")
        supported = FIRST_VERSION <= int(major) <= LAST_VERSION and minor == "0"
    except ValueError:
        supported = False
    if not supported:
        raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")


@never_cache
def versions(request: HttpRequest) -> HttpResponse:
    """``GET /services/data/``: every version, oldest first (no session needed)."""
    data = [
        {"label": f"API {v}.0", "url": f"/services/data/v{v}.0", "version": f"{v}.0"}
        for v in range(FIRST_VERSION, LAST_VERSION + 1)
    ]
    return JsonResponse(data, safe=False)


@api_view("GET")
def version_root(request: ApiRequest, version: str) -> HttpResponse:
    version_check(version)
    base = f"/services/data/v{version}"
    return ok(
        {
            "chatter": f"{base}/chatter",
            "composite": f"{base}/composite",
            "limits": f"{base}/limits",
            "sobjects": f"{base}/sobjects",
        }
    )


@api_view("GET")
def limits(request: ApiRequest, version: str) -> HttpResponse:
    version_check(version)
    used = (
        ApiDailyUsage.objects.filter(day=timezone.now().date())
        .values_list("requests", flat=True)
        .first()
        or 0
    )
    limit = org_get().api_daily_request_limit
    return ok({"DailyApiRequests": {"Max": limit, "Remaining": max(limit - used, 0)}})


def _describe_basic(sobject: SObject, version: str) -> dict[str, Any]:
    base = f"/services/data/v{version}/sobjects/{sobject.name}"
    return {
        "name": sobject.name,
        "label": sobject.label,
        "labelPlural": sobject.label_plural,
        "keyPrefix": PREFIXES[sobject.name],
        "custom": False,
        "createable": sobject.create is not None,
        "updateable": sobject.update is not None,
        "deletable": sobject.delete is not None,
        "queryable": True,
        "retrieveable": True,
        "searchable": False,
        "layoutable": False,
        "urls": {
            "sobject": base,
            "describe": f"{base}/describe",
            "rowTemplate": f"{base}/{{ID}}",
        },
    }


@api_view("GET")
def describe_global(request: ApiRequest, version: str) -> HttpResponse:
    version_check(version)
    return ok(
        {
            "encoding": "UTF-8",
            "maxBatchSize": 200,
            "sobjects": [_describe_basic(s, version) for s in SOBJECTS.values()],
        }
    )


@api_view("GET")
def describe(request: ApiRequest, version: str, sobject: str) -> HttpResponse:
    version_check(version)
    found = sobject_get(sobject)
    found.check_access(request.api_user)
    return ok(
        {
            **_describe_basic(found, version),
            "fields": [f.describe() for f in found.fields],
            "childRelationships": [],
            "recordTypeInfos": [],
        }
    )


def _recent(sobject: SObject, request: ApiRequest, version: str) -> dict[str, Any]:
    rows = sobject.visible(request.api_user).order_by("-pk")[:200]
    name_field = sobject.by_name.get("name")
    fields = [sobject.fields[0], *([name_field] if name_field else [])]
    return {
        "objectDescribe": _describe_basic(sobject, version),
        "recentItems": [sobject.record(row, fields) for row in rows],
    }


def _created(record_id: str | None) -> dict[str, Any]:
    return {"id": record_id, "success": True, "errors": []}


@api_view("GET", "POST")
def sobject_root(request: ApiRequest, version: str, sobject: str) -> HttpResponse:
    """``GET`` the object's basic info and recent rows; ``POST`` create one row."""
    version_check(version)
    found = sobject_get(sobject)
    found.check_access(request.api_user)
    if request.method == "GET":
        return ok(_recent(found, request, version))
    data = json_object(request)
    return ok(_created(_create(found, request, data)), status=201)


def _create(sobject: SObject, request: ApiRequest, data: dict[str, Any]) -> str | None:
    if sobject.create is None:
        raise ApiError(
            400,
            "INVALID_TYPE_FOR_OPERATION",
            f"entity type {sobject.name} does not support insert",
        )
    values = sobject.writable(data, creating=True)
    row = sobject.create(request.api_user, values)
    return sf_id(sobject.name, row.pk)


def _not_allowed(sobject: SObject, method: str) -> ApiError:
    hint = " Deactivate users with IsActive=false." if sobject.name == "User" else ""
    return ApiError(
        405,
        "METHOD_NOT_ALLOWED",
        f"HTTP Method '{method}' not allowed for {sobject.name}.{hint}",
    )


def _update(sobject: SObject, request: ApiRequest, record_id: str, data: dict[str, Any]) -> None:
    row = sobject.get(request.api_user, record_id)
    if sobject.update is None:
        raise _not_allowed(sobject, "PATCH")
    sobject.update(request.api_user, row, sobject.writable(data, creating=False))


@api_view("GET", "PATCH", "DELETE", "HEAD")
def sobject_row(request: ApiRequest, version: str, sobject: str, record_id: str) -> HttpResponse:
    """One row: ``GET`` (with ``?fields=``), ``PATCH`` (204), ``DELETE`` (204)."""
    version_check(version)
    found = sobject_get(sobject)
    if request.method == "PATCH":
        # Read the body first: a malformed body writes nothing and says so.
        data = json_object(request)
        _update(found, request, record_id, data)
        return ok(None, status=204)
    row = found.get(request.api_user, record_id)
    if request.method == "DELETE":
        if found.delete is None:
            raise _not_allowed(found, "DELETE")
        found.delete(request.api_user, row)
        return ok(None, status=204)
    requested = request.GET.get("fields", "")
    fields = [found.field_named(name) for name in requested.split(",") if name.strip()] or None
    return ok(found.record(row, fields))


def _composite_item_error(error: ApiError) -> dict[str, Any]:
    return {
        "id": None,
        "success": False,
        "errors": [{"statusCode": error.code, "message": error.message, "fields": error.fields}],
    }


ROLLED_BACK = ApiError(
    400,
    "ALL_OR_NONE_OPERATION_ROLLED_BACK",
    "Record rolled back because not all records were valid and the request was using "
    "AllOrNone header",
)


class _RollBack(Exception):
    pass


def _composite_one(request: ApiRequest, record: Any, *, creating: bool) -> dict[str, Any]:
    if not isinstance(record, dict):
        raise ApiError(400, "JSON_PARSER_ERROR", "Each record must be a JSON object.")
    attributes = record.get("attributes") or {}
    sobject = sobject_get(str(attributes.get("type", "")))
    sobject.check_access(request.api_user)
    if creating:
        return _created(_create(sobject, request, record))
    record_id = record.get("Id")
    if not isinstance(record_id, str):
        raise ApiError(400, "MISSING_ARGUMENT", "Id not specified in an update call", ["Id"])
    _update(sobject, request, record_id, {k: v for k, v in record.items() if k != "Id"})
    return {"id": record_id, "success": True, "errors": []}


@api_view("POST", "PATCH")
def composite_sobjects(request: ApiRequest, version: str) -> HttpResponse:
    """Create (POST) or update (PATCH) up to 200 rows, each through its object's create or
    update; with ``allOrNone`` one failure rolls every row back."""
    version_check(version)
    body = json_body(request)
    if not isinstance(body, dict) or not isinstance(body.get("records"), list):
        raise ApiError(400, "JSON_PARSER_ERROR", "The body must have a records array.")
    records, all_or_none = body["records"], bool(body.get("allOrNone"))
    if len(records) > MAX_COMPOSITE_RECORDS:
        raise ApiError(
            400,
            "EXCEEDED_ID_LIMIT",
            "record limit reached. cannot submit more than 200 records into this call",
        )
    creating = request.method == "POST"
    results: list[dict[str, Any]] = []
    try:
        with transaction.atomic():
            for record in records:
                try:
                    with transaction.atomic():
                        results.append(_composite_one(request, record, creating=creating))
                except Exception as exc:
                    error = api_error_for(exc)
                    if error is None:
                        raise
                    results.append(_composite_item_error(error))
                    if all_or_none:
                        raise _RollBack from None
    except _RollBack:
        failed = len(results) - 1
        results = [
            results[failed] if index == failed else _composite_item_error(ROLLED_BACK)
            for index in range(len(records))
        ]
    return ok(results)
