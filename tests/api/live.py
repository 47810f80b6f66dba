"""A live Chatter Org served over HTTPS for the real API clients.

Once per session: a fresh SQLite database, ``migrate`` and ``seed_demo``, a test CA
and certificate (``manage.py tls_setup``'s code), then uvicorn with TLS and the
``db_worker`` task worker on free ports of 127.0.0.1, as ``make run`` starts them.
The clients are pointed at it with ``REQUESTS_CA_BUNDLE`` / ``NODE_EXTRA_CA_CERTS``.
"""

from __future__ import annotations

import ssl
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.live import DEMO_PASSWORD, REPO, WORKER_ARGS, LiveApp, free_port, live_env

__all__ = ["CLIENT_ID", "CLIENT_SECRET", "DEMO_PASSWORD", "LiveApi", "live_api_start"]

CLIENT_ID = "3MVG9TestIntegrationKey"
CLIENT_SECRET = "test-integration-secret"


@dataclass
class LiveApi(LiveApp):
    host: str = ""  # 127.0.0.1:port, for simple-salesforce's domain
    ca: Path = Path()

    def outbox(self) -> list[str]:
        folder = self.workdir / "outbox"
        return [p.read_text(errors="replace") for p in sorted(folder.glob("*.eml"))]

    def log(self, name: str) -> str:
        path = self.workdir / f"{name}.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""


def live_api_start(workdir: Path) -> Iterator[LiveApi]:
    sys.path.insert(0, str(REPO))
    from api.management.commands.tls_setup import tls_ensure

    files = tls_ensure(workdir / "tls")
    port = free_port()
    url = f"https://127.0.0.1:{port}"
    env = live_env(
        workdir=workdir,
        database="api.sqlite3",
        DEMO_CLIENT_ID=CLIENT_ID,
        DEMO_CLIENT_SECRET=CLIENT_SECRET,
        DJANGO_SITE_URL=url,
        EMAIL_URL="dummymail://",
        TLS_DIR=str(workdir / "tls"),
    )
    live = LiveApi(url=url, env=env, workdir=workdir, host=f"127.0.0.1:{port}", ca=files["ca"])
    live.prepare()
    try:
        live.start(
            "server",
            [
                sys.executable, "-m", "uvicorn", "chatterorg.asgi:application",
                "--host", "127.0.0.1", "--port", str(port), "--lifespan", "off",
                "--ssl-certfile", str(files["cert"]), "--ssl-keyfile", str(files["key"]),
            ],
        )  # fmt: skip
        live.start("worker", [sys.executable, "manage.py", *WORKER_ARGS])
        context = ssl.create_default_context(cafile=str(files["ca"]))
        deadline = time.monotonic() + 45
        while True:
            live.assert_running()
            try:
                with urllib.request.urlopen(f"{url}/services/data/", context=context, timeout=5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"The API did not answer:\n{live.log('server')}")
                time.sleep(0.2)
        yield live
    finally:
        live.stop()
