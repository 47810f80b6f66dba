"""``python -m bench.invitations_plans``: the plans of Setup › Invitations on PostgreSQL.

Against a migrated database in DATABASE_URL that holds the demo org
(``manage.py seed_demo``), adds invitations up to ``--invitations`` (default
20,000: a third in one big domain, the rest over a thousand small ones; every
status; a year of sent dates), then requests the page with the filters that
matter (none, a status, a small domain, the big domain) and prints, for every
query that reads invitations, its median EXPLAIN ANALYZE execution time over
``--rounds`` runs and the scans of its plan. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# The test settings: static files from the finders, so no collectstatic is needed first.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chatterorg.settings_test")

BIG_DOMAIN = "mail.example"
SMALL_DOMAINS = 997  # prime: each small domain gets every status
REQUESTS = [
    ("All", ""),
    ("Status Sent", "status=Sent"),
    ("Status Expired", "status=Expired"),
    ("Small domain", "domain=company7.example"),
    ("Big domain", f"domain={BIG_DOMAIN}"),
    ("Expired, small domain", "status=Expired&domain=company7.example"),
]


def _add_invitations(total: int) -> int:
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import User
    from groups.models import Group
    from invitations.models import Invitation

    have = Invitation.objects.count()
    if have >= total:
        return have
    group = Group.objects.get(name="Customer Success Council")
    inviters = list(User.objects.filter(username__in=["morgan@acme.example", "admin@acme.example"]))
    accepted_user = inviters[0]
    now = timezone.now()
    rows = []
    for n in range(have, total):
        domain = BIG_DOMAIN if n % 3 == 0 else f"company{n % SMALL_DOMAINS}.example"
        sent_at = now - timedelta(days=n % 365, minutes=n % 1440)
        row = Invitation(
            group=group,
            email=f"p{n}@{domain}",
            inviter=inviters[n % len(inviters)],
            sent_at=sent_at,
            expires_at=sent_at + timedelta(days=60),
            delivery_status=Invitation.Delivery.SENT,
        )
        kind = n % 20
        if kind < 7:  # accepted
            row.status = Invitation.Status.ACCEPTED
            row.accepted_at = sent_at + timedelta(days=1)
            row.accepted_user = accepted_user
        elif kind < 10:  # canceled
            row.status = Invitation.Status.CANCELED
            row.canceled_at = sent_at + timedelta(days=1)
        rows.append(row)
    # What save() derives from the address. bulk_create derives it too; the code from before
    # the email_domain column (to measure "before") needs email_key set here.
    for row in rows:
        row.email_key = row.email
    Invitation.objects.bulk_create(rows, batch_size=5000)
    return Invitation.objects.count()


def _plan_scans(plan: dict[str, Any]) -> list[str]:
    found = []
    stack = [plan]
    while stack:
        node = stack.pop()
        kind = node.get("Node Type", "")
        if "Scan" in kind and node.get("Relation Name", "").startswith("invitations_"):
            index = node.get("Index Name")
            found.append(f"{kind}{' ' + index if index else ''} ({node.get('Actual Rows')} rows)")
        stack.extend(node.get("Plans", []))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--invitations", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    total = _add_invitations(args.invitations)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE invitations_invitation")
    print(f"{total:,} invitations")
    admin = Client(HTTP_HOST="localhost")
    admin.force_login(User.objects.get(username="admin@acme.example"))
    for name, query in REQUESTS:
        url = "/setup/invitations/" + (f"?{query}" if query else "")
        admin.get(url)  # warm
        with CaptureQueriesContext(connection) as captured:
            assert admin.get(url).status_code == 200
        queries = captured.captured_queries
        reads = [q["sql"] for q in queries if "invitations_invitation" in q["sql"]]
        print(f"\n{name} ({url}): {len(captured.captured_queries)} queries")
        page_ms = 0.0
        for sql in reads:
            times = []
            scans: list[str] = []
            with connection.cursor() as cursor:
                for _ in range(args.rounds):
                    cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
                    raw = cursor.fetchone()[0]
                    document = (json.loads(raw) if isinstance(raw, str) else raw)[0]
                    times.append(float(document["Execution Time"]))
                    scans = _plan_scans(document["Plan"])
            median = statistics.median(times)
            page_ms += median
            short = " ".join(sql.split())
            print(f"  {median:7.2f} ms  {'; '.join(scans)}")
            print(f"             {short[:150]}{'…' if len(short) > 150 else ''}")
        print(f"  {page_ms:7.2f} ms  the page's invitation reads together")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
