"""Fragment caches keyed on versions stored in the database.

A page fragment that costs queries and rendering (a group's feed page, its
members card) is cached under a key that holds the versions of everything it
shows (``ShownVersion`` rows: the group's feed, its members, what the org
shows everywhere: people's names, their active state, the org's settings) and
who is looking (role and capabilities). Actions bump the versions in the same
transaction as the change they make (``chatterorg.actions.shown_versions_bump``), so the first
request after the commit, in any process and with any cache backend, misses
and renders afresh; no cache is ever cleared, old entries just expire.

Because the version lives in the database, a per-process local-memory cache is
correct (the default); production shares one Redis cache (``CACHE_URL``).
"""

from __future__ import annotations

from collections.abc import Iterable

from chatterorg.models import ShownVersion

# What every page shows about people and the org: names, active state, the
# customer badge, the org's settings.
ORG = "org"


def group_feed_key(group_id: int) -> str:
    return f"group-feed:{group_id}"


def group_members_key(group_id: int) -> str:
    return f"group-members:{group_id}"


def shown_versions_get(keys: Iterable[str]) -> dict[str, int]:
    """The current version of each key (0 for one never bumped), in one query.

    Read before the data the fragment shows: then a change committed in
    between is at worst rendered under the older key, never hidden under the
    newer one.
    """
    keys = list(keys)
    found = dict(ShownVersion.objects.filter(key__in=keys).values_list("key", "value"))
    return {key: found.get(key, 0) for key in keys}
