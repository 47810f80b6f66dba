"""Login throttling and the per-address limit of Forgot Your Password?.

Failed logins are counted per normalised username string (never per user row,
so unknown usernames behave exactly like existing ones) in two counters:

- from one client address: after ``ADDRESS_LIMIT`` failures in ``WINDOW``,
  that username is locked for that address for ``LOCKOUT``; other addresses
  are unaffected, so nobody can lock an account out from afar cheaply;
- from any address: after ``USERNAME_LIMIT`` failures in ``WINDOW``, the
  username is locked for every address, so guessing from many addresses does
  not pay either.

Each attempt takes its place in both counters *before* the password is
checked, with a conditional ``UPDATE … WHERE failures < limit``: concurrent
attempts cannot all pass a check that none of them has counted yet, and no
row lock is held while the password hash runs. A successful login gives the
place back: it clears the username's counter for that address and takes its
own attempt off the overall one. A window starts with the first failure and
ends ``WINDOW`` later (a fixed window); a lock ends ``LOCKOUT`` after the
failure that set it, or when an admin clicks Unlock in Setup › Users.

Rows that hold nothing back any more (a window over and no lock running) are
deleted by ``throttle_rows_purge``, a batch at a time, from ``lifecycle_run``; an
attempt whose counter the purge removed between its insert and its count starts
the counter again (``_counter_restarted``), so a purge never refuses anybody.

The client address is ``REMOTE_ADDR``. Behind a reverse proxy it must be set
to the real client's address by the server (for example gunicorn's
``--forwarded-allow-ips`` with uvicorn, or the proxy's own module), never
taken from ``X-Forwarded-For`` as sent by the client, which anyone can forge.
IPv6 clients are counted per /64 network, since one host usually holds a
whole /64; requests without a valid ``REMOTE_ADDR`` share one "unknown" address.
"""

from __future__ import annotations

import ipaddress
import unicodedata
from datetime import datetime, timedelta

from django.db import models, transaction
from django.db.models import Case, F, Q, QuerySet, Value, When
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import LoginThrottle, PasswordForgotThrottle, User
from chatterorg.actions import audit_record

WINDOW = timedelta(minutes=15)
LOCKOUT = timedelta(minutes=15)
ADDRESS_LIMIT = 10
USERNAME_LIMIT = 50
ANY_ADDRESS = ""
TOO_MANY_FAILURES = "Too many failed login attempts. Try again in 15 minutes."

FORGOT_WINDOW = timedelta(hours=1)
FORGOT_LIMIT = 10

UNKNOWN_ADDRESS = "unknown"
# Rows deleted per statement by the purge.
PURGE_BATCH = 1000


def client_address(request: HttpRequest | None) -> str:
    """The address counted for this request: ``REMOTE_ADDR``, IPv6 by /64 network."""
    raw = request.META.get("REMOTE_ADDR", "") if request is not None else ""
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return UNKNOWN_ADDRESS
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def username_key(username: str) -> str:
    """The string failures are counted under: how the login matches usernames, loosely.

    Logins ignore case, so ``Jane@X`` and ``jane@x`` share one counter.
    """
    normalised = unicodedata.normalize("NFKC", username).strip().lower()
    return normalised[: LoginThrottle._meta.get_field("username").max_length]


def _take_place(*, username: str, address: str, limit: int, now: datetime) -> bool:
    """Count one attempt in a counter unless it is full or locked; True if counted.

    A lapsed window or lock starts the count again at this attempt. The WHERE
    clause and the new values are evaluated by the database on the current row,
    so concurrent attempts are counted one after the other.
    """
    lapsed = Q(window_started_at__lte=now - WINDOW) | Q(locked_until__lte=now)
    return (
        LoginThrottle.objects.filter(username=username, client_address=address)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lte=now))
        .filter(lapsed | Q(failures__lt=limit))
        .update(
            failures=Case(When(lapsed, then=Value(1)), default=F("failures") + 1),
            window_started_at=Case(When(lapsed, then=Value(now)), default=F("window_started_at")),
            locked_until=None,
        )
        == 1
    )


def _counter_restarted(*, username: str, address: str, limit: int, now: datetime) -> bool:
    """After a refused place: if the counter is gone (the purge deleted it after this
    attempt's insert found it), start it again and take the place; False if it exists,
    and the refusal stands."""
    if LoginThrottle.objects.filter(username=username, client_address=address).exists():
        return False
    LoginThrottle.objects.bulk_create(
        [LoginThrottle(username=username, client_address=address, window_started_at=now)],
        ignore_conflicts=True,
    )
    return _take_place(username=username, address=address, limit=limit, now=now)


class _Refused(Exception):
    pass


def login_attempt_begin(*, username: str, address: str) -> bool:
    """Count a login attempt before its password is checked; False if it is refused.

    Refused when the username is locked, or its counters are full, for this
    address or for all; a refused attempt changes nothing, so hammering a
    locked username does not extend the lock.
    """
    key, now = username_key(username), timezone.now()
    try:
        with transaction.atomic():
            LoginThrottle.objects.bulk_create(
                [
                    LoginThrottle(username=key, client_address=address, window_started_at=now),
                    LoginThrottle(username=key, client_address=ANY_ADDRESS, window_started_at=now),
                ],
                ignore_conflicts=True,
            )
            for counter, limit in ((address, ADDRESS_LIMIT), (ANY_ADDRESS, USERNAME_LIMIT)):
                if not _take_place(
                    username=key, address=counter, limit=limit, now=now
                ) and not _counter_restarted(username=key, address=counter, limit=limit, now=now):
                    raise _Refused
    except _Refused:
        return False
    return True


