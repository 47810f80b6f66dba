"""A small closed-loop HTTP load generator for the benchmark.

Why not locust: with two cores shared by the server and the load, a lean
generator (threads, keep-alive ``http.client`` connections, no event loop of its
own) leaves more CPU to the server and makes its own overhead easy to reason
about; it sends a fixed number of requests per scenario, so runs are
comparable, and reads the server's ``X-Query-Count`` header.
"""

from __future__ import annotations

import http.client
import re
import statistics
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie


class Session:
    """One browser-like client: a keep-alive connection and a cookie jar."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.conn = http.client.HTTPConnection(host, port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, data: dict[str, str] | list[tuple[str, str]] | None = None
    ) -> tuple[int, dict[str, str], str]:
        headers = {"Host": f"{self.host}:{self.port}", "Connection": "keep-alive"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://{self.host}:{self.port}{path}"
            if "csrftoken" in self.cookies:
                headers["X-CSRFToken"] = self.cookies["csrftoken"]
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                break
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
                if attempt:
                    raise
        payload = response.read().decode("utf-8", "replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        return response.status, dict(response.headers.items()), payload

    def csrf_from(self, html: str) -> str:
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        if match is None:
            raise RuntimeError("no CSRF token in the page")
        return match.group(1)

    def login(self, username: str, password: str) -> None:
        _, _, html = self.request("GET", "/accounts/login/")
        status, _headers, _ = self.request(
            "POST",
            "/accounts/login/",
            {
                "csrfmiddlewaretoken": self.csrf_from(html),
                "username": username,
                "password": password,
            },
        )
        if status != 302:
            raise RuntimeError(f"login of {username} failed: {status}")


@dataclass
class Result:
    name: str
    latencies: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    errors: int = 0
    wall: float = 0.0

    @property
    def count(self) -> int:
        return len(self.latencies)

    def median_ms(self) -> float:
        return statistics.median(self.latencies) * 1000

    def p95_ms(self) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] * 1000

    def rps(self) -> float:
        return self.count / self.wall if self.wall else 0.0

    def queries_per_request(self) -> str:
        values = sorted(set(self.queries))
        return "/".join(str(v) for v in values) if values else "-"

    def queries_usual(self) -> int | None:
        """The query count most requests made: a cache entry renewed now and then (after
        a sign-up joins the group) adds a few requests with more."""
        return Counter(self.queries).most_common(1)[0][0] if self.queries else None


# A step performs one measured request with a session and returns (status, headers).
Step = Callable[[Session, int], tuple[int, dict[str, str]]]


@dataclass
class Scenario:
    """What ``run`` sends: a named step, its clients, how many requests, what counts as ok."""

    name: str
    sessions: list[Session]
    step: Step
    requests: int
    warmup: int = 5
    ok: tuple[int, ...] = (200,)
    setup: Callable[[Session, int], None] | None = None


def interleave(scenarios: list[Scenario], *, rounds: int = 5) -> list[Result]:
    """Run the scenarios in turn, ``rounds`` times, each round a share of their requests.

    A shared machine drifts (other tenants, CPU frequency): figures that are
    compared with each other are taken in alternating rounds, so a drift
    touches all of them alike instead of one.
    """
    results = [Result(s.name) for s in scenarios]
    for round_number in range(rounds):
        for scenario, result in zip(scenarios, results, strict=True):
            share = scenario.requests // rounds + (
                1 if round_number < scenario.requests % rounds else 0
            )
            run(
                scenario.name,
                scenario.sessions,
                scenario.step,
                requests=share,
                warmup=scenario.warmup if round_number == 0 else 0,
                ok=scenario.ok,
                setup=scenario.setup,
                into=result,
            )
    return results


def run(
    name: str,
    sessions: list[Session],
    step: Step,
    *,
    requests: int,
    warmup: int = 5,
    ok: tuple[int, ...] = (200,),
    setup: Callable[[Session, int], None] | None = None,
    into: Result | None = None,
) -> Result:
    """Send ``requests`` measured requests from ``len(sessions)`` concurrent clients.

    ``setup`` runs before each request, outside the timing (e.g. fetching a form).
    ``into`` adds the figures to an earlier result of the same scenario.
    """
    for i in range(warmup):
        if setup is not None:
            setup(sessions[i % len(sessions)], -1 - i)
        step(sessions[i % len(sessions)], -1 - i)
    result = into if into is not None else Result(name)
    lock = threading.Lock()
    first = result.count
    counter = iter(range(first, first + requests))

    def worker(session: Session) -> None:
        while True:
            with lock:
                n = next(counter, None)
            if n is None:
                return
            if setup is not None:
                setup(session, n)
            started = time.perf_counter()
            try:
                status, headers = step(session, n)
            except Exception:
                status, headers = 0, {}
            elapsed = time.perf_counter() - started
            with lock:
                result.latencies.append(elapsed)
                if status not in ok:
                    result.errors += 1
                if "X-Query-Count" in headers:
                    result.queries.append(int(headers["X-Query-Count"]))

    threads = [threading.Thread(target=worker, args=(s,)) for s in sessions]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.wall += time.perf_counter() - started
    return result
