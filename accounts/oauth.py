"""API logins: connected apps, API sessions (access and refresh tokens), security tokens.

Every credential here is random (``chatterorg.tokens``), shown once and stored
only as its SHA-256, and looked up by that hash. A password login counts its
attempt in ``accounts.throttle`` before the password is checked, exactly as
the login page does, so the API is no way around the lockout.

A password from outside the org's trusted IP ranges must carry the user's
security token appended, as in Salesforce; from inside them it may omit it.
"""

from __future__ import annotations

import ipaddress
import logging
import secrets
from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import Any

from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Field, QuerySet
from django.tasks import task
from django.utils import timezone

from accounts.models import ApiSession, ConnectedApp, User
from accounts.permissions import Perm, user_has_perm
from accounts.throttle import login_attempt_begin, login_attempt_failed, login_attempt_succeeded
from chatterorg.actions import audit_record
from chatterorg.mail import email_send
from chatterorg.models import Organization
from chatterorg.selectors import org_get
from chatterorg.tokens import token_hash, token_lookup_hash, token_matches, token_new

logger = logging.getLogger(__name__)

AUDIT_SECTION = "Connected Apps"
# Salesforce's security tokens are 24-25 characters; ours are 24 (144 random bits).
SECURITY_TOKEN_LENGTH = 24
# A session's last use is written at most this often, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiLoginFailed(Exception):
    """A refused API login. ``code`` is Salesforce's: the answer never says which part
    was wrong (unknown user, wrong password, missing security token)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


INVALID_LOGIN = ApiLoginFailed(
    "INVALID_LOGIN", "Invalid username, password, security token; or user locked out."
)
API_DISABLED = ApiLoginFailed("API_CURRENTLY_DISABLED", "API is disabled for this User")


def session_timeout() -> timedelta:
    """The org's session timeout: an API session ends this long after its last use."""
    return timedelta(seconds=org_get().session_timeout_seconds)