@transaction.atomic
def login_attempt_failed(*, username: str, address: str) -> None:
    """The counted attempt failed: lock each counter this failure filled.

    Only the request whose UPDATE sets the lock writes the audit event, so one
    lockout is recorded once even when failures arrive together.
    """
    key, now = username_key(username), timezone.now()
    for counter, limit in ((address, ADDRESS_LIMIT), (ANY_ADDRESS, USERNAME_LIMIT)):
        locked = LoginThrottle.objects.filter(
            username=key, client_address=counter, failures__gte=limit, locked_until__isnull=True
        ).update(locked_until=now + LOCKOUT)
        if locked:
            where = f"from {address}" if counter else "from every address"
            audit_record(
                actor=None,
                section="Manage Users",
                action="user.login_locked",
                display=(
                    f"Login of username {key} locked {where} for 15 minutes after "
                    f"{limit} failed attempts"
                ),
                target=User.objects.with_username(key).first(),
            )


@transaction.atomic
def login_attempt_succeeded(*, username: str, address: str) -> None:
    """The counted attempt succeeded: clear this address's counter, uncount it overall."""
    key = username_key(username)
    LoginThrottle.objects.filter(username=key, client_address=address).delete()
    LoginThrottle.objects.filter(
        username=key, client_address=ANY_ADDRESS, failures__gt=0, locked_until__isnull=True
    ).update(failures=F("failures") - 1)


def login_locked(user: User) -> bool:
    """Whether logins of ``user``'s username are locked now, from some address or all."""
    return LoginThrottle.objects.filter(
        username=username_key(user.username), locked_until__gt=timezone.now()
    ).exists()


@transaction.atomic
def login_unlock(*, actor: User, user: User) -> bool:
    """Clear every login counter of ``user``'s username; True if one was locked.

    Audited only when a lock was lifted, so a double click records one event.
    """
    key = username_key(user.username)
    counters = LoginThrottle.objects.select_for_update().filter(username=key)
    was_locked = counters.filter(locked_until__gt=timezone.now()).exists()
    counters.delete()
    if was_locked:
        audit_record(
            actor=actor,
            section="Manage Users",
            action="user.login_unlocked",
            display=f"Unlocked login of user {user.username}",
            target=user,
        )
    return was_locked


@transaction.atomic
def password_forgot_allowed(*, address: str) -> bool:
    """Count one Forgot Your Password? request from ``address``; False past the limit.

    At most ``FORGOT_LIMIT`` requests per address per ``FORGOT_WINDOW`` (a fixed
    window from the first request); counted with a conditional UPDATE, so
    concurrent requests cannot pass the limit.
    """
    now = timezone.now()
    for _ in range(2):
        PasswordForgotThrottle.objects.bulk_create(
            [PasswordForgotThrottle(client_address=address, window_started_at=now)],
            ignore_conflicts=True,
        )
        if _forgot_take(address=address, now=now):
            return True
        # Refused, unless the purge deleted the counter after the insert found it: then once
        # more, with a new counter.
        if PasswordForgotThrottle.objects.filter(client_address=address).exists():
            return False
    return False


def _forgot_take(*, address: str, now: datetime) -> bool:
    """Count one request in the address's counter unless it is full; True if counted."""
    lapsed = Q(window_started_at__lte=now - FORGOT_WINDOW)
    return (
        PasswordForgotThrottle.objects.filter(client_address=address)
        .filter(lapsed | Q(requests__lt=FORGOT_LIMIT))
        .update(
            requests=Case(When(lapsed, then=Value(1)), default=F("requests") + 1),
            window_started_at=Case(When(lapsed, then=Value(now)), default=F("window_started_at")),
        )
        == 1
    )


# Purging what holds nothing back -----------------------------------------------------------------


def stale_rows_delete(stale: QuerySet[models.Model], *, batch: int = PURGE_BATCH) -> int:
    """Delete the rows of ``stale``, a batch at a time; returns how many.

    Each batch is one read of at most ``batch`` ids, walking the primary key (so
    every row is read once however many there are), and one DELETE of those ids
    that are still in ``stale``: a row used again in between stays.
    """
    deleted = 0
    last = 0
    while ids := list(
        stale.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch]
    ):
        last = ids[-1]
        count, _ = stale.filter(pk__in=ids).delete()
        deleted += count
    return deleted


def throttle_rows_purge(*, now: datetime | None = None, batch: int = PURGE_BATCH) -> int:
    """Delete the login and Forgot Your Password? counters that hold nothing back: their
    window is over and no lock is running (an attempt would start them again anyway).

    Returns how many rows went. Locked usernames keep their rows until the lock ends.
    """
    now = now or timezone.now()
    logins = LoginThrottle.objects.filter(
        Q(locked_until__isnull=True, window_started_at__lte=now - WINDOW) | Q(locked_until__lte=now)
    )
    forgot = PasswordForgotThrottle.objects.filter(window_started_at__lte=now - FORGOT_WINDOW)
    return stale_rows_delete(logins, batch=batch) + stale_rows_delete(forgot, batch=batch)
