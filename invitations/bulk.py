"""Bulk invites from a CSV file or a pasted list: the parse, the dry run, and "Send".

The dry run IS the invite's plan (``invitations.actions._invite_plan``), read
without writing or locking, plus the rows a bulk invite leaves out rather than
refuses: invalid addresses, duplicates, and those over the inviter's daily
limit. "Send" plans again under the locks, compares with what was shown, and
sends exactly that plan, or nothing and the new plan (``PlanChanged``).

The parse streams: the upload is read in chunks through an incremental decoder
into ``csv.reader`` and stops at the first row over the limit.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import IO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from chatterorg.models import Organization
from chatterorg.selectors import org_get
from groups.access import require
from groups.models import Group
from invitations.actions import (
    MAX_MESSAGE_LENGTH,
    OUTCOME_LABELS,
    UNSENT_STATUSES,
    AddressPlan,
    InvitePlan,
    InviteRequest,
    OutcomeStatus,
    _daily_limit_check,
    _invite_apply,
    _invite_plan,
    _licences_check,
    _may_invite,
    invite_expiry,
)
from invitations.addresses import address_normalise, addresses_split
from invitations.models import Invitation, invitation_email_key

MAX_ROWS = 1000
MAX_BYTES = 1_000_000
CHUNK_BYTES = 64 * 1024
# UTF-8 (a BOM is dropped), then what Excel on Windows writes.
ENCODINGS = ("utf-8-sig", "cp1252")

EMAIL_COLUMNS = {"email", "email address", "e-mail", "e-mail address", "emailaddress"}
FIRST_NAME_COLUMNS = {"first name", "firstname", "first_name", "given name"}
LAST_NAME_COLUMNS = {"last name", "lastname", "last_name", "surname", "family name"}
MESSAGE_COLUMNS = {"message"}

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


@dataclass(frozen=True)
class BulkRow:
    """One row of the file (or piece of the pasted list) as read, before any check."""

    line: int
    address: str
    first_name: str = ""
    last_name: str = ""
    message: str = ""

    def as_list(self) -> list[object]:
        return [self.line, self.address, self.first_name, self.last_name, self.message]

    @classmethod
    def from_list(cls, values: Sequence[object]) -> BulkRow:
        line, address, first, last, message = values
        return cls(int(str(line)), str(address), str(first), str(last), str(message))


@dataclass(frozen=True)
class BulkRequest:
    """What a bulk invite asks for: its rows, the default message and the expiry."""

    rows: tuple[BulkRow, ...]
    message: str = ""
    expiry_days: int | None = None


@dataclass(frozen=True)
class BulkPlanRow:
    """What "Send" will do with one row."""

    line: int
    email: str
    status: OutcomeStatus
    detail: str = ""

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self.status]

    @property
    def sends(self) -> bool:
        return self.status not in UNSENT_STATUSES


@dataclass(frozen=True)
class BulkPlan:
    """One outcome per row, in the file's order, and the invite plan of the rows that go."""

    rows: tuple[BulkPlanRow, ...]
    plan: InvitePlan = field(repr=False)
    resent_messages: dict[int, str] = field(default_factory=dict, repr=False)

    @property
    def signature(self) -> list[list[str]]:
        """What the dry run showed, to compare with the plan at "Send"."""
        return [[row.email, row.status] for row in self.rows]

    @property
    def sending(self) -> int:
        return sum(1 for row in self.rows if row.sends)

    def counts(self) -> list[tuple[str, int]]:
        totals: dict[str, int] = {}
        for row in self.rows:
            totals[row.label] = totals.get(row.label, 0) + 1
        return list(totals.items())


class PlanChanged(Exception):
    """The world changed between the dry run and "Send": nothing was sent; here is the new plan."""

    def __init__(self, plan: BulkPlan) -> None:
        super().__init__("The invitations' outcomes changed since the dry run.")
        self.plan = plan


# The parse -------------------------------------------------------------------------------------


def _bad_file(message: str, code: str, **params: object) -> ValidationError:
    return ValidationError(message, code=code, params=params or None)


def _too_many_rows() -> ValidationError:
    return _bad_file(
        "The file has more than %(limit)s rows. Invite at most %(limit)s people at a time.",
        "too_many_rows",
        limit=f"{MAX_ROWS:,}",
    )


