"""The app as real processes on 127.0.0.1, for the browser tests and the API clients.

Each harness (tests/e2e/conftest.py, tests/api/live.py) gets a fresh SQLite
database in a folder of its own, ``migrate`` and ``seed_demo`` into it, and then
starts the server and the ``db_worker`` task worker as ``make run`` does. Tests
reach the app over the network only; ``shell(code)`` runs a small ``manage.py
shell -c`` against the same database when a test must change it behind the app.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD") or "Chatter-Demo-2026!"
# The server must use the real settings and the default (database) task backend.
_NOT_INHERITED = {"DJANGO_SETTINGS_MODULE", "TASKS_BACKEND", "DATABASE_URL", "EMAIL_URL"}
# The worker `make run` starts, polling faster so that mail arrives within the test.
WORKER_ARGS = ["db_worker", "--interval", "0.2", "--no-reload", "--no-startup-delay"]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def live_env(*, workdir: Path, database: str, **settings: str) -> dict[str, str]:
    """This process's environment without its test settings, for the app's processes:
    the real settings, DEBUG on, the database file ``database`` in ``workdir``, the
    demo password, the outbox folder, and ``settings``."""
    env = {key: value for key, value in os.environ.items() if key not in _NOT_INHERITED}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "chatterorg.settings",
            "DJANGO_DEBUG": "1",
            "DATABASE_URL": f"sqlite:///{workdir / database}",
            "DEMO_PASSWORD": DEMO_PASSWORD,
            "DEV_OUTBOX_DIR": str(workdir / "outbox"),
            "PYTHONUNBUFFERED": "1",
            **settings,
        }
    )
    return env


@dataclass
class LiveApp:
    """The app's processes, their environment and their folder."""

    url: str
    env: dict[str, str]
    workdir: Path
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

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

    def shell(self, code: str) -> Any:
        """Run ``code`` in ``manage.py shell`` against the app's database; the code prints
        one JSON value as its last line, which is returned."""
        result = self.manage("shell", "--no-imports", "-v", "0", "-c", code, timeout=60)
        if result.returncode != 0:
            pytest.fail(f"manage.py shell failed:\n{result.stdout}\n{result.stderr}")
        lines = [line for line in result.stdout.splitlines() if line.strip()]
        return json.loads(lines[-1]) if lines else None

    def prepare(self) -> None:
        """``migrate`` and ``seed_demo`` into the fresh database."""
        for command in (["migrate", "--noinput"], ["seed_demo"]):
            result = self.manage(*command)
            if result.returncode != 0:
                pytest.fail(
                    f"manage.py {' '.join(command)} failed:\n{result.stdout}\n{result.stderr}"
                )

    def start(self, name: str, argv: list[str]) -> None:
        """Start ``argv`` as the process ``name``, its output in ``<name>.log``, in a
        session of its own so that stopping it also stops anything it spawned."""
        log = (self.workdir / f"{name}.log").open("wb")
        self.processes[name] = subprocess.Popen(
            argv,
            cwd=REPO,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def log_tail(self, name: str, lines: int = 60) -> str:
        path = self.workdir / f"{name}.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def assert_running(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                pytest.fail(f"{name} exited with {process.returncode}:\n{self.log_tail(name)}")

    def stop(self) -> None:
        for process in self.processes.values():
            _stop(process)


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
