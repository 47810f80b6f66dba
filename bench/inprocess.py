"""In-process timing of the main pages of one org: ``python -m bench.inprocess``.

bench/run.py starts one of these per org (the large one and its 2% copy, each
on its own database) and drives them in alternating rounds over stdin, so a
drift of the shared machine touches both orgs and every page alike. Each
request goes through Django's whole stack (middleware, session, views,
templates) with the test client, without HTTP or a server process: what is
left is the app's own cost, which the signed-in floor frames.

Protocol, one JSON object per line: the worker first prints
``{"pages": [...]}``; then for each ``{"page": name, "requests": n}`` it reads,
it answers ``{"latencies": [...], "queries": [...], "errors": k}``.
Prints figures; asserts nothing about time.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

# (name, who asks, path, clear the caches before each request)
Page = tuple[str, str | None, str, bool]

COLD = "Group page, large group, cold caches"
SEARCH = "last0001"


def pages(fixtures: dict[str, int]) -> list[Page]:
    """The main pages, each the same request in both orgs."""
    large, small = fixtures["large_group_id"], fixtures["full_small_group_id"]
    morgan, admin = "morgan@acme.example", "admin@acme.example"
    return [
        ("Floor: bare Django view", None, "/_floor/", False),
        ("Floor: signed-in bare view", morgan, "/_floor/signed-in/", False),
        ("Home", morgan, "/", False),
        ("Groups", morgan, "/groups/", False),
        ("Group page, small group", morgan, f"/groups/{small}/", False),
        ("Group page, large group", morgan, f"/groups/{large}/", False),
        (COLD, morgan, f"/groups/{large}/", True),
        ("Customer's group page (large group)", BENCH_CUSTOMER, f"/groups/{large}/", False),
        ("Members page (Add/Remove Members)", morgan, f"/groups/{large}/members/", False),
        ("Change Roles (large group)", morgan, f"/groups/{large}/roles/", False),
        ("A profile", morgan, f"/people/{fixtures['profile_user_id']}/", False),
        ("People", morgan, "/people/", False),
        (f"People, search {SEARCH!r}", morgan, f"/people/?q={SEARCH}", False),
        (f"Global search {SEARCH!r}", morgan, f"/search/?q={SEARCH}", False),
        ("Invite page", morgan, f"/invitations/groups/{large}/invite/", False),
        (
            "Pending invitations (large group)",
            morgan,
            f"/invitations/groups/{large}/invitations/",
            False,
        ),
        (
            "Invitation History (large group)",
            morgan,
            f"/invitations/groups/{large}/invitations/history/",
            False,
        ),
        (f"Setup › Users, search {SEARCH!r}", admin, f"/setup/users/?q={SEARCH}", False),
        ("Setup › Invitations", admin, "/setup/invitations/", False),
        ("Setup › Profiles", admin, "/setup/profiles/", False),
        ("Setup › Customers", admin, "/setup/users/customers/", False),
        ("Setup › Audit Trail", admin, "/setup/audit-trail/", False),
        # The API's SOQL: a page of 2,000 rows with a relationship field, a semi-join
        # over the large group's 5,000 members, and the 200 newest invitations (both orgs
        # have more, so both answer the same number of rows, with no query locator).
        (SOQL_USERS, morgan, _soql("SELECT Id, Name, Profile.Name FROM User LIMIT 2000"), False),
        (
            SOQL_SEMI_JOIN,
            morgan,
            _soql(
                "SELECT Id, Name FROM User WHERE Id IN (SELECT MemberId FROM "
                f"CollaborationGroupMember WHERE CollaborationGroupId = '{_group_id(large)}') "
                "LIMIT 200"
            ),
            False,
        ),
        (
            SOQL_FEED,
            morgan,
            _soql(
                "SELECT Id, Body, CreatedBy.Name FROM FeedItem ORDER BY CreatedDate DESC LIMIT 200"
            ),
            False,
        ),
        (
            SOQL_INVITATIONS,
            morgan,
            _soql(
                "SELECT Id, InvitedUserEmail, Status, SharedEntity.Name "
                "FROM CollaborationInvitation ORDER BY CreatedDate DESC LIMIT 200"
            ),
            False,
        ),
    ]


SOQL_USERS = "SOQL: 2,000 users with Profile.Name"
SOQL_SEMI_JOIN = "SOQL: semi-join on the large group's members"
SOQL_INVITATIONS = "SOQL: the org's 200 newest invitations"
SOQL_FEED = "SOQL: the 200 newest feed items with their authors"
API_PATH = "/services/data/v66.0/query/?q="


def _soql(query: str) -> str:
    from urllib.parse import quote

    return API_PATH + quote(query)


def _group_id(pk: int) -> str:
    from api.ids import sf_id

    return sf_id("CollaborationGroup", pk) or ""


BENCH_CUSTOMER = "bench.customer@guest.acme.example"


def _fixtures() -> dict[str, int]:
    from accounts.models import User
    from bench.build import FULL_SMALL_GROUP, LARGE_GROUP
    from groups.models import Group, Membership

    large = Group.objects.get(name=LARGE_GROUP)
    member = (
        Membership.objects.filter(group=large, role=Membership.Role.MEMBER, is_customer=False)
        .order_by("id")
        .values_list("user_id", flat=True)
        .first()
    )
    return {
        "large_group_id": large.pk,
        "full_small_group_id": Group.objects.get(name=FULL_SMALL_GROUP).pk,
        "profile_user_id": member or User.objects.get(username="morgan@acme.example").pk,
    }


def main() -> int:
    import django

    django.setup()
    from django.core.cache import caches
    from django.test import Client

    from accounts.models import User

    clients: dict[str | None, Client] = {}

    def client_for(username: str | None) -> Client:
        if username not in clients:
            client = Client(HTTP_HOST="localhost")
            if username is not None:
                client.force_login(User.objects.get(username=username))
            clients[username] = client
        return clients[username]

    bearer: dict[str, str] = {}

    def api_headers(username: str) -> dict[str, str]:
        # An API session as an OAuth login makes one, without the password hash.
        from accounts.oauth import api_session_start

        if username not in bearer:
            token, _, _ = api_session_start(user=User.objects.get(username=username), kind="oauth")
            bearer[username] = f"Bearer {token}"
        return {"HTTP_AUTHORIZATION": bearer[username]}

    by_name: dict[str, Callable[[], Any]] = {}
    cold: set[str] = set()
    for name, username, path, clears in pages(_fixtures()):
        if path.startswith(API_PATH) and username is not None:
            api = Client(HTTP_HOST="localhost", **api_headers(username))
            by_name[name] = lambda api=api, path=path: api.get(path)
            continue
        client = client_for(username)
        by_name[name] = lambda client=client, path=path: client.get(path)
        if clears:
            cold.add(name)

    def clear_caches() -> None:
        for cache in caches.all():
            cache.clear()

    print(json.dumps({"pages": list(by_name)}), flush=True)
    for line in sys.stdin:
        command = json.loads(line)
        send = by_name[command["page"]]
        latencies: list[float] = []
        queries: list[int] = []
        errors = 0
        for _ in range(command["requests"]):
            if command["page"] in cold:
                clear_caches()
            started = time.perf_counter()
            response = send()
            latencies.append(time.perf_counter() - started)
            if response.status_code != 200:
                errors += 1
            if "X-Query-Count" in response:
                queries.append(int(response["X-Query-Count"]))
        answer = {"latencies": latencies, "queries": queries, "errors": errors}
        print(json.dumps(answer), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
