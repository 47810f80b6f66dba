"""A burst of requests against a real server holds at most the pool's connections (PostgreSQL).

The server is started as ``make run`` starts it (runserver, a thread per request)
and as production would (gunicorn with threads), on the test database that
pytest-django created, with a pool of 4 per process. Fifty requests at the same
moment must all succeed, and ``pg_stat_activity`` must never show more of the
server's connections than the pool allows, during the burst or after it. The
server's connections are told apart by their application_name (libpq's
PGAPPNAME).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

REPO = Path(__file__).resolve().parents[2]
POOL_MAX = 4
BURST = 50

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: the connection pool is PostgreSQL's (psycopg_pool)",
    ),
    # pytest-django creates the test database only for a run with a database test;
    # the server reads it (migrated tables, the org), the test itself writes nothing.
    pytest.mark.django_db,
]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _database_url(settings_dict: dict) -> str:
    user = urllib.parse.quote(settings_dict["USER"] or "")
    password = urllib.parse.quote(settings_dict["PASSWORD"] or "")
    credentials = f"{user}:{password}@" if password else f"{user}@"
    host = settings_dict["HOST"] or "127.0.0.1"
    port = settings_dict["PORT"] or 5432
    return f"postgres://{credentials}{host}:{port}/{settings_dict['NAME']}"


def _server_connections(settings_dict: dict, application_name: str) -> int:
    """How many connections the server holds to the database, idle ones included."""
    import psycopg

    with psycopg.connect(
        dbname=settings_dict["NAME"],
        user=settings_dict["USER"] or None,
        password=settings_dict["PASSWORD"] or None,
        host=settings_dict["HOST"] or "127.0.0.1",
        port=settings_dict["PORT"] or 5432,
        application_name="chatterorg-test-observer",
        autocommit=True,
    ) as observer:
        row = observer.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND application_name = %s",
            (settings_dict["NAME"], application_name),
        ).fetchone()
    assert row is not None
    return int(row[0])


SERVERS = {
    "runserver": ["manage.py", "runserver", "--noreload", "127.0.0.1:{port}"],
    "gunicorn": [
        "-m",
        "gunicorn",
        "chatterorg.wsgi",
        "--workers",
        "2",
        "--threads",
        "25",
        "--bind",
        "127.0.0.1:{port}",
    ],
}
# Processes that serve requests, each with a pool of its own.
PROCESSES = {"runserver": 1, "gunicorn": 2}


@pytest.fixture(params=sorted(SERVERS))
def server(request, django_db_setup, tmp_path) -> Iterator[tuple[str, str, int]]:
    """(base URL, application_name, serving processes) of a server on the test database."""
    port = _free_port()
    application_name = f"chatterorg-pool-test-{uuid.uuid4().hex[:8]}"
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE"}}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "chatterorg.settings",
            "DJANGO_DEBUG": "1",
            "DATABASE_URL": _database_url(connection.settings_dict),
            "DJANGO_DB_POOL_MIN": "1",
            "DJANGO_DB_POOL_MAX": str(POOL_MAX),
            "DJANGO_DB_POOL_TIMEOUT": "30",
            "PGAPPNAME": application_name,
            "PYTHONUNBUFFERED": "1",
        }
    )
    args = [arg.format(port=port) for arg in SERVERS[request.param]]
    log = tmp_path / "server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, *args],
            cwd=REPO,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                pytest.fail(f"the server exited with {process.returncode}:\n{log.read_text()}")
            try:
                with urllib.request.urlopen(url + "/accounts/login/", timeout=5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"the server did not answer:\n{log.read_text()}")
                time.sleep(0.2)
        yield url, application_name, PROCESSES[request.param]
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def test_a_burst_of_requests_holds_at_most_the_pools_connections(server):
    url, application_name, processes = server
    settings_dict = connection.settings_dict
    allowed = POOL_MAX * processes
    statuses: list[int | str] = [0] * BURST
    barrier = threading.Barrier(BURST)
    done = threading.Event()
    samples: list[int] = []

    def fetch(index: int) -> None:
        barrier.wait(timeout=30)
        try:
            # The login page reads the org: every request borrows a connection.
            with urllib.request.urlopen(url + "/accounts/login/", timeout=60) as response:
                statuses[index] = response.status
        except urllib.error.HTTPError as error:
            statuses[index] = error.code
        except OSError as error:
            statuses[index] = repr(error)

    def sample() -> None:
        while not done.is_set():
            samples.append(_server_connections(settings_dict, application_name))
            time.sleep(0.01)

    sampler = threading.Thread(target=sample)
    sampler.start()
    clients = [threading.Thread(target=fetch, args=(index,)) for index in range(BURST)]
    try:
        for client in clients:
            client.start()
        for client in clients:
            client.join(timeout=120)
    finally:
        done.set()
        sampler.join(timeout=10)
    after = _server_connections(settings_dict, application_name)

    assert statuses == [200] * BURST
    # The observer sees the server's connections at all (else the cap would pass vacuously).
    assert max(samples) >= 1
    assert max(samples) <= allowed, f"peak {max(samples)} > {allowed}"
    assert 1 <= after <= allowed
