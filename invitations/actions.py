"""Every write of invitations: send, resend, cancel."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from chatterorg.actions import audit_event
from chatterorg.domains import address_domain, domain_matches
from chatterorg.models import AuditEvent, Licence, Organization
from chatterorg.selectors import org_get
from groups.access import can_see_group, group_capabilities, membership_get, require
from groups.actions import membership_add
from groups.models import Group, Membership
from invitations.access import invitation_cancel_allowed
from invitations.addresses import (
    addresses_clean,
    addresses_count_check,
    addresses_parse,
    addresses_partition,
    addresses_split,
)
from invitations.models import Invitation, RetiredLink, invitation_email_key, links_retire
from invitations.tasks import invitation_emails_send, member_added_notices_send

AUDIT_SECTION = "Chatter Invitations"
MAX_MESSAGE_LENGTH = 255
AUDIT_DISPLAY_LENGTH = 500  # AuditEvent.display

OutcomeStatus = Literal[
    "Invited",
    "ActedUponUser",
    "NoActionNeededUser",
    "Resent",
    "DeactivatedUser",
    "CompanyDomain",
    "BlockedByDomainRule",
    # Only in bulk invites (``invitations.bulk``): rows that are left out, not refusals.
    "InvalidAddress",
    "Duplicate",
    "OverDailyLimit",
]
# The statuses that write nothing for their address.
UNSENT_STATUSES = frozenset(
    {
        "NoActionNeededUser",
        "DeactivatedUser",
        "CompanyDomain",
        "BlockedByDomainRule",
        "InvalidAddress",
        "Duplicate",
        "OverDailyLimit",
    }
)

# What the invite page says for each status (the statuses are Salesforce's API names).
OUTCOME_LABELS: dict[str, str] = {
    "Invited": "Invited",
    "ActedUponUser": "Added to the group",
    "NoActionNeededUser": "Already a member",
    "Resent": "Invitation resent",
    # Not one of Salesforce's statuses: a deactivated customer keeps the address
    # (one customer per address), so no second account can be offered.
    "DeactivatedUser": "This person's account is deactivated. Ask your administrator to "
    "reactivate it.",
    "CompanyDomain": "This address is in your company's domain. Invite coworkers from People "
    "instead.",
    "BlockedByDomainRule": "Blocked by domain rule: your org doesn't allow customer invitations "
    "to this domain.",
    "InvalidAddress": "Invalid address",
    "Duplicate": "Listed twice: invited once",
    "OverDailyLimit": "Over the daily limit",
}


@dataclass(frozen=True)
class InviteRequest:
    """What an invite asks for, checked once: distinct valid addresses and the message."""

    emails: tuple[str, ...]
    message: str
    # Days until the links expire; None: the org's "Invitation expiry (days)".
    expiry_days: int | None = None


def invite_request_clean(
    *,
    addresses: str | Sequence[str],
    message: str,
    expiry_days: int | None = None,
    skip_invalid: bool = False,
) -> InviteRequest:
    """Parse and check an invite's input (ValidationError): the form's text or a list.

    The form calls this in ``clean``; its cleaned result is what the action takes.
    ``skip_invalid`` drops invalid addresses ("Send to the N valid addresses")
    instead of refusing the request; at least one valid address must remain.
    The expiry is checked against the org's maximum by the action.
    """
    errors: dict[str, ValidationError] = {}
    emails: list[str] = []
    try:
        if skip_invalid:
            pieces = addresses_split(addresses) if isinstance(addresses, str) else addresses
            emails = addresses_count_check(addresses_partition(pieces)[0])
        elif isinstance(addresses, str):
            emails = addresses_parse(addresses)
        else:
            emails = addresses_clean(addresses)
    except ValidationError as exc:
        errors["addresses"] = exc
    message = message.strip()
    if len(message) > MAX_MESSAGE_LENGTH:
        errors["message"] = ValidationError(
            "The message can have at most %(limit)d characters.",
            code="message_too_long",
            params={"limit": MAX_MESSAGE_LENGTH},
        )
    if errors:
        raise ValidationError(errors)
    return InviteRequest(emails=tuple(emails), message=message, expiry_days=expiry_days)


@dataclass(frozen=True)
class InviteOutcome:
    """What happened to one address of an invite request."""

    email: str
    status: OutcomeStatus
    user_id: int | None = None
    invitation_id: int | None = None

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self.status]


@dataclass(frozen=True)
class AddressPlan:
    """What an invite will do with one address: the user it names, or the invitation
    it sends (a draft) or sends again (a pending one)."""

    email: str
    status: OutcomeStatus
    user: User | None = None
    invitation: Invitation | None = None


@dataclass(frozen=True)
class InvitePlan:
    """One outcome per address, decided from one read of the group's state."""

    addresses: tuple[AddressPlan, ...]

    def _with(self, status: OutcomeStatus) -> list[AddressPlan]:
        return [row for row in self.addresses if row.status == status]

    @property
    def new(self) -> list[Invitation]:
        return [row.invitation for row in self._with("Invited") if row.invitation is not None]

    @property
    def resent(self) -> list[Invitation]:
        return [row.invitation for row in self._with("Resent") if row.invitation is not None]

    @property
    def added(self) -> list[User]:
        return [row.user for row in self._with("ActedUponUser") if row.user is not None]


