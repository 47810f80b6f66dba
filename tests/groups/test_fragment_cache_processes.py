"""Two real processes sharing one PostgreSQL database: a change made in one shows in the other.

This process renders the group page and keeps its fragments in its own
local-memory cache; a second Python process makes each kind of change through
the action, as another web worker would; the next request here must show it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from groups.models import Comment, Post
from tests.groups.test_fragment_cache import CHANGES, _page, _shows

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: a second process must reach the test database",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ROOT = Path(__file__).resolve().parents[2]

# Run in the other process: rebuild the scene from ids, make the change, print what to look for.
OTHER_PROCESS = """
import json, sys
import django
django.setup()
from accounts.models import User
from groups.models import Group, Post
from tests.groups.test_fragment_cache import CHANGES
ids = json.loads(sys.argv[1])
scene = Group.objects.get(pk=ids["group"])
for role in ("owner", "manager", "member", "admin"):
    setattr(scene, role, User.objects.get(pk=ids[role]))
scene.post = Post.objects.select_related("group").get(pk=ids["post"])
text, expected = CHANGES[ids["change"]](scene)
print(json.dumps({"text": getattr(text, "pattern", text), "regex": hasattr(text, "pattern"),
                  "expected": expected}))
"""


def _in_other_process(ids: dict) -> dict:
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "chatterorg.settings_test"}
    done = subprocess.run(
        [sys.executable, "-c", OTHER_PROCESS, json.dumps(ids)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("change", CHANGES, ids=list(CHANGES))
def test_a_change_in_another_process_shows_on_the_next_request_here(
    client, customer_group, admin_user, change
):
    post = Post.objects.create(group=customer_group, author=customer_group.member, body="First!")
    Comment.objects.create(post=post, author=customer_group.owner, body="Welcome")
    client.force_login(customer_group.manager)
    before = _page(client, customer_group)  # this process's cache keeps the fragments

    found = _in_other_process(
        {
            "change": change,
            "group": customer_group.pk,
            "owner": customer_group.owner.pk,
            "manager": customer_group.manager.pk,
            "member": customer_group.member.pk,
            "admin": admin_user.pk,
            "post": post.pk,
        }
    )
    text = re.compile(found["text"]) if found["regex"] else found["text"]
    after = _page(client, customer_group)

    assert not _shows(before, text, found["expected"])
    assert _shows(after, text, found["expected"])
