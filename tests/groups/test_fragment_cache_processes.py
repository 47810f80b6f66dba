"""Two real processes sharing one PostgreSQL database: a change made in one shows in the other.

This process renders the group page (and Home) and keeps its fragments in its own
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
from tests.groups import test_home_cache
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
import importlib
from accounts.models import User
from groups.models import Group, Post
ids = json.loads(sys.argv[1])
CHANGES = importlib.import_module(ids["module"]).CHANGES
scene = Group.objects.get(pk=ids["group"])
for role in ("owner", "manager", "member", "admin", "other_owner"):
    if role in ids:
        setattr(scene, role, User.objects.get(pk=ids[role]))
if "other" in ids:
    scene.other = Group.objects.get(pk=ids["other"])
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
            "module": "tests.groups.test_fragment_cache",
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


@pytest.mark.parametrize("change", test_home_cache.CHANGES, ids=list(test_home_cache.CHANGES))
def test_a_change_in_another_process_shows_on_the_next_home_here(
    client, customer_group, admin_user, change
):
    scene = test_home_cache.home_scene(customer_group, admin_user)
    client.force_login(scene.manager)
    before = test_home_cache._recent_posts(client)
    assert before == test_home_cache._recent_posts(client)  # this process's cache keeps it

    found = _in_other_process(
        {
            "module": "tests.groups.test_home_cache",
            "change": change,
            "group": scene.pk,
            "owner": scene.owner.pk,
            "manager": scene.manager.pk,
            "member": scene.member.pk,
            "admin": admin_user.pk,
            "post": scene.post.pk,
            "other": scene.other.pk,
            "other_owner": scene.other_owner.pk,
        }
    )
    after = test_home_cache._recent_posts(client)

    assert (found["text"] in before) != found["expected"]
    assert (found["text"] in after) == found["expected"]