def _may_invite(*, actor: User, group: Group, org: Organization) -> bool:
    membership = membership_get(user=actor, group=group)
    return group_capabilities(user=actor, group=group, membership=membership, org=org).invite


def _daily_limit_check(
    *, actor: User, org: Organization, now: datetime, new: int, resent: Iterable[Invitation]
) -> None:
    """Refuse a request that takes the actor past the org's invitations per 24 hours.

    Counts the recipients the actor invited in the window with the actor's row
    locked (PostgreSQL; SQLite serialises writers anyway), so concurrent
    requests of one inviter count one after the other and together cannot pass
    the limit. A resend of an invitation already counted in the window is not
    a new recipient.
    """
    since = now - timedelta(hours=24)
    adding = new + sum(1 for inv in resent if inv.inviter_id != actor.pk or inv.sent_at < since)
    list(User.objects.select_for_update().filter(pk=actor.pk).order_by().values_list("pk"))
    used = Invitation.objects.filter(inviter=actor, sent_at__gte=since).count()
    if adding and used + adding > org.invitations_per_day:
        left = max(org.invitations_per_day - used, 0)
        raise ValidationError(
            "You can invite at most %(limit)d people in 24 hours. You can invite %(left)d more "
            "now; this request has %(adding)d. Nothing was sent.",
            code="rate_limited",
            params={"limit": org.invitations_per_day, "left": left, "adding": adding},
        )


def _licences_check(plan: InvitePlan) -> None:
    new = plan.new
    if not new:
        return
    licences = Licence.objects.filter(name=Licence.Name.CHATTER_EXTERNAL).first()
    if licences is None or licences.remaining <= 0:
        raise ValidationError(
            "No Chatter External licenses are left, so new customers can't be invited: "
            "%(emails)s. People who already have a user can still be added.",
            code="no_licences",
            params={"emails": ", ".join(draft.email for draft in new)},
        )


def _audit(
    *, actor: User, action: str, verb: str, invitation: Invitation, group: Group
) -> AuditEvent:
    return audit_event(
        actor=actor,
        section=AUDIT_SECTION,
        action=action,
        display=f'{verb} {invitation.email} to the group "{group.name}"',
        new=invitation.email,
        target=invitation,
    )


def _emails_enqueue(invitation_ids: list[int]) -> None:
    if invitation_ids:
        # One task for the whole batch: the request does the same work for 1 or 100.
        transaction.on_commit(lambda: invitation_emails_send.enqueue(invitation_ids=invitation_ids))


