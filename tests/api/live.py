"""A live Chatter Org served over HTTPS for the real API clients.

Once per session: a fresh SQLite database, ``migrate`` and ``seed_demo``, a test CA
and certificate (``manage.py tls_setup``'s code), then uvicorn with TLS and the
``db_worker`` task worker on free ports of 127.0.0.1, as ``make run`` starts them.
The clients are pointed at it with ``REQUESTS_CA_BUNDLE`` / ``NODE_EXTRA_CA_CERTS``.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DEMO_PASSWORD = "Chatter-Demo-2026!"
CLIENT_ID = "3MVG9TestIntegrationKey"
CLIENT_SECRET = "test-integration-secret"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveApi:
    url: str
    host: str  # 127.0.0.1:port, for simple-salesforce's domain
    ca: Path
    env: dict[str, str]
    workdir: Path
    processes: dict[str, subprocess.Popen[bytes]]

    def manage(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=REPO,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def shell(self, code: str) -> object:
        result = self.manage("shell", "--no-imports", "-v", "0", "-c", code, timeout=60)
        if result.returncode != 0:
            pytest.fail(f"manage.py shell failed:\n{result.stdout}\n{result.stderr}")
        lines = [line for line in result.stdout.splitlines() if line.strip()]
        return json.loads(lines[-1]) if lines else None

    def outbox(self) -> list[str]:
        folder = self.workdir / "outbox"
        return [p.read_text(errors="replace") for p in sorted(folder.glob("*.eml"))]

    def log(self, name: str) -> str:
        path = self.workdir / f"{name}.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


def live_api_start(workdir: Path) -> Iterator[LiveApi]:
    sys.path.insert(0, str(REPO))
    from api.management.commands.tls_setup import tls_ensure

    files = tls_ensure(workdir / "tls")
    port = free_port()
    url = f"https://127.0.0.1:{port}"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "TASKS_BACKEND", "DATABASE_URL", "EMAIL_URL"}
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "chatterorg.settings",
            "DJANGO_DEBUG": "1",
            "DATABASE_URL": f"sqlite:///{workdir / 'api.sqlite3'}",
            "DEMO_PASSWORD": DEMO_PASSWORD,
            "DEMO_CLIENT_ID": CLIENT_ID,
            "DEMO_CLIENT_SECRET": CLIENT_SECRET,
            "DJANGO_SITE_URL": url,
            "EMAIL_URL": "dummymail://",
            "DEV_OUTBOX_DIR": str(workdir / "outbox"),
            "TLS_DIR": str(workdir / "tls"),
            "PYTHONUNBUFFERED": "1",
        }
    )
    live = LiveApi(
        url=url, host=f"127.0.0.1:{port}", ca=files["ca"], env=env, workdir=workdir, processes={}
    )
    for command in (["migrate", "--noinput"], ["seed_demo"]):
        result = live.manage(*command)
        if result.returncode != 0:
            pytest.fail(f"manage.py {' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    commands = {
        "server": [
            sys.executable, "-m", "uvicorn", "chatterorg.asgi:application",
            "--host", "127.0.0.1", "--port", str(port), "--lifespan", "off",
            "--ssl-certfile", str(files["cert"]), "--ssl-keyfile", str(files["key"]),
        ],
        "worker": [
            sys.executable, "manage.py", "db_worker", "--interval", "0.2", "--no-reload",
            "--no-startup-delay",
        ],
    }  # fmt: skip
    try:
        for name, argv in commands.items():
            log = (workdir / f"{name}.log").open("wb")
            live.processes[name] = subprocess.Popen(
                argv, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        context = ssl.create_default_context(cafile=str(files["ca"]))
        deadline = time.monotonic() + 45
        while True:
            for name, process in live.processes.items():
                if process.poll() is not None:
                    pytest.fail(f"{name} exited:\n{live.log(name)}")
            try:
                with urllib.request.urlopen(f"{url}/services/data/", context=context, timeout=5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"The API did not answer:\n{live.log('server')}")
                time.sleep(0.2)
        yield live
    finally:
        for process in live.processes.values():
            _stop(process)
