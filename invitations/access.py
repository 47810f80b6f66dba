"""Which invitation a link redeems, and who may resend or cancel one: the one place these
rules live."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User
from accounts.permissions import Perm, user_has_perm
from chatterorg.models import Organization
from chatterorg.selectors import org_get
from chatterorg.tokens import LinkSession, token_lookup_hash, token_matches
from groups.access import GroupCapabilities
from invitations.models import Invitation, RetiredLink, invitation_email_key

JOIN_SESSION_KEY = "join_invitation"


class InvitationNotRedeemable(Exception):
    """The invitation is unknown, used, canceled, expired, or customers are off."""

    def __init__(self, *, already_accepted: bool = False) -> None:
        super().__init__("This invitation is no longer valid.")
        # Only for the person who holds the token (their session): a second
        # submit of an accepted invitation is sent to the login page.
        self.already_accepted = already_accepted


class CustomerAccountExists(Exception):
    """A customer already holds the invitation's address: no second account is made."""

    def __init__(self, *, customer: User) -> None:
        super().__init__("You already have an account.")
        self.customer = customer


def customer_for_address(email: str) -> User | None:
    """The customer, active or not, who holds ``email`` (by ``email_key``), or None.

    At most one exists (``user_one_customer_per_email``). A second invitation
    of that address is accepted by logging in as them, never by signing up.
    """
    return (
        User.objects.filter(
            email_key=invitation_email_key(email), user_type=User.UserType.CHATTER_GUEST
        )
        .order_by("pk")
        .first()
    )


def invitation_names_customer(*, invitation: Invitation, user: User) -> bool:
    """``user`` is the active customer an invitation's address belongs to."""
    return (
        user.is_active
        and user.is_customer
        and user.email_key is not None
        and user.email_key == invitation_email_key(invitation.email)
    )


def _redeemable(org: Organization) -> QuerySet[Invitation]:
    return Invitation.objects.redeemable(org=org).select_related("group", "inviter")


def invitation_for_token(raw: str, *, org: Organization | None = None) -> Invitation | None:
    """The invitation an emailed token redeems right now, or None.

    Every case of "no" answers None alike, so the join page shows one "no
    longer valid" message.
    """
    digest = token_lookup_hash(raw)
    if digest is None:
        return None
    invitation = _redeemable(org or org_get()).filter(token_hash=digest).first()
    if invitation is None or not token_matches(invitation.token_hash, digest):
        return None
    return invitation


def invitation_redeemable_get(
    *, invitation_id: int, token_hash: str, org: Organization, lock: bool = False
) -> Invitation:
    """The invitation a session holds, if its link still works (InvitationNotRedeemable).

    ``lock`` takes its row lock until the end of the transaction.
    """
    invitations = _redeemable(org)
    if lock:
        invitations = invitations.select_for_update(of=("self",))
    invitation = invitations.filter(pk=invitation_id).first()
    if invitation is None or not token_matches(invitation.token_hash, token_hash):
        accepted = Invitation.objects.filter(
            pk=invitation_id, status=Invitation.Status.ACCEPTED
        ).exists()
        raise InvitationNotRedeemable(already_accepted=accepted)
    return invitation


def invitation_for_link(link: LinkSession | None, *, org: Organization) -> Invitation | None:
    """The invitation kept in the session, if it can still be redeemed."""
    if link is None:
        return None
    try:
        return invitation_redeemable_get(
            invitation_id=link.object_id, token_hash=link.token_hash, org=org
        )
    except InvitationNotRedeemable:
        return None


def invitation_cancel_allowed(
    *, user: User, invitation: Invitation, caps: GroupCapabilities
) -> bool:
    """The group's managers ("Add/Remove Members") cancel any pending invitation; its
    sender cancels their own while they can still see the group (``caps`` exist)."""
    return caps.manage_members or invitation.inviter_id == user.pk


def coworker_invite_allowed(*, user: User, org: Organization) -> bool:
    """Who sees "Invite Coworkers": any active internal user, while the org allows it
    and has company email domains."""
    return (
        org.allow_coworker_invitations
        and bool(org.company_domain_patterns)
        and user.is_active
        and not user.is_customer
    )


def invitation_change_allowed(
    *, user: User, invitation: Invitation, org: Organization, resend: bool
) -> bool:
    """Who may Resend (``resend``) or Cancel an invitation away from its group's pages.

    A user with "Manage Users" acts on every invitation of the org (Setup ›
    Invitations). Anyone else only on a coworker invitation they sent (People ›
    Invite Coworkers): Cancel always, Resend while they may still invite coworkers.
    Customers never.
    """
    if not user.is_active or user.is_customer:
        return False
    if user_has_perm(user, Perm.MANAGE_USERS):
        return True
    if invitation.kind != Invitation.Kind.COWORKER or invitation.inviter_id != user.pk:
        return False
    return not resend or coworker_invite_allowed(user=user, org=org)


def retired_link_for_token(raw: str, *, org: Organization) -> tuple[str, Invitation] | None:
    """What an old link of a real invitation may say, or None (the uniform page).

    ``("accepted", invitation)``: the invitation was accepted (with this link or a
    newer one): "You've already joined". ``("superseded", invitation)``: a resend
    or reminder sent a newer link, and the invitation can still be redeemed. Any
    other link (unknown, malformed, expired, canceled, customers turned off)
    answers None, so it gets the one "no longer valid" page.
    """
    digest = token_lookup_hash(raw)
    if digest is None:
        return None
    link = (
        RetiredLink.objects.select_related(
            "invitation__group", "invitation__accepted_user", "invitation__inviter"
        )
        .filter(token_hash=digest)
        .first()
    )
    if link is None or not token_matches(link.token_hash, digest):
        return None
    invitation = link.invitation
    if invitation.status == Invitation.Status.ACCEPTED and invitation.accepted_user is not None:
        return "accepted", invitation
    if (
        link.reason == RetiredLink.Reason.SUPERSEDED
        and Invitation.objects.redeemable(org=org).filter(pk=invitation.pk).exists()
    ):
        return "superseded", invitation
    return None