@transaction.atomic
def invitations_send(*, actor: User, group: Group, invite: InviteRequest) -> list[InviteOutcome]:
    """Invite each address to ``group``; one outcome per address, in order.

    All or nothing: if the actor may not invite (PermissionDenied) or any
    check fails (ValidationError: expiry out of range, daily limit, licences), nothing is written
    and nothing is sent. An address of a deactivated user is not an error
    of the request: its outcome says so (``DeactivatedUser``) and nothing is
    written for it. It reads as a plan, then its checks, then one write
    step; the number of queries does not depend on the number of addresses.
    The Setup Audit Trail gets one event for the request's new invitations and
    one for its resent ones.
    """
    group_id, actor_id = group.pk, actor.pk  # read once: the actor may be a lazy request.user
    # Drafts need no lock: make them before the group and inviter rows are locked.
    drafts = [
        Invitation(
            group_id=group_id,
            email=email,
            email_key=invitation_email_key(email),
            inviter_id=actor_id,
            message=invite.message,
        )
        for email in invite.emails
    ]
    org = org_get()
    # Re-read the group under lock: its settings decide, not the caller's copy.
    group = Group.objects.select_for_update().get(pk=group_id)
    require(_may_invite(actor=actor, group=group, org=org))
    expiry = invite_expiry(invite=invite, org=org)

    plan = _invite_plan(group=group, invite=invite, drafts=drafts, org=org)
    now = timezone.now()
    _licences_check(plan)
    _daily_limit_check(actor=actor, org=org, now=now, new=len(plan.new), resent=plan.resent)
    _invite_apply(plan, actor=actor, group=group, now=now, expiry=expiry, message=invite.message)
    return [
        InviteOutcome(
            email=row.email,
            status=row.status,
            user_id=row.user.pk if row.user is not None else None,
            invitation_id=row.invitation.pk if row.invitation is not None else None,
        )
        for row in plan.addresses
    ]


def _invite_plan(
    *,
    group: Group,
    invite: InviteRequest,
    drafts: list[Invitation],
    org: Organization,
    lock: bool = True,
) -> InvitePlan:
    """Decide each address by its ``email_key``: the active user it names (added, or
    already a member), else the deactivated user who keeps it (nothing to do),
    else, if the address may be invited as a customer (not in a company domain,
    allowed by the domain rule), its pending invitation (resent) or its draft (a
    new invitation). Reads only; ``lock`` locks the pending invitations it reads
    (a dry run reads without).
    """
    keys = [invitation_email_key(email) for email in invite.emails]
    # Deactivated users count too, internal or customer: their address is theirs, and
    # inviting it would make a second person of them (a customer of an ex-employee).
    candidates = list(User.objects.filter(email_key__in=keys).order_by("pk"))
    active = [candidate for candidate in candidates if candidate.is_active]
    member_ids = set(
        Membership.objects.filter(group=group, user__in=active).values_list("user_id", flat=True)
    )
    # Several internal users may share an address: one who is already a member
    # wins, otherwise the oldest user is added. A customer's address is theirs
    # alone (``user_one_customer_per_email``).
    users_by_key: dict[str, User] = {}
    deactivated_by_key: dict[str, User] = {}
    for candidate in candidates:
        candidate_key = candidate.email_key or ""
        if not candidate.is_active:
            deactivated_by_key.setdefault(candidate_key, candidate)
            continue
        current = users_by_key.get(candidate_key)
        if current is None or (candidate.pk in member_ids and current.pk not in member_ids):
            users_by_key[candidate_key] = candidate
    pending_rows = Invitation.objects.filter(
        group=group, status=Invitation.Status.SENT, email_key__in=keys
    )
    if lock:
        pending_rows = pending_rows.select_for_update()
    pending: dict[str | None, Invitation] = {inv.email_key: inv for inv in pending_rows}
    company = org.company_domain_patterns
    rows: list[AddressPlan] = []
    for email, key, draft in zip(invite.emails, keys, drafts, strict=True):
        user = users_by_key.get(key)
        if user is None:
            deactivated = deactivated_by_key.get(key)
            invitation = pending.get(key)
            if deactivated is not None:
                rows.append(AddressPlan(email=email, status="DeactivatedUser", user=deactivated))
            elif domain_matches(address_domain(key), company):
                rows.append(AddressPlan(email=email, status="CompanyDomain"))
            elif not org.customer_domain_allowed(key):
                rows.append(AddressPlan(email=email, status="BlockedByDomainRule"))
            elif invitation is None:
                rows.append(AddressPlan(email=email, status="Invited", invitation=draft))
            else:
                rows.append(AddressPlan(email=email, status="Resent", invitation=invitation))
        elif user.pk in member_ids:
            rows.append(AddressPlan(email=email, status="NoActionNeededUser", user=user))
        else:
            rows.append(AddressPlan(email=email, status="ActedUponUser", user=user))
    return InvitePlan(addresses=tuple(rows))