def trusted_address(address: str) -> bool:
    """Whether ``address`` lies in the org's "Trusted IP Ranges" (no security token needed)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    ranges: Sequence[str] = org_get().trusted_ip_ranges or ()
    for network in ranges:
        try:
            if ip in ipaddress.ip_network(network, strict=False):
                return True
        except ValueError:  # a range stored before validation; it trusts nothing
            continue
    return False


def _password_and_token_check(*, username: str, password: str, trusted: bool) -> User | None:
    # Salesforce appends the token to the password: try the password as given
    # (trusted addresses), then with a token split off its end.
    if trusted:
        user = authenticate(None, username=username, password=password)
        if isinstance(user, User):
            return user
    if len(password) <= SECURITY_TOKEN_LENGTH:
        return None
    secret, token = password[:-SECURITY_TOKEN_LENGTH], password[-SECURITY_TOKEN_LENGTH:]
    user = authenticate(None, username=username, password=secret)
    if isinstance(user, User) and token_matches(user.security_token_hash, token_hash(token)):
        return user
    return None


def api_password_login(*, username: str, password: str, client_address: str) -> User:
    """The user these credentials name, for an API login (``ApiLoginFailed`` otherwise).

    The attempt is counted by the login throttle before any password is
    checked; a refused attempt fails like a wrong password. An active user
    without "API Enabled" is refused with ``API_CURRENTLY_DISABLED``.
    """
    if not username or not password:
        raise INVALID_LOGIN
    if not login_attempt_begin(username=username, address=client_address):
        raise INVALID_LOGIN
    user = _password_and_token_check(
        username=username, password=password, trusted=trusted_address(client_address)
    )
    if user is None or not user.is_active:
        login_attempt_failed(username=username, address=client_address)
        raise INVALID_LOGIN
    login_attempt_succeeded(username=username, address=client_address)
    if not user_has_perm(user, Perm.API_ENABLED):
        raise API_DISABLED
    return user


# --- Sessions -----------------------------------------------------------------------------


@transaction.atomic
def api_session_start(
    *, user: User, kind: str, app: ConnectedApp | None = None, client_address: str = ""
) -> tuple[str, str | None, ApiSession]:
    """Open an API session: ``(access token, refresh token or None, session)``.

    OAuth logins through a connected app get a refresh token; SOAP logins do not.
    """
    access, access_hash = token_new()
    refresh, refresh_hash = token_new() if app is not None else (None, None)
    now = timezone.now()
    session = ApiSession.objects.create(
        user=user,
        app=app,
        kind=kind,
        access_token_hash=access_hash,
        refresh_token_hash=refresh_hash,
        created_at=now,
        last_used_at=now,
        expires_at=now + session_timeout(),
        client_address=client_address,
    )
    return access, refresh, session


def api_session_for_token(raw: str) -> ApiSession | None:
    """The live session of an access token, its user loaded, or None.

    Live: not revoked, not past its expiry, and its user active. A use moves
    the expiry on by the session timeout (written at most once a minute).
    """
    digest = token_lookup_hash(raw)
    if digest is None:
        return None
    now = timezone.now()
    session = (
        ApiSession.objects.select_related("user__profile", "app")
        .filter(access_token_hash=digest, revoked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if session is None or not token_matches(session.access_token_hash, digest):
        return None
    if not session.user.is_active:
        return None
    if now - session.last_used_at >= LAST_USED_RESOLUTION:
        ApiSession.objects.filter(pk=session.pk).update(
            last_used_at=now, expires_at=now + session_timeout()
        )
    return session


@transaction.atomic
def api_session_refresh(*, app: ConnectedApp, refresh_token: str) -> tuple[str, ApiSession]:
    """A new access token for a refresh token of ``app`` (the old access token ends)."""
    digest = token_lookup_hash(refresh_token)
    session = (
        ApiSession.objects.select_for_update()
        .filter(refresh_token_hash=digest, app=app, revoked_at__isnull=True)
        .select_related("user")
        .first()
        if digest
        else None
    )
    if session is None or not token_matches(session.refresh_token_hash, digest or ""):
        raise ApiLoginFailed("invalid_grant", "expired access/refresh token")
    if not session.user.is_active or not user_has_perm(session.user, Perm.API_ENABLED):
        raise ApiLoginFailed("invalid_grant", "inactive user")
    access, access_hash = token_new()
    now = timezone.now()
    session.access_token_hash = access_hash
    session.last_used_at = now
    session.expires_at = now + session_timeout()
    session.save(update_fields=["access_token_hash", "last_used_at", "expires_at"])
    return access, session


@transaction.atomic
def api_session_revoke(*, token: str, actor: User | None = None) -> bool:
    """End the session an access or refresh token belongs to; False if none is live."""
    digest = token_lookup_hash(token)
    if digest is None:
        return False
    session = (
        ApiSession.objects.select_for_update()
        .filter(revoked_at__isnull=True)
        .filter(access_token_hash=digest)
        .first()
    ) or (
        ApiSession.objects.select_for_update()
        .filter(revoked_at__isnull=True, refresh_token_hash=digest)
        .first()
    )
    if session is None:
        return False
    return _revoke(session, actor=actor or session.user)


def _revoke(session: ApiSession, *, actor: User | None) -> bool:
    ended = ApiSession.objects.filter(pk=session.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if ended:
        audit_record(
            actor=actor,
            section=AUDIT_SECTION,
            action="api_session.revoked",
            display=f"Revoked the {session.get_kind_display()} session of user "
            f"{session.user.username}" + (f" for {session.app.name}" if session.app else ""),
            target=session.user,
        )
    return bool(ended)


@transaction.atomic
def api_session_revoke_by_admin(*, actor: User, session: ApiSession) -> bool:
    """Setup › Connected Apps OAuth Usage › Revoke (needs "Manage Users")."""
    if not user_has_perm(actor, Perm.MANAGE_USERS):
        raise ValidationError("Only users who manage users can revoke API sessions.")
    return _revoke(session, actor=actor)


# --- Connected apps -----------------------------------------------------------------------


def connected_app_for_key(consumer_key: str) -> ConnectedApp | None:
    """The OAuth-enabled app with this consumer key, or None."""
    digest = token_lookup_hash(consumer_key)
    if digest is None:
        return None
    app = ConnectedApp.objects.filter(consumer_key_hash=digest, oauth_enabled=True).first()
    if app is None or not token_matches(app.consumer_key_hash, digest):
        return None
    return app


def connected_app_secret_matches(app: ConnectedApp, consumer_secret: str) -> bool:
    digest = token_lookup_hash(consumer_secret)
    return digest is not None and token_matches(app.consumer_secret_hash, digest)


@transaction.atomic
def connected_app_create(
    *,
    actor: User | None,
    name: str,
    contact_email: str,
    callback_url: str = "",
    oauth_enabled: bool = True,
    client_credentials_enabled: bool = False,
    run_as: User | None = None,
    consumer_key: str | None = None,
    consumer_secret: str | None = None,
) -> tuple[ConnectedApp, str, str]:
    """Register an app: ``(app, consumer key, consumer secret)``, shown once.

    ``actor`` needs "Customize Application" (None: the demo seed). A key and
    secret may be given (the demo's come from the environment); otherwise they
    are random. The run-as user of the Client Credentials Flow must be active
    and hold "API Enabled".
    """
    if actor is not None and not user_has_perm(actor, Perm.CUSTOMIZE_APPLICATION):
        raise ValidationError("Only users who customize the application can add connected apps.")
    key = consumer_key or "3MVG" + secrets.token_urlsafe(60)
    secret = consumer_secret or secrets.token_hex(32)
    app = ConnectedApp(
        name=(name or "").strip(),
        contact_email=(contact_email or "").strip(),
        callback_url=(callback_url or "").strip(),
        oauth_enabled=oauth_enabled,
        client_credentials_enabled=client_credentials_enabled,
        run_as=run_as if client_credentials_enabled else None,
        consumer_key_hash=token_hash(key),
        consumer_secret_hash=token_hash(secret),
        created_by=actor,
    )
    errors: dict[str, list[str]] = {}
    if client_credentials_enabled and (
        run_as is None or not run_as.is_active or not user_has_perm(run_as, Perm.API_ENABLED)
    ):
        errors["run_as"] = ["Choose an active user with API Enabled to run the flow as."]
    try:
        app.full_clean()
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    app.save()
    audit_record(
        actor=actor,
        section=AUDIT_SECTION,
        action="connected_app.created",
        display=f'Created connected app "{app.name}"',
        new=app.name,
        target=app,
    )
    return app, key, secret


@transaction.atomic
def connected_app_delete(*, actor: User, app: ConnectedApp) -> None:
    """Delete an app; its sessions end with it (needs "Customize Application")."""
    if not user_has_perm(actor, Perm.CUSTOMIZE_APPLICATION):
        raise ValidationError("Only users who customize the application can delete apps.")
    audit_record(
        actor=actor,
        section=AUDIT_SECTION,
        action="connected_app.deleted",
        display=f'Deleted connected app "{app.name}"',
        old=app.name,
        target=app,
    )
    app.delete()


def connected_apps_list() -> QuerySet[ConnectedApp]:
    """App Manager: every connected app with its run-as user, by name."""
    return ConnectedApp.objects.select_related("run_as", "created_by").order_by("name")


def api_sessions_live() -> QuerySet[ApiSession]:
    """Connected Apps OAuth Usage: sessions still usable, most recently used first."""
    return (
        ApiSession.objects.filter(
            revoked_at__isnull=True, expires_at__gt=timezone.now(), user__is_active=True
        )
        .select_related("user", "app")
        .order_by("-last_used_at", "-id")
    )


# --- Org settings: Network Access and Session Settings ---------------------------------------

API_SETTING_SECTIONS = {
    "trusted_ip_ranges": "Network Access",
    "session_timeout_seconds": "Session Settings",
    "api_daily_request_limit": "Session Settings",
}
# Salesforce's choices for Session Settings › Timeout Value.
SESSION_TIMEOUT_CHOICES: list[tuple[int, str]] = [
    (15 * 60, "15 minutes"),
    (30 * 60, "30 minutes"),
    (60 * 60, "1 hour"),
    (2 * 60 * 60, "2 hours"),
    (4 * 60 * 60, "4 hours"),
    (8 * 60 * 60, "8 hours"),
    (12 * 60 * 60, "12 hours"),
    (24 * 60 * 60, "24 hours"),
]
MAX_TRUSTED_RANGES = 100


def trusted_ip_ranges_clean(ranges: Iterable[str]) -> list[str]:
    """The ranges as normalised networks (``203.0.113.0/24``); ``ValidationError`` if one is not.

    A single address is a range of one; duplicates are dropped, the order kept.
    """
    cleaned: list[str] = []
    for raw in ranges:
        text = raw.strip()
        if not text:
            continue
        try:
            network = str(ipaddress.ip_network(text, strict=False))
        except ValueError:
            raise ValidationError(
                {"trusted_ip_ranges": [f"{text} is not an IP address or a range like 10.0.0.0/8."]}
            ) from None
        if network not in cleaned:
            cleaned.append(network)
    if len(cleaned) > MAX_TRUSTED_RANGES:
        raise ValidationError(
            {"trusted_ip_ranges": [f"At most {MAX_TRUSTED_RANGES} trusted IP ranges."]}
        )
    return cleaned


def _setting_text(field: str, value: Any) -> str:
    if field == "trusted_ip_ranges":
        return ", ".join(value) or "none"
    if field == "session_timeout_seconds":
        return dict(SESSION_TIMEOUT_CHOICES).get(value, f"{value // 60} minutes")
    return f"{value:,}"


@transaction.atomic
def org_api_settings_update(*, actor: User, **changes: Any) -> list[str]:
    """Change the API's org settings (Network Access, Session Settings); each change is audited.

    Needs "Customize Application". Every value is validated before the first
    write. Returns the labels of the settings that changed.
    """
    if not user_has_perm(actor, Perm.CUSTOMIZE_APPLICATION):
        raise ValidationError("Only users who customize the application can change API settings.")
    unknown = set(changes) - set(API_SETTING_SECTIONS)
    if unknown:
        raise TypeError(f"Not API settings: {sorted(unknown)}")
    if "trusted_ip_ranges" in changes:
        changes["trusted_ip_ranges"] = trusted_ip_ranges_clean(changes["trusted_ip_ranges"])
    org = Organization.objects.select_for_update().get_or_create(pk=1)[0]
    olds = {field: getattr(org, field) for field in changes}
    changed_fields = [field for field, new in changes.items() if olds[field] != new]
    if not changed_fields:
        return []
    for field in changed_fields:
        setattr(org, field, changes[field])
    org.full_clean()
    org.save(update_fields=[*changed_fields, "updated_at"])
    labels: list[str] = []
    for field in changed_fields:
        model_field = Organization._meta.get_field(field)
        assert isinstance(model_field, Field)
        label = str(model_field.verbose_name)
        labels.append(label)
        old, new = _setting_text(field, olds[field]), _setting_text(field, changes[field])
        audit_record(
            actor=actor,
            section=API_SETTING_SECTIONS[field],
            action="api_settings.changed",
            display=f'Changed {API_SETTING_SECTIONS[field]} setting "{label}" from {old} to {new}',
            old=old,
            new=new,
            target=org,
        )
    return labels


# --- Security tokens ----------------------------------------------------------------------


def security_token_reset_request(*, user: User) -> None:
    """Settings › "Reset My Security Token": a new token is made and emailed by a task.

    The token exists only in the email (never a task argument); the old one stops
    working when the new one is stored.
    """
    user_id = user.pk
    transaction.on_commit(lambda: security_token_deliver.enqueue(user_id=user_id))


@task
def security_token_deliver(*, user_id: int) -> None:
    raw = secrets.token_urlsafe(18)  # 24 characters
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=user_id, is_active=True).first()
        if user is None:
            return
        user.security_token_hash = token_hash(raw)
        user.save(update_fields=["security_token_hash"])
        audit_record(
            actor=user,
            section="Personal Settings",
            action="user.security_token_reset",
            display=f"Reset the security token of user {user.username}",
            target=user,
        )
    try:
        email_send(
            to=user.email,
            subject="Your new Chatter security token",
            template="security_token",
            context={"username": user.username, "org_name": org_get().name, "token": raw},
        )
    except Exception:
        logger.exception("Could not send the security token email for user %s", user.pk)