def _lines(stream: IO[bytes], encoding: str) -> Iterator[str]:
    """The decoded lines of ``stream``, with their line ends, read a chunk at a time."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    total = 0
    pending = ""
    while chunk := stream.read(CHUNK_BYTES):
        total += len(chunk)
        if total > MAX_BYTES:
            raise _bad_file("The file is over 1 MB. Split it into smaller files.", "too_big")
        if b"\x00" in chunk:
            raise _not_csv()
        pending += decoder.decode(chunk)
        lines = _LINE.findall(pending)
        # The last piece may be a line cut by the chunk: keep it for the next one.
        cut = bool(lines) and not lines[-1].endswith(("\n", "\r"))
        pending = lines.pop() if cut else ""
        yield from lines
    pending += decoder.decode(b"", final=True)
    if pending:
        yield pending


def _not_csv() -> ValidationError:
    return _bad_file(
        "This isn't a CSV file. Save the spreadsheet as CSV (comma-separated values) and "
        "upload that.",
        "not_csv",
    )


def _column(header: list[str], names: set[str]) -> int | None:
    for index, title in enumerate(header):
        if title.strip().lower() in names:
            return index
    return None


def _rows_of(lines: Iterator[str]) -> list[BulkRow]:
    reader = csv.reader(lines)
    header: list[str] | None = None
    rows: list[BulkRow] = []
    columns: dict[str, int | None] = {}
    try:
        # Rows are numbered as a spreadsheet shows them: the header is row 1, and a
        # cell with line breaks is still one row.
        for number, values in enumerate(reader, 1):
            if not any(value.strip() for value in values):
                continue
            if header is None:
                header = values
                columns = {
                    "email": _column(header, EMAIL_COLUMNS),
                    "first": _column(header, FIRST_NAME_COLUMNS),
                    "last": _column(header, LAST_NAME_COLUMNS),
                    "message": _column(header, MESSAGE_COLUMNS),
                }
                if columns["email"] is None:
                    raise _bad_file(
                        "The file has no email column. Its first row must name the columns: "
                        '"email", and optionally "first name", "last name" and "message".',
                        "no_email_column",
                    )
                continue
            if len(rows) >= MAX_ROWS:
                raise _too_many_rows()

            def cell(
                name: str, values: list[str] = values, columns: dict[str, int | None] = columns
            ) -> str:
                index = columns[name]
                return values[index].strip() if index is not None and index < len(values) else ""

            rows.append(
                BulkRow(
                    line=number,
                    address=cell("email"),
                    first_name=cell("first")[:40],
                    last_name=cell("last")[:80],
                    message=cell("message"),
                )
            )
    except csv.Error:
        raise _not_csv() from None
    if header is None:
        raise _bad_file("The file is empty.", "empty")
    if not rows:
        raise _bad_file("The file has no rows under its header.", "no_rows")
    return rows


def bulk_rows_from_file(upload: IO[bytes], *, size: int | None = None) -> list[BulkRow]:
    """The rows of an uploaded CSV file; ValidationError (nothing read further) if it is
    over 1 MB, not text in UTF-8 (with or without BOM) or Windows-1252, not CSV,
    without an email column, or over ``MAX_ROWS`` rows."""
    if size is not None and size > MAX_BYTES:
        raise _bad_file("The file is over 1 MB. Split it into smaller files.", "too_big")
    for encoding in ENCODINGS:
        upload.seek(0)
        try:
            return _rows_of(_lines(upload, encoding))
        except UnicodeDecodeError:
            continue
    raise _bad_file(
        "The file isn't UTF-8 or Windows-1252 text. Save it as CSV UTF-8 and upload it again.",
        "not_utf8",
    )


def bulk_rows_from_text(text: str) -> list[BulkRow]:
    """The rows of a pasted list: addresses separated by commas, semicolons or line breaks."""
    pieces = addresses_split(text, limit=MAX_ROWS)
    if len(pieces) > MAX_ROWS:
        raise _too_many_rows()
    if not pieces:
        raise ValidationError("Enter at least one email address.", code="required")
    return [BulkRow(line=number, address=piece) for number, piece in enumerate(pieces, 1)]


def bulk_request_clean(
    *, rows: Sequence[BulkRow], message: str, expiry_days: int | None
) -> BulkRequest:
    """The request with its default message checked (ValidationError)."""
    message = message.strip()
    if len(message) > MAX_MESSAGE_LENGTH:
        raise ValidationError(
            {
                "message": ValidationError(
                    "The message can have at most %(limit)d characters.",
                    code="message_too_long",
                    params={"limit": MAX_MESSAGE_LENGTH},
                )
            }
        )
    return BulkRequest(rows=tuple(rows), message=message, expiry_days=expiry_days)


# The plan --------------------------------------------------------------------------------------


def _daily_allowance(*, actor: User, org: Organization, since: object) -> int:
    used = Invitation.objects.filter(inviter=actor, sent_at__gte=since).count()
    return max(org.invitations_per_day - used, 0)


def bulk_plan(*, actor: User, group: Group, bulk: BulkRequest, lock: bool = False) -> BulkPlan:
    """What "Send" would do with each row, written nowhere (the dry run).

    PermissionDenied if the actor may not invite to the group, ValidationError
    for an expiry out of range. The number of queries does not depend on the
    number of rows. ``lock`` (inside "Send"'s transaction) takes the locks of the
    invite: the pending invitations and the actor's row for the daily count.
    """
    org = org_get()
    require(_may_invite(actor=actor, group=group, org=org))
    invite_expiry(
        invite=InviteRequest(emails=(), message="", expiry_days=bulk.expiry_days), org=org
    )

    shaped: list[tuple[BulkRow, str, str]] = []  # row, address or "", error
    first_line: dict[str, int] = {}
    emails: list[str] = []
    drafts: list[Invitation] = []
    row_messages: dict[str, str] = {}
    for row in bulk.rows:
        try:
            address = address_normalise(row.address)
        except ValidationError as error:
            shaped.append((row, "", error.messages[0]))
            continue
        key = invitation_email_key(address)
        if key in first_line:
            shaped.append((row, address, f"row {first_line[key]}"))
            continue
        first_line[key] = row.line
        message = (row.message or bulk.message)[:MAX_MESSAGE_LENGTH]
        shaped.append((row, address, ""))
        emails.append(address)
        row_messages[key] = message
        drafts.append(
            Invitation(
                group_id=group.pk,
                email=address,
                email_key=key,
                inviter_id=actor.pk,
                message=message,
                first_name=row.first_name,
                last_name=row.last_name,
            )
        )
    invite = InviteRequest(emails=tuple(emails), message=bulk.message)
    planned = _invite_plan(group=group, invite=invite, drafts=drafts, org=org, lock=lock)
    by_email = {plan_row.email: plan_row for plan_row in planned.addresses}

    now = timezone.now()
    since = now - timedelta(hours=24)
    if lock:
        list(User.objects.select_for_update().filter(pk=actor.pk).order_by().values_list("pk"))
    allowance = _daily_allowance(actor=actor, org=org, since=since)

    rows: list[BulkPlanRow] = []
    kept: list[AddressPlan] = []
    resent_messages: dict[int, str] = {}
    for row, address, problem in shaped:
        if not address:
            rows.append(BulkPlanRow(row.line, row.address, "InvalidAddress", problem))
            continue
        if problem:
            rows.append(BulkPlanRow(row.line, address, "Duplicate", problem))
            continue
        plan_row = by_email[address]
        invitation = plan_row.invitation
        counts = plan_row.status == "Invited" or (
            plan_row.status == "Resent"
            and invitation is not None
            and (invitation.inviter_id != actor.pk or invitation.sent_at < since)
        )
        if counts:
            if allowance <= 0:
                rows.append(BulkPlanRow(row.line, address, "OverDailyLimit"))
                continue
            allowance -= 1
        if plan_row.status == "Resent" and invitation is not None:
            resent_messages[invitation.pk] = row_messages[invitation_email_key(address)]
        rows.append(BulkPlanRow(row.line, address, plan_row.status))
        kept.append(plan_row)
    return BulkPlan(
        rows=tuple(rows), plan=InvitePlan(addresses=tuple(kept)), resent_messages=resent_messages
    )


def bulk_licences_warning(plan: BulkPlan) -> str:
    """Why "Send" would be refused for want of Chatter External licences, or ""."""
    try:
        _licences_check(plan.plan)
    except ValidationError as error:
        return " ".join(error.messages)
    return ""


@transaction.atomic
def invitations_bulk_send(
    *, actor: User, group: Group, bulk: BulkRequest, shown: Sequence[Sequence[str]]
) -> BulkPlan:
    """Send exactly the plan the dry run showed (``shown``: its ``signature``).

    Plans again with the group, the pending invitations and the actor's row
    locked; if any row's outcome differs from what was shown, nothing is
    written and ``PlanChanged`` carries the new plan. PermissionDenied or
    ValidationError (expiry, licences, nothing to send) also write nothing.
    Then the writes of ``invitations_send``: one step, a bounded number of
    queries, one audit event per kind of change.
    """
    group = Group.objects.select_for_update().get(pk=group.pk)
    planned = bulk_plan(actor=actor, group=group, bulk=bulk, lock=True)
    if planned.signature != [list(row) for row in shown]:
        raise PlanChanged(planned)
    if not planned.sending:
        raise ValidationError("None of these rows can be sent.", code="nothing_to_send")
    org = org_get()
    expiry = invite_expiry(
        invite=InviteRequest(emails=(), message="", expiry_days=bulk.expiry_days), org=org
    )
    now = timezone.now()
    _licences_check(planned.plan)
    _daily_limit_check(
        actor=actor, org=org, now=now, new=len(planned.plan.new), resent=planned.plan.resent
    )
    _invite_apply(
        planned.plan,
        actor=actor,
        group=group,
        now=now,
        expiry=expiry,
        message=bulk.message,
        resent_messages=planned.resent_messages,
    )
    return planned