def invite_expiry(*, invite: InviteRequest, org: Organization) -> timedelta:
    """How long the request's links last: its choice, 1 day up to the org's maximum."""
    days = org.invitation_expiry_days if invite.expiry_days is None else invite.expiry_days
    if not 1 <= days <= org.invitation_expiry_days:
        raise ValidationError(
            {
                "expiry_days": ValidationError(
                    "Choose between 1 and %(limit)d days.",
                    code="expiry_out_of_range",
                    params={"limit": org.invitation_expiry_days},
                )
            }
        )
    return timedelta(days=days)


def _invite_apply(
    plan: InvitePlan,
    *,
    actor: User,
    group: Group,
    now: datetime,
    expiry: timedelta,
    message: str,
    resent_messages: dict[int, str] | None = None,
) -> None:
    """The writes of a checked plan: invitations, resends, memberships, audit, emails.

    Each draft carries its own message; a resend gets ``resent_messages[pk]`` or ``message``.
    """
    resent_messages = resent_messages or {}
    expires_at = now + expiry
    new, resent, added = plan.new, plan.resent, plan.added
    for draft in new:
        draft.sent_at = now
        draft.expires_at = expires_at
    Invitation.objects.bulk_create(new)
    if resent:
        # The old links die in this transaction: the task makes new ones. A bulk
        # invite may give rows their own message: one update per distinct message.
        by_message: dict[str, list[int]] = {}
        for inv in resent:
            by_message.setdefault(resent_messages.get(inv.pk, message), []).append(inv.pk)
        links_retire(resent, reason=RetiredLink.Reason.SUPERSEDED)
        for text, ids in by_message.items():
            Invitation.objects.filter(pk__in=ids).update(
                **_resend_fields(actor=actor, now=now, expires_at=expires_at), message=text
            )
    if added:
        # Adding a user is the groups app's write; the actor's right to do it
        # here comes from "Invite People", checked above.
        for user in added:
            membership_add(actor=actor, group=group, user=user, check_permission=False)
        added_ids = [user.pk for user in added]
        group_id, actor_id = group.pk, actor.pk
        transaction.on_commit(
            lambda: member_added_notices_send.enqueue(
                group_id=group_id, user_ids=added_ids, actor_id=actor_id, message=message
            )
        )
    events: list[AuditEvent] = []
    if new:
        events.append(
            _audit_of_request(
                actor=actor,
                action="invitation.sent",
                summary=f"Invited {_count(len(new), 'person', 'people')}",
                emails=[inv.email for inv in new],
                group=group,
            )
        )
    if resent:
        events.append(
            _audit_of_request(
                actor=actor,
                action="invitation.resent",
                summary=f"Resent {_count(len(resent), 'invitation', 'invitations')}",
                emails=[inv.email for inv in resent],
                group=group,
            )
        )
    AuditEvent.objects.bulk_create(events)
    _emails_enqueue([inv.pk for inv in new] + [inv.pk for inv in resent])


def _count(number: int, singular: str, plural: str) -> str:
    return f"{number} {singular if number == 1 else plural}"


def _audit_of_request(
    *, actor: User, action: str, summary: str, emails: list[str], group: Group
) -> AuditEvent:
    """One audit event for every address of a request that had the same change.

    ``new_value`` lists every address; ``display`` lists as many as fit in its
    length and ends with "…and N more" for the rest.
    """
    return audit_event(
        actor=actor,
        section=AUDIT_SECTION,
        action=action,
        display=_listing(f'{summary} to the group "{group.name}": ', emails, AUDIT_DISPLAY_LENGTH),
        new=", ".join(emails),
        target=group,
    )


