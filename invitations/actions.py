"""Every write of invitations: send, resend, cancel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.models import User
from chatterorg.models import AuditEvent, Licence
from chatterorg.selectors import org_get
from groups.access import can_see_group, group_capabilities, membership_get, require
from groups.actions import membership_add
from groups.models import Group, Membership
from invitations.addresses import MAX_ADDRESSES, address_normalise
from invitations.models import Invitation
from invitations.tasks import invitation_emails_send, member_added_notices_send

if TYPE_CHECKING:
    from datetime import datetime

    from chatterorg.models import Organization

AUDIT_SECTION = "Chatter Invitations"
MAX_MESSAGE_LENGTH = 255
AUDIT_DISPLAY_LENGTH = 500  # AuditEvent.display

OutcomeStatus = Literal["Invited", "ActedUponUser", "NoActionNeededUser", "Resent"]

# What the invite page says for each status (the statuses are Salesforce's API names).
OUTCOME_LABELS: dict[str, str] = {
    "Invited": "Invited",
    "ActedUponUser": "Added to the group",
    "NoActionNeededUser": "Already a member",
    "Resent": "Invitation resent",
}


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


def _may_invite(*, actor: User, group: Group, org: Organization) -> bool:
    membership = membership_get(user=actor, group=group)
    return group_capabilities(user=actor, group=group, membership=membership, org=org).invite


def _inviter_lock_and_count(*, actor: User, since: datetime) -> int:
    """Recipients ``actor`` invited since ``since``, with the actor's row locked.

    The lock (PostgreSQL; SQLite serialises writers anyway) makes concurrent
    requests of one inviter count one after the other, so together they cannot
    pass the daily limit.
    """
    list(User.objects.select_for_update().filter(pk=actor.pk).order_by().values_list("pk"))
    return Invitation.objects.filter(inviter=actor, sent_at__gte=since).count()


def _limit_check(*, org: Organization, used: int, adding: int) -> None:
    if adding and used + adding > org.invitations_per_day:
        left = max(org.invitations_per_day - used, 0)
        raise ValidationError(
            "You can invite at most %(limit)d people in 24 hours. You can invite %(left)d more "
            "now; this request has %(adding)d. Nothing was sent.",
            code="rate_limited",
            params={"limit": org.invitations_per_day, "left": left, "adding": adding},
        )


def _audit(
    *, actor: User, action: str, verb: str, invitation: Invitation, group: Group
) -> AuditEvent:
    return AuditEvent(
        actor=actor,
        section=AUDIT_SECTION,
        action=action,
        display=f'{verb} {invitation.email} to the group "{group.name}"'[:500],
        new_value=invitation.email,
        target_type="Invitation",
        target_id=str(invitation.pk),
    )


def _emails_enqueue(invitation_ids: list[int]) -> None:
    if invitation_ids:
        # One task for the whole batch: the request does the same work for 1 or 100.
        transaction.on_commit(lambda: invitation_emails_send.enqueue(invitation_ids=invitation_ids))


@transaction.atomic
def invitations_send(
    *, actor: User, group: Group, addresses: list[str], message: str
) -> list[InviteOutcome]:
    """Invite each address to ``group``; one outcome per distinct address, in order.

    All or nothing: if the actor may not invite (PermissionDenied) or any
    check fails (ValidationError: addresses, message, daily limit, licences),
    nothing is written and nothing is sent. The number of queries does not
    depend on the number of new or pending addresses. The Setup Audit Trail
    gets one event for the request's new invitations and one for its resent ones.
    """
    # The group row and then the inviter row are locked until the commit, to
    # serialise concurrent invites. The request's own content needs no lock:
    # read it and draft an invitation per address first, and refuse it only
    # after the permission check, as if it had been read there.
    invalid: ValidationError | None = None
    try:
        emails = _addresses_clean(addresses)
        message = _message_clean(message)
    except ValidationError as error:
        invalid, emails = error, {}
    group_id, actor_id = group.pk, actor.pk  # read once: the actor may be a lazy request.user
    drafts = [
        Invitation(group_id=group_id, email=email, inviter_id=actor_id, message=message)
        for email in emails.values()
    ]

    org = org_get()
    # Re-read the group under lock: its settings decide, not the caller's copy.
    group = Group.objects.select_for_update().get(pk=group_id)
    require(_may_invite(actor=actor, group=group, org=org))
    if invalid is not None:
        raise invalid

    now = timezone.now()
    lowered = list(emails)
    candidates = list(
        User.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower__in=lowered, is_active=True)
        .order_by("pk")
    )
    member_ids = set(
        Membership.objects.filter(group=group, user__in=candidates).values_list(
            "user_id", flat=True
        )
    )
    # Several users may share an address: one who is already a member wins,
    # otherwise the oldest user is added.
    users_by_email: dict[str, User] = {}
    for candidate in candidates:
        key = candidate.email_lower  # type: ignore[attr-defined]
        current = users_by_email.get(key)
        if current is None or (candidate.pk in member_ids and current.pk not in member_ids):
            users_by_email[key] = candidate
    pending: dict[str, Invitation] = {
        invitation.email_lower: invitation  # type: ignore[attr-defined]
        for invitation in Invitation.objects.select_for_update()
        .annotate(email_lower=Lower("email"))
        .filter(group=group, status=Invitation.Status.SENT, email_lower__in=lowered)
    }

    # One pass decides each address: the user it names, else its pending
    # invitation (resent), else its draft (a new invitation).
    statuses: list[OutcomeStatus] = []
    users: list[User | None] = []
    invitations: list[Invitation | None] = []
    new: list[Invitation] = []
    resent: list[Invitation] = []
    added: list[User] = []
    for key, draft in zip(lowered, drafts, strict=True):
        status: OutcomeStatus
        user = users_by_email.get(key)
        invitation: Invitation | None = None
        if user is None:
            invitation = pending.get(key)
            if invitation is None:
                status, invitation = "Invited", draft
                new.append(draft)
            else:
                status = "Resent"
                resent.append(invitation)
        elif user.pk in member_ids:
            status = "NoActionNeededUser"
        else:
            status = "ActedUponUser"
            added.append(user)
        statuses.append(status)
        users.append(user)
        invitations.append(invitation)

    if new:
        licences = Licence.objects.filter(name=Licence.Name.CHATTER_EXTERNAL).first()
        if licences is None or licences.remaining <= 0:
            raise ValidationError(
                "No Chatter External licences are left, so new customers can't be invited: "
                "%(emails)s. People who already have a user can still be added.",
                code="no_licences",
                params={"emails": ", ".join(draft.email for draft in new)},
            )
    since = now - timedelta(hours=24)
    used = _inviter_lock_and_count(actor=actor, since=since)
    # A resend of an invitation already counted in the window is not a new recipient.
    adding = len(new) + sum(
        1 for inv in resent if inv.inviter_id != actor_id or inv.sent_at < since
    )
    _limit_check(org=org, used=used, adding=adding)

    # Every check passed: write.
    expires_at = now + timedelta(days=org.invitation_expiry_days)
    for draft in new:
        draft.sent_at = now
        draft.expires_at = expires_at
    Invitation.objects.bulk_create(new)
    if resent:
        # The old links die in this transaction: the task makes new ones.
        Invitation.objects.filter(pk__in=[inv.pk for inv in resent]).update(
            **_resend_fields(actor=actor, now=now, expires_at=expires_at), message=message
        )
    if added:
        # Adding a user is the groups app's write; the actor's right to do it
        # here comes from "Invite People", checked above.
        for user in added:
            membership_add(actor=actor, group=group, user=user, check_permission=False)
        added_ids = [user.pk for user in added]
        transaction.on_commit(
            lambda: member_added_notices_send.enqueue(
                group_id=group.pk, user_ids=added_ids, actor_id=actor.pk, message=message
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

    return [
        InviteOutcome(
            email=email,
            status=status,
            user_id=user.pk if user is not None else None,
            invitation_id=invitation.pk if invitation is not None else None,
        )
        for email, status, user, invitation in zip(
            emails.values(), statuses, users, invitations, strict=True
        )
    ]


def _addresses_clean(addresses: list[str]) -> dict[str, str]:
    """Normalised, distinct addresses in order, keyed by their lower-case form.

    ValidationError lists each invalid one. The first spelling of an address wins.
    """
    emails: dict[str, str] = {}
    errors: list[ValidationError] = []
    for raw in addresses:
        try:
            email = address_normalise(raw)
        except ValidationError as error:
            errors.append(error)
            continue
        emails.setdefault(email.lower(), email)
    if errors:
        raise ValidationError(errors)
    if not emails:
        raise ValidationError("Enter at least one email address.", code="required")
    if len(emails) > MAX_ADDRESSES:
        raise ValidationError(
            "You can invite at most %(limit)d people at a time.",
            code="too_many",
            params={"limit": MAX_ADDRESSES},
        )
    return emails


def _message_clean(message: str) -> str:
    message = message.strip()
    if len(message) > MAX_MESSAGE_LENGTH:
        raise ValidationError(
            "The message can have at most %(limit)d characters.",
            code="message_too_long",
            params={"limit": MAX_MESSAGE_LENGTH},
        )
    return message


def _count(number: int, singular: str, plural: str) -> str:
    return f"{number} {singular if number == 1 else plural}"


def _audit_of_request(
    *, actor: User, action: str, summary: str, emails: list[str], group: Group
) -> AuditEvent:
    """One audit event for every address of a request that had the same change.

    ``new_value`` lists every address; ``display`` lists as many as fit in its
    length and ends with "…and N more" for the rest.
    """
    return AuditEvent(
        actor=actor,
        section=AUDIT_SECTION,
        action=action,
        display=_listing(f'{summary} to the group "{group.name}": ', emails, AUDIT_DISPLAY_LENGTH),
        new_value=", ".join(emails),
        target_type="Group",
        target_id=str(group.pk),
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
    }


@transaction.atomic
def invitation_resend(*, actor: User, invitation: Invitation) -> Invitation:
    """Send a pending invitation again: a new link, the old one dead at once, expiry restarted.

    Needs "Invite People" on the group (PermissionDenied otherwise) and counts
    against the actor's daily limit like a new invitation.
    """
    org = org_get()
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    group = Group.objects.get(pk=invitation.group_id)
    require(_may_invite(actor=actor, group=group, org=org))
    if invitation.status != Invitation.Status.SENT:
        raise ValidationError("Only a pending invitation can be resent.", code="not_pending")
    now = timezone.now()
    since = now - timedelta(hours=24)
    used = _inviter_lock_and_count(actor=actor, since=since)
    counted = invitation.inviter_id == actor.pk and invitation.sent_at >= since
    _limit_check(org=org, used=used, adding=0 if counted else 1)

    expires_at = now + timedelta(days=org.invitation_expiry_days)
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

    Allowed to the group's managers ("Add/Remove Members") and to the
    invitation's sender while they can still see the group.
    """
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    group = Group.objects.get(pk=invitation.group_id)
    membership = membership_get(user=actor, group=group)
    caps = group_capabilities(user=actor, group=group, membership=membership, org=org_get())
    require(
        caps.manage_members
        or (invitation.inviter_id == actor.pk and can_see_group(actor, group, membership))
    )
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
