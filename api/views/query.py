"""``query``, ``queryAll`` and ``query/<locator>``: SOQL over REST, paged as Salesforce pages.

A page holds ``Sforce-Query-Options: batchSize=`` rows (200 to 2,000; 2,000 by
default). When more rows remain, ``nextRecordsUrl`` is
``/services/data/vNN.N/query/<locator>-<offset>``: the locator is the query, its
user and its total signed with Django's signing (no SQL, nothing stored), valid for
15 minutes after the page that handed it out, as Salesforce's are. Each page runs the
query again from its offset, through the same visibility.
"""

from __future__ import annotations

import re
from typing import Any

from django.core import signing
from django.http import HttpResponse

from api.http import ApiError, ApiRequest, api_view, errors_response, ok
from api.soql import SoqlError, soql_compile
from api.views.data import version_check

DEFAULT_BATCH_SIZE = 2000
MIN_BATCH_SIZE, MAX_BATCH_SIZE = 200, 2000
LOCATOR_SALT = "api.query.locator"
LOCATOR_MAX_AGE = 15 * 60
_BATCH = re.compile(r"batchSize\s*=\s*(\d+)", re.IGNORECASE)

INVALID_LOCATOR = ApiError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")


def batch_size(request: ApiRequest) -> int:
    """The page size the client asked for, held to Salesforce's 200 to 2,000."""
    match = _BATCH.search(request.headers.get("Sforce-Query-Options", ""))
    if match is None:
        return DEFAULT_BATCH_SIZE
    return max(MIN_BATCH_SIZE, min(MAX_BATCH_SIZE, int(match.group(1))))


def _answer(
    request: ApiRequest,
    version: str,
    text: str,
    *,
    start: int = 0,
    size: int,
    total: int | None = None,
) -> HttpResponse:
    try:
        plan = soql_compile(text, viewer=request.api_user)
        base = f"/services/data/v{version}"

        def url(object_name: str, record_id: str | None) -> str:
            return f"{base}/sobjects/{object_name}/{record_id}"

        records = plan.page(start, size, url)
        if total is None:
            # A first page that is not full, or that reaches the query's LIMIT, is the
            # whole answer: no COUNT needed.
            full = len(records) == size and not plan.answered_by(start, len(records))
            total = plan.total() if (full or start or not plan.paged) else len(records)
    except SoqlError as error:
        return errors_response([{"message": error.message, "errorCode": error.code}], 400)
    done = not plan.paged or start + len(records) >= total
    body: dict[str, Any] = {"totalSize": total, "done": done}
    if not body["done"]:
        locator = signing.dumps(
            {"q": text, "u": request.api_user.pk, "b": size, "t": total},
            salt=LOCATOR_SALT,
            compress=True,
        )
        body["nextRecordsUrl"] = f"{base}/query/{locator}-{start + len(records)}"
    body["records"] = records
    return ok(body)


def _text(request: ApiRequest) -> str:
    text = request.GET.get("q")
    if text is None:
        raise ApiError(400, "MALFORMED_QUERY", "SOQL statements cannot be empty or null")
    return text


@api_view("GET")
def query(request: ApiRequest, version: str) -> HttpResponse:
    """``GET query?q=SOQL``: the first page of the rows the user may see."""
    version_check(version)
    return _answer(request, version, _text(request), size=batch_size(request))


@api_view("GET")
def query_all(request: ApiRequest, version: str) -> HttpResponse:
    """``GET queryAll?q=SOQL``: as ``query``. The org keeps no deleted rows (posts and
    groups are deleted outright; canceled invitations stay visible to ``query`` with
    Status 'Canceled'), so every row answers ``IsDeleted = false``."""
    version_check(version)
    return _answer(request, version, _text(request), size=batch_size(request))


@api_view("GET")
def query_more(request: ApiRequest, version: str, locator: str) -> HttpResponse:
    """``GET query/<locator>-<offset>``: the next page of an earlier query."""
    version_check(version)
    token, _, offset = locator.rpartition("-")
    if not offset.isdigit():
        raise INVALID_LOCATOR
    try:
        state = signing.loads(token, salt=LOCATOR_SALT, max_age=LOCATOR_MAX_AGE)
    except signing.BadSignature:
        raise INVALID_LOCATOR from None
    if not isinstance(state, dict) or state.get("u") != request.api_user.pk:
        raise INVALID_LOCATOR
    return _answer(
        request,
        version,
        str(state["q"]),
        start=int(offset),
        size=int(state["b"]),
        total=int(state["t"]),
    )


@api_view("GET")
def search(request: ApiRequest, version: str) -> HttpResponse:
    """``GET search?q=FIND ...``: SOSL is not supported; said plainly rather than half-done."""
    version_check(version)
    raise ApiError(
        400, "INVALID_SEARCH", "SOSL search is not supported by Chatter Org; use SOQL (query?q=)."
    )
