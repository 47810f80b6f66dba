"""`make bench`: build a large org on PostgreSQL, serve it with gunicorn, measure.

Creates a separate database (dropped at the end), builds the org with bulk
inserts, starts gunicorn (2 workers, DEBUG off), sends a fixed number of
requests per scenario from concurrent clients, and writes bench/results.md.
Prints figures; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PASSWORD = "Bench-Password-2026!"
SIGNUP_PASSWORD = "Globex-Signup-Passphrase-77"
SMALL_SCALE = 0.02


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def admin_dsn(base: str) -> str:
    return base.rsplit("/", 1)[0] + "/postgres"


def recreate_database(base: str, name: str, *, drop_only: bool = False) -> None:
    import psycopg

    with psycopg.connect(admin_dsn(base), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')


def machine() -> str:
    cores = os.cpu_count()
    mem_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = f"{mem_kb / 1024 / 1024:.0f} GiB memory"
    return f"{cores} cores ({cpu}), {memory}, Python {platform.python_version()}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/chatterorg_bench"
        ),
    )
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--scale", type=float, default=1.0, help="multiply request counts")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--output",
        type=Path,
        default=ROOT / "bench" / "results.md",
        help="where to write the report (default: bench/results.md)",
    )
    args = parser.parse_args()
    db_name = args.database_url.rsplit("/", 1)[1]
    from bench.growth import database_url_for

    # The small org (2%) the large one is compared with, in a database of its own.
    small_url = database_url_for(args.database_url, "_small")
    small_name = small_url.rsplit("/", 1)[1]

    env = os.environ.copy()
    env.update(
        DATABASE_URL=args.database_url,
        DJANGO_SETTINGS_MODULE="bench.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DEMO_PASSWORD=PASSWORD,
        EMAIL_URL="dummymail://",
    )
    os.environ.update(env)
    print(f"Databases {db_name} and {small_name}: recreating", flush=True)
    recreate_database(args.database_url, db_name)
    recreate_database(args.database_url, small_name)
    server = None
    try:
        manage = [sys.executable, str(ROOT / "manage.py")]
        for command in (
            ["migrate", "--noinput", "-v0"],
            ["seed_demo"],
            ["collectstatic", "--noinput", "-v0"],
        ):
            subprocess.run([*manage, *command], env=env, check=True, cwd=ROOT)
        small_env = {**env, "DATABASE_URL": small_url}
        for command in (["migrate", "--noinput", "-v0"], ["seed_demo"]):
            subprocess.run([*manage, *command], env=small_env, check=True, cwd=ROOT)
        print(f"Building the small org ({SMALL_SCALE:.0%})", flush=True)
        built = subprocess.run(
            [sys.executable, "-m", "bench.build_org", "--scale", str(SMALL_SCALE)],
            env={**small_env, "BENCH_PASSWORD": PASSWORD},
            check=True,
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        small_counts = json.loads(built.stdout.strip().splitlines()[-1])
        print(f"Small org: {small_counts}", flush=True)

        import django

        django.setup()
        from bench import scenarios
        from bench.build import build

        print("Building the large org", flush=True)
        started = time.perf_counter()
        counts = build(password=PASSWORD)
        from django.db import connection

        # Vacuumed (visibility maps for index-only scans) and with fresh planner
        # statistics, as autovacuum leaves a database that has lived a while.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        build_seconds = time.perf_counter() - started
        print(f"Built in {build_seconds:.0f} s: {counts}", flush=True)
        # As many invitations as the sign-up scenario takes (at least 10, plus its warm-up).
        fixtures = scenarios.prepare(counts=counts, signups=max(10, int(60 * args.scale)) + 10)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # and again for what the scenarios added
        print("Explaining the main requests' queries", flush=True)
        from bench import plans

        query_plans = plans.explain_requests(
            plans.main_requests(
                fixtures=fixtures, password=PASSWORD, signup_password=SIGNUP_PASSWORD
            )
        )
        from django.db import connections

        connections.close_all()

        port = free_port()
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "chatterorg.wsgi",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=ROOT,
        )
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_floor/", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        http_results = scenarios.measure(
            port=port,
            fixtures=fixtures,
            clients=args.clients,
            scale=args.scale,
            password=PASSWORD,
            signup_password=SIGNUP_PASSWORD,
        )
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        server = None
        # The load scenarios added thousands of invitations and users: fresh statistics,
        # as autovacuum would have gathered by now (it is off on some machines).
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        connections.close_all()
        print("Timing every main page in-process on both orgs", flush=True)
        from bench import growth

        page_growth = growth.measure(
            urls={"small": small_url, "large": args.database_url},
            env=env,
            requests=max(10, int(200 * args.scale)),
        )
        report = scenarios.report(
            results=http_results,
            growth=page_growth,
            small_counts=small_counts,
            counts=counts,
            query_plans=query_plans,
            build_seconds=build_seconds,
            machine=machine(),
            clients=args.clients,
            when=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        )
        args.output.write_text(report)
        print(report)
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        if not args.keep:
            from django.db import connections

            connections.close_all()
            recreate_database(args.database_url, db_name, drop_only=True)
            recreate_database(args.database_url, small_name, drop_only=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
