"""``make run`` on a terminal: it serves, and Ctrl-C stops the web server and the worker.

make runs on a pseudo-terminal of its own, as in a developer's shell, and the
test types Ctrl-C on it: the terminal, not the test, decides who gets SIGINT.
The processes ``make run`` started are found by a marker in their environment.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import select
import signal
import subprocess
import termios
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.e2e.helpers import DEMO_PASSWORD, REPO
from tests.live import free_port

pytestmark = pytest.mark.e2e

MARKER = "CHATTERORG_MAKE_RUN_TEST"


def _marked_processes(marker: str) -> dict[int, str]:
    """pid → command line of every process whose environment carries the marker."""
    found: dict[int, str] = {}
    needle = f"{MARKER}={marker}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            if needle in (entry / "environ").read_bytes().split(b"\0"):
                found[int(entry.name)] = (
                    (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
                )
    return found


def _on_a_terminal() -> None:
    """In the child: a session of its own whose controlling terminal is its stdin."""
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class Terminal:
    def __init__(self, master: int) -> None:
        self.master = master
        self.output = b""

    def read(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.master], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:  # the other side is closed: make has exited
                    return
                if not chunk:
                    return
                self.output += chunk

    def read_until(self, text: bytes, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while text not in self.output and time.monotonic() < deadline:
            self.read(0.2)
        return text in self.output


def test_ctrl_c_stops_the_web_server_and_the_worker_with_a_goodbye(tmp_path):
    if not (REPO / ".venv" / ".installed").exists():
        pytest.skip("make run needs the installed .venv (make venv)")
    port = free_port()
    marker = uuid.uuid4().hex
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "TASKS_BACKEND", "DATABASE_URL", "EMAIL_URL"}
    }
    env.update(
        {
            MARKER: marker,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'run.sqlite3'}",
            "DEV_OUTBOX_DIR": str(tmp_path / "outbox"),
            "DEMO_PASSWORD": DEMO_PASSWORD,
            "MAKEFLAGS": "",
        }
    )
    master, slave = pty.openpty()
    # -o: the virtualenv counts as installed; the test runs inside it, never reinstalls it.
    make = subprocess.Popen(
        ["make", "--no-print-directory", "-o", ".venv/.installed", "run", f"PORT={port}"],
        cwd=REPO,
        env=env,
        stdin=slave,
        stdout=slave,
        stderr=slave,
        preexec_fn=_on_a_terminal,
    )
    os.close(slave)
    terminal = Terminal(master)
    try:
        assert terminal.read_until(b"Quit the server with", 120), terminal.output.decode()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=10) as r:
            assert r.status == 200
        terminal.read(1.0)  # the request's access line, before Ctrl-C
        running = _marked_processes(marker)
        assert any("runserver" in command for command in running.values()), running
        assert any("db_worker" in command for command in running.values()), running
        before_interrupt = len(terminal.output)

        os.write(master, b"\x03")  # Ctrl-C, typed on the terminal
        make.wait(timeout=30)
        terminal.read(0.5)

        after = terminal.output[before_interrupt:].decode().replace("\r\n", "\n")
        # The terminal echoes ^C; then one line, and nothing from make or the processes.
        assert after.replace("^C", "").strip() == "Chatter Org stopped.", after
        assert make.returncode in {0, -signal.SIGINT}
        deadline = time.monotonic() + 5
        while _marked_processes(marker) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _marked_processes(marker) == {}
    finally:
        for pid in _marked_processes(marker):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            make.wait(timeout=5)
        os.close(master)
