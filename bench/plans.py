"""The plans of the main requests' queries on the large org, for the report.

Each request is made in-process with Django's test client and every query it
runs is explained by PostgreSQL: reads with ``EXPLAIN ANALYZE`` (they are
run), writes and locking reads with a plain ``EXPLAIN``. A sequential scan of
a table of more than ``LARGE_TABLE_ROWS`` rows is what an index should have
prevented, or a query that grows with the data, so the report names each one.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

LARGE_TABLE_ROWS = 10_000
_EXPLAINED = ("SELECT", "UPDATE", "DELETE")


@dataclass
class RequestPlans:
    name: str
    queries: int = 0
    read_ms: float = 0.0  # the reads' execution time, as EXPLAIN ANALYZE measured it
    slowest_ms: float = 0.0
    slowest_sql: str = ""
    seq_scans: list[str] = field(default_factory=list)


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def _explain(cursor: Any, sql: str, sizes: dict[str, float], into: RequestPlans) -> None:
    head = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else ""
    if head not in _EXPLAINED:
        return
    runs = head == "SELECT" and "FOR UPDATE" not in sql.upper()
    cursor.execute(f"EXPLAIN ({'ANALYZE, ' if runs else ''}FORMAT JSON) {sql}")
    raw = cursor.fetchone()[0]
    document = (json.loads(raw) if isinstance(raw, str) else raw)[0]
    for node in _nodes(document["Plan"]):
        table = node.get("Relation Name")
        if node.get("Node Type") == "Seq Scan" and sizes.get(table, 0) > LARGE_TABLE_ROWS:
            scan = f"{table} ({sizes[table]:,.0f} rows)"
            if runs:
                # A scan under a LIMIT stops early: say how far it read, which does not grow.
                read = (node["Actual Rows"] + node.get("Rows Removed by Filter", 0)) * node.get(
                    "Actual Loops", 1
                )
                if read <= LARGE_TABLE_ROWS:
                    scan = f"{table} ({sizes[table]:,.0f} rows; read {read:,.0f}, then its LIMIT)"
            if scan not in into.seq_scans:
                into.seq_scans.append(scan)
    if runs:
        took = float(document.get("Execution Time", 0.0))
        into.read_ms += took
        if took > into.slowest_ms:
            into.slowest_ms, into.slowest_sql = took, " ".join(sql.split())[:160]


def explain_requests(
    requests: list[tuple[str, Callable[[], Any]]],
) -> list[RequestPlans]:
    """Run each request, capture its queries, and explain them afterwards."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, reltuples FROM pg_class WHERE relkind = 'r'")
        sizes = {name: float(rows) for name, rows in cursor.fetchall()}
    results = []
    for name, send in requests:
        with CaptureQueriesContext(connection) as captured:
            send()
        plans = RequestPlans(name, queries=len(captured.captured_queries))
        with connection.cursor() as cursor:
            for query in captured.captured_queries:
                _explain(cursor, query["sql"], sizes, plans)
        results.append(plans)
    return results


def main_requests(
    *, fixtures: dict[str, Any], password: str, signup_password: str
) -> list[tuple[str, Callable[[], Any]]]:
    """The requests the benchmark measures, and the Setup lists that grow with the org."""
    from django.test import Client

    from accounts.models import User

    def signed_in(username: str) -> Client:
        client = Client(HTTP_HOST="localhost")
        client.force_login(User.objects.get(username=username))
        return client

    morgan = signed_in("morgan@acme.example")
    customer = signed_in("bench.customer@guest.acme.example")
    admin = signed_in("admin@acme.example")
    anonymous = Client(HTTP_HOST="localhost")
    large = fixtures["large_group_id"]
    token = fixtures["plan_token"]
    joiner = Client(HTTP_HOST="localhost")
    addresses = ", ".join(f"plan{k}@prospect{k % 7}.example" for k in range(100))
    bulk_url = f"/invitations/groups/{large}/invite/bulk/"

    def csv_file() -> Any:
        from django.core.files.uploadedfile import SimpleUploadedFile

        rows = "".join(f"bulk{k}@prospect{k % 7}.example,Bulk,Row {k},\n" for k in range(1000))
        content = ("email,first name,last name,message\n" + rows).encode()
        return SimpleUploadedFile("people.csv", content, content_type="text/csv")

    def signup() -> Any:
        return joiner.post(
            "/join/signup/",
            {
                "first_name": "Plan",
                "last_name": "Signup",
                "company_name": "Globex",
                "password": signup_password,
                "password_confirm": signup_password,
                "security_question": "first_pet",
                "answer": "Rex the dog",
            },
        )

    def join_open() -> None:
        joiner.get(f"/join/{token}/")

    return [
        (
            "Log in",
            lambda: anonymous.post(
                "/accounts/login/", {"username": "MORGAN@acme.example", "password": password}
            ),
        ),
        ("Groups list", lambda: morgan.get("/groups/")),
        ("Group page, large group", lambda: morgan.get(f"/groups/{large}/")),
        ("Customer's group page", lambda: customer.get(f"/groups/{large}/")),
        ("Pending invitations", lambda: morgan.get(f"/invitations/groups/{large}/invitations/")),
        (
            "Invite 100 addresses",
            lambda: morgan.post(
                f"/invitations/groups/{large}/invite/",
                {"addresses": addresses, "message": "Welcome"},
            ),
        ),
        ("Join Now link", join_open),
        ("Sign-up", signup),
        ("People", lambda: morgan.get("/people/")),
        ("Setup: Users", lambda: admin.get("/setup/users/")),
        ("Setup: Audit Trail", lambda: admin.get("/setup/audit-trail/")),
        ("Setup: Invitations", lambda: admin.get("/setup/invitations/")),
        (
            "Setup: Invitations, Expired, one domain",
            lambda: admin.get("/setup/invitations/?status=Expired&domain=globex.example"),
        ),
        ("Setup: Customers", lambda: admin.get("/setup/users/customers/")),
        ("Dry run of a 1,000-row CSV", lambda: morgan.post(bulk_url, {"file": csv_file()})),
    ]


def report_lines(plans: list[RequestPlans]) -> list[str]:
    lines = [
        "| Request | Queries | Reads, total ms | Slowest read ms | Sequential scans of large "
        f"tables (over {LARGE_TABLE_ROWS:,} rows) |",
        "|---|---:|---:|---:|---|",
    ]
    for p in plans:
        scans = ", ".join(p.seq_scans) if p.seq_scans else "none"
        lines.append(f"| {p.name} | {p.queries} | {p.read_ms:.1f} | {p.slowest_ms:.1f} | {scans} |")
    return lines
