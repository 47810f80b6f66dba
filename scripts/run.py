"""Run the processes of ``make run`` side by side; Ctrl-C stops every one of them.

    python scripts/run.py "worker: python manage.py db_worker --no-reload" \\
                          "web: python manage.py runserver --noreload 127.0.0.1:8000"

Each argument is ``name: command``. Every process gets a session of its own, so
the terminal's Ctrl-C reaches only this supervisor (and make), never a process
half-way: the supervisor then interrupts each one (SIGINT, as Ctrl-C would),
waits for it, escalates to SIGTERM and SIGKILL if it lingers, and says goodbye.
What the processes print while they stop ("shutting down gracefully…", a
KeyboardInterrupt traceback) is shown only for one that failed to stop cleanly.
If a process exits by itself (a port already in use, say), the others are
stopped too and the supervisor exits non-zero.

A second Ctrl-C while stopping kills what is left at once.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shlex
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from types import FrameType
from typing import IO

GOODBYE = "Chatter Org stopped."
# Seconds a process gets to stop after SIGINT, then after SIGTERM, before SIGKILL.
GRACE_S = 10.0
TERM_GRACE_S = 5.0
CLEAN_EXITS = {0, -signal.SIGINT, -signal.SIGTERM}

_output_lock = threading.Lock()


def _write(data: bytes) -> None:
    with _output_lock:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()


@dataclass
class Child:
    name: str
    argv: list[str]
    process: subprocess.Popen[bytes] | None = None
    # Set once the supervisor starts stopping: from then on output is held back.
    stopping: threading.Event = field(default_factory=threading.Event)
    held: list[bytes] = field(default_factory=list)
    relay: threading.Thread | None = None

    def start(self) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        # The commands are the Makefile's own.
        self.process = subprocess.Popen(  # noqa: S603
            self.argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
        self.relay = threading.Thread(target=self._relay, name=f"relay-{self.name}", daemon=True)
        self.relay.start()

    def _relay(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        stream: IO[bytes] = self.process.stdout
        for line in iter(stream.readline, b""):
            if self.stopping.is_set():
                self.held.append(line)
            else:
                _write(line)

    def signal_group(self, signum: int) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signum)

    @property
    def returncode(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def finish_output(self) -> None:
        if self.relay is not None:
            self.relay.join(timeout=2)


def _parse(spec: str) -> Child:
    name, separator, command = spec.partition(":")
    argv = shlex.split(command)
    if not separator or not name.strip() or not argv:
        raise SystemExit(f"run.py: expected 'name: command', got {spec!r}")
    return Child(name=name.strip(), argv=argv)


class Supervisor:
    def __init__(self, children: list[Child]) -> None:
        self.children = children
        self.interrupts = 0

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.interrupts += 1
        if self.interrupts > 1:
            for child in self.children:
                child.signal_group(signal.SIGKILL)

    def run(self) -> int:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, self._on_signal)
        for child in self.children:
            child.start()
        exited: Child | None = None
        while not self.interrupts and exited is None:
            exited = next((c for c in self.children if c.returncode is not None), None)
            time.sleep(0.1)
        if exited is not None:
            exited.finish_output()
            _write(
                f"{exited.name} exited with code {exited.returncode}; stopping the rest.\n".encode()
            )
        self._stop_all()
        failed = [c for c in self.children if c is not exited and c.returncode not in CLEAN_EXITS]
        for child in failed:
            _write(b"".join(child.held))
            _write(f"{child.name} did not stop cleanly (code {child.returncode}).\n".encode())
        # After the terminal's "^C", on a line of its own.
        line_break = "\n" if self.interrupts else ""
        _write(f"{line_break}{GOODBYE}\n".encode())
        return 1 if exited is not None or failed else 0

    def _stop_all(self) -> None:
        for child in self.children:
            child.stopping.set()
            child.signal_group(signal.SIGINT)
        for grace, escalation in ((GRACE_S, signal.SIGTERM), (TERM_GRACE_S, signal.SIGKILL)):
            deadline = time.monotonic() + grace
            while time.monotonic() < deadline and self._running():
                time.sleep(0.05)
            for child in self._running():
                child.signal_group(escalation)
        for child in self.children:
            if child.process is not None:
                child.process.wait()
            child.finish_output()

    def _running(self) -> list[Child]:
        return [c for c in self.children if c.process is not None and c.returncode is None]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("processes", nargs="+", metavar="'name: command'")
    args = parser.parse_args(argv)
    return Supervisor([_parse(spec) for spec in args.processes]).run()


if __name__ == "__main__":
    sys.exit(main())
