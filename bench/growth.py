"""Growth: every main page on the large org and on its 2% copy, in-process, side by side.

One worker process per org (``bench.inprocess``) serves the same pages from
its own database; this module sends them the same requests in alternating
rounds (page by page, org by org, five rounds) and reports each page's median,
p95 and queries in both orgs, the large/small ratio, and the large org's
median against its signed-in floor.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from bench.inprocess import COLD
from bench.load import Result

ROOT = Path(__file__).resolve().parent.parent
ORGS = ("small", "large")
FLOOR = "Floor: signed-in bare view"
BARE = "Floor: bare Django view"
RATIO_TARGET = 1.2
FLOOR_TARGET = 6.0


class Worker:
    def __init__(self, database_url: str, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.inprocess"],
            env={**env, "DATABASE_URL": database_url},
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.pages: list[str] = self._read()["pages"]

    def _read(self) -> dict:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("the in-process worker stopped")
        return json.loads(line)

    def run(self, page: str, requests: int, into: Result) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps({"page": page, "requests": requests}) + "\n")
        self.process.stdin.flush()
        answer = self._read()
        into.latencies += answer["latencies"]
        into.queries += answer["queries"]
        into.errors += answer["errors"]

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(timeout=60)


@dataclass
class Growth:
    pages: list[str]
    results: dict[tuple[str, str], Result] = field(default_factory=dict)


def measure(*, urls: dict[str, str], env: dict[str, str], requests: int, rounds: int = 5) -> Growth:
    workers = {org: Worker(urls[org], env) for org in ORGS}
    try:
        names = workers["large"].pages
        growth = Growth(names)
        for org in ORGS:
            for name in names:
                growth.results[org, name] = Result(f"{name} ({org})")
                workers[org].run(name, 3, Result("warm-up"))
        share = max(1, requests // rounds)
        for _ in range(rounds):
            for name in names:
                for org in ORGS:
                    workers[org].run(name, share, growth.results[org, name])
        return growth
    finally:
        for worker in workers.values():
            worker.close()


def _queries(result: Result) -> str:
    return result.queries_per_request()


def report_lines(growth: Growth) -> list[str]:
    r = growth.results
    floor = r["large", FLOOR].median_ms()
    lines = [
        "| Page | Small org median ms | p95 | Large org median ms | p95 | Queries small / large "
        f"| Large / small (≤ {RATIO_TARGET}) | Large / signed-in floor (≤ {FLOOR_TARGET:g}×) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name in growth.pages:
        small, large = r["small", name], r["large", name]
        ratio = large.median_ms() / small.median_ms()
        same = _queries(small) == _queries(large)
        flat = ratio <= RATIO_TARGET and same
        times_floor = large.median_ms() / floor
        floor_cell = (
            f"{times_floor:.1f}×"
            if name in (FLOOR, BARE)
            else f"{times_floor:.1f}× {'met' if times_floor <= FLOOR_TARGET else '**not met**'}"
        )
        errors = small.errors + large.errors
        lines.append(
            f"| {name}{f' ({errors} errors)' if errors else ''} | {small.median_ms():.1f} "
            f"| {small.p95_ms():.1f} | {large.median_ms():.1f} | {large.p95_ms():.1f} "
            f"| {_queries(small)} / {_queries(large)} "
            f"| {ratio:.2f} {'met' if flat else '**not met**'} | {floor_cell} |"
        )
    return lines


def summary(growth: Growth) -> dict[str, float]:
    """The figures the README quotes."""
    r = growth.results
    floor = r["large", FLOOR].median_ms()
    return {
        name: r["large", name].median_ms() / floor
        for name in ("Group page, large group", COLD)
        if ("large", name) in r
    }


def database_url_for(base: str, suffix: str) -> str:
    head, name = base.rsplit("/", 1)
    return f"{head}/{name}{suffix}"