def _listing(head: str, items: list[str], limit: int) -> str:
    """``head`` and the items joined by commas; the first ones and "…and N more" if too long."""
    text = head + ", ".join(items)
    if len(text) <= limit:
        return text
    # Showing one more item adds its length and takes at most one digit off
    # the count of the rest, so the first item that does not fit ends the list.
    length = len(head)
    shown = 0
    for item in items[:-1]:
        grown = length + (2 if shown else 0) + len(item)
        if grown + len(f" …and {len(items) - shown - 1} more") > limit:
            break
        length = grown
        shown += 1
    listed = ", ".join(items[:shown])
    return f"{head}{listed}{' ' if shown else ''}…and {len(items) - shown} more"[:limit]


def invitation_duration(invitation: Invitation, *, org: Organization) -> timedelta:
    """How long a resend of ``invitation`` lasts: as long as it was sent for, at most
    the org's "Invitation expiry (days)" (which may have shrunk since)."""
    chosen = invitation.expires_at - invitation.sent_at
    return max(min(chosen, timedelta(days=org.invitation_expiry_days)), timedelta(days=1))


def _audit_of_org(*, actor: User, action: str, summary: str, emails: list[str]) -> AuditEvent:
    """One audit event for many invitations of the org (Setup's bulk changes)."""
    return audit_event(
        actor=actor,
        section=AUDIT_SECTION,
        action=action,
        display=_listing(f"{summary}: ", emails, AUDIT_DISPLAY_LENGTH),
        new=", ".join(emails),
        target=None,
    )


def _resend_fields(*, actor: User, now: datetime, expires_at: datetime) -> dict[str, object]:
    """A resend is a new send: new sender and times, no link until the task makes one."""
    return {
        "inviter": actor,
        "sent_at": now,
        "expires_at": expires_at,
        "token_hash": None,
        "delivery_status": Invitation.Delivery.QUEUED,
        "delivery_error": "",
        "delivered_at": None,
        "reminded_at": None,
    }


@transaction.atomic
def invitation_resend(*, actor: User, invitation: Invitation) -> Invitation:
    """Send a pending invitation again: a new link, the old one dead at once, expiry restarted
    for as many days as it was first sent for (``invitation_duration``).

    Needs "Invite People" on the group (PermissionDenied otherwise) and counts
    against the actor's daily limit like a new invitation.
    """
    org = org_get()
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    group = Group.objects.get(pk=invitation.invited_group_id)
    require(_may_invite(actor=actor, group=group, org=org))
    if invitation.status != Invitation.Status.SENT:
        raise ValidationError("Only a pending invitation can be resent.", code="not_pending")
    now = timezone.now()
    _daily_limit_check(actor=actor, org=org, now=now, new=0, resent=[invitation])

    expires_at = now + invitation_duration(invitation, org=org)
    links_retire([invitation], reason=RetiredLink.Reason.SUPERSEDED)
    for field, value in _resend_fields(actor=actor, now=now, expires_at=expires_at).items():
        setattr(invitation, field, value)
    invitation.save()
    _audit(
        actor=actor,
        action="invitation.resent",
        verb="Resent the invitation of",
        invitation=invitation,
        group=group,
    ).save()
    _emails_enqueue([invitation.pk])
    return invitation


@transaction.atomic
def invitation_cancel(*, actor: User, invitation: Invitation) -> Invitation:
    """Cancel a pending invitation; its link stops working when this commits.

    Who may: see ``invitation_cancel_allowed``; nobody who cannot see the group.
    """
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    group = Group.objects.get(pk=invitation.invited_group_id)
    membership = membership_get(user=actor, group=group)
    if not can_see_group(actor, group, membership):
        raise PermissionDenied
    caps = group_capabilities(user=actor, group=group, membership=membership, org=org_get())
    require(invitation_cancel_allowed(user=actor, invitation=invitation, caps=caps))
    if invitation.status != Invitation.Status.SENT:
        raise ValidationError("Only a pending invitation can be canceled.", code="not_pending")
    invitation.status = Invitation.Status.CANCELED
    invitation.canceled_at = timezone.now()
    invitation.token_hash = None
    invitation.save(update_fields=["status", "canceled_at", "token_hash"])
    _audit(
        actor=actor,
        action="invitation.canceled",
        verb="Canceled the invitation of",
        invitation=invitation,
        group=group,
    ).save()
    return invitation
