"""jsforce, unmodified (an npm dev dependency), against a live Chatter Org over HTTPS."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.api.live import DEMO_PASSWORD, REPO, LiveApi

pytestmark = pytest.mark.api_clients
SCRIPT = Path(__file__).with_name("jsforce_story.js")


def test_the_story_with_jsforce(live_api: LiveApi) -> None:
    node = shutil.which("node")
    if node is None or not (REPO / "node_modules" / "jsforce").exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("node and node_modules/jsforce are needed (npm ci)")
        pytest.skip("node or jsforce is missing: run npm ci")
    live_api.shell(
        "from chatterorg.models import Organization; import json;"
        "Organization.objects.filter(pk=1).update(allow_customer_invitations=True);"
        "print(json.dumps(True))"
    )
    result = subprocess.run(
        [node, str(SCRIPT), live_api.url, "morgan@acme.example", DEMO_PASSWORD],
        cwd=REPO,
        env={**os.environ, "NODE_EXTRA_CA_CERTS": str(live_api.ca)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["userId"].startswith("005") and out["organizationId"].startswith("00D")
    assert out["instanceUrl"] == live_api.url
    assert out["keyPrefix"] == "0F9"
    assert out["myRole"] == "GroupOwner"
    assert out["created"] is True
    assert out["invitations"] == [
        {"email": "lee@globex.example", "status": "Invited", "userId": None}
    ]
    assert out["memberCount"] == 3
    assert out["malformed"] == "MALFORMED_ID"
    assert out["revoked"] == 200
    assert out["afterLogout"] == "logged in again"


def test_soql_with_jsforce_query_query_more_and_auto_fetch(live_api: LiveApi) -> None:
    from tests.api.test_simple_salesforce import bulk_invitations

    node = shutil.which("node")
    if node is None or not (REPO / "node_modules" / "jsforce").exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("node and node_modules/jsforce are needed (npm ci)")
        pytest.skip("node or jsforce is missing: run npm ci")
    bulk_invitations(live_api, "Bulk Paging Group", 2100)
    result = subprocess.run(
        [node, str(SCRIPT.with_name("jsforce_soql.js")), live_api.url, "morgan@acme.example",
         DEMO_PASSWORD],
        cwd=REPO,
        env={**os.environ, "NODE_EXTRA_CA_CERTS": str(live_api.ca)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert "Customer Success Council" in out["groupNames"]
    assert all(name for name in out["ownerNames"])
    assert out["firstTotal"] == 2100 and out["firstDone"] is False and out["firstCount"] == 2000
    assert out["moreCount"] == 100 and out["moreDone"] is True
    assert out["autoFetched"] == 2100
    assert out["malformed"] == "MALFORMED_QUERY"
