"""Coworker invitations ("Allow Coworker Invitations"): People › Invite Coworkers.

A coworker is invited to the org, not to a group, and only at an address in
one of the company's email domains; the invitee signs up as a Chatter Free
user. The invitation is an ``Invitation`` of kind coworker, so tokens, expiry,
Resend, Cancel, the audit trail and Setup › Invitations are the customers' own.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from chatterorg.domains import address_domain, domain_matches
from chatterorg.models import AuditEvent, Licence
from chatterorg.selectors import org_get
from invitations.access import coworker_invite_allowed
from invitations.actions import (
    InviteOutcome,
    InviteRequest,
    _audit_of_org,
    _count,
    _daily_limit_check,
    _emails_enqueue,
    _resend_fields,
    invite_expiry,
)
from invitations.models import Invitation, RetiredLink, invitation_email_key, links_retire

# What the Invite Coworkers page says for each outcome.
COWORKER_OUTCOME_LABELS: dict[str, str] = {
    "Invited": "Invited",
    "Resent": "Invitation resent",
    "NoActionNeededUser": "Already a user of the org",
    "DeactivatedUser": "This person's user is deactivated. Ask your administrator to "
    "reactivate it.",
}


@transaction.atomic
def coworker_invitations_send(*, actor: User, invite: InviteRequest) -> list[InviteOutcome]:
    """Invite each address as a coworker; one outcome per address, in order.

    All or nothing: PermissionDenied if the actor may not invite coworkers;
    ValidationError if an address is outside the company's domains, the expiry
    is out of range, no Chatter Free licence is left for a new invitee, or the
    daily limit would be passed. An address with an active user needs nothing;
    a pending coworker invitation is sent again. Bounded queries.
    """
    org = org_get()
    if not coworker_invite_allowed(user=actor, org=org):
        raise PermissionDenied
    expiry = invite_expiry(invite=invite, org=org)
    patterns = org.company_domain_patterns
    keys = [invitation_email_key(email) for email in invite.emails]
    outside = [
        email
        for email, key in zip(invite.emails, keys, strict=True)
        if not domain_matches(address_domain(key), patterns)
    ]
    if outside:
        raise ValidationError(
            {
                "addresses": ValidationError(
                    "Not in your company's email domains (%(domains)s): %(emails)s. Invite "
                    "customers to a group instead.",
                    code="not_company_domain",
                    params={"domains": ", ".join(patterns), "emails": ", ".join(outside)},
                )
            }
        )
    users = {user.email_key: user for user in User.objects.filter(email_key__in=keys)}
    pending = {
        inv.email_key: inv
        for inv in Invitation.objects.select_for_update().filter(
            kind=Invitation.Kind.COWORKER, status=Invitation.Status.SENT, email_key__in=keys
        )
    }
    now = timezone.now()
    outcomes: list[InviteOutcome] = []
    new: list[Invitation] = []
    resent: list[Invitation] = []
    for email, key in zip(invite.emails, keys, strict=True):
        user = users.get(key)
        if user is not None:
            outcomes.append(
                InviteOutcome(
                    email=email,
                    status="NoActionNeededUser" if user.is_active else "DeactivatedUser",
                    user_id=user.pk,
                )
            )
        elif key in pending:
            resent.append(pending[key])
            outcomes.append(InviteOutcome(email=email, status="Resent"))
        else:
            new.append(
                Invitation(
                    kind=Invitation.Kind.COWORKER,
                    email=email,
                    email_key=key,
                    inviter_id=actor.pk,
                    message=invite.message,
                    sent_at=now,
                    expires_at=now + expiry,
                )
            )
            outcomes.append(InviteOutcome(email=email, status="Invited"))
    if new:
        licence = Licence.objects.filter(name=Licence.Name.CHATTER_FREE).first()
        if licence is None or licence.remaining <= 0:
            raise ValidationError(
                "No Chatter Free licenses are left, so new coworkers can't be invited.",
                code="no_licences",
            )
    _daily_limit_check(actor=actor, org=org, now=now, new=len(new), resent=resent)

    Invitation.objects.bulk_create(new)
    if resent:
        links_retire(resent, reason=RetiredLink.Reason.SUPERSEDED)
        Invitation.objects.filter(pk__in=[inv.pk for inv in resent]).update(
            **_resend_fields(actor=actor, now=now, expires_at=now + expiry),
            message=invite.message,
        )
    events: list[AuditEvent] = []
    for action, rows, verb in (
        ("invitation.sent", new, "Invited"),
        ("invitation.resent", resent, "Resent the invitation of"),
    ):
        if rows:
            events.append(
                _audit_of_org(
                    actor=actor,
                    action=action,
                    summary=f"{verb} {_count(len(rows), 'coworker', 'coworkers')}",
                    emails=[inv.email for inv in rows],
                )
            )
    AuditEvent.objects.bulk_create(events)
    by_email = {inv.email: inv.pk for inv in [*new, *resent]}
    _emails_enqueue([inv.pk for inv in new] + [inv.pk for inv in resent])
    return [
        InviteOutcome(
            email=o.email,
            status=o.status,
            user_id=o.user_id,
            invitation_id=by_email.get(o.email),
        )
        for o in outcomes
    ]
