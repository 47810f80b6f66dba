"""Invitation emails, sent off the request path by Django's tasks framework.

Tasks receive invitation and user IDs only. The raw Join Now token is created
here, right before the email that carries it, so it never sits in the queue,
the database or a log line.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from chatterorg.mail import email_send
from chatterorg.selectors import org_get
from chatterorg.tokens import token_new
from groups.models import Group
from invitations.models import Invitation

logger = logging.getLogger(__name__)


def quote(text: str) -> str:
    """An email-style quote of a message: each line prefixed with "> "."""
    return "\n".join(f"> {line}" for line in text.splitlines())


def join_url(raw_token: str) -> str:
    return settings.SITE_URL + reverse("join:open", kwargs={"token": raw_token})


@task
def invitation_emails_send(invitation_ids: list[int]) -> None:
    """Send the Join Now email of each invitation still waiting for it."""
    for invitation_id in invitation_ids:
        invitation_email_deliver(invitation_id=invitation_id)


def invitation_email_deliver(*, invitation_id: int) -> None:
    """Create the invitation's token, store its hash, and email the link.

    A send is claimed by setting ``token_hash`` under a row lock, so a second
    run of the same task skips it. If sending fails, the hash is cleared (no
    usable link exists) and the error is recorded for managers to see. Every
    update after the send is conditional on the hash still being ours: a
    Resend or Cancel in the meantime wins.
    """
    raw, digest = token_new()
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .filter(
                pk=invitation_id,
                status=Invitation.Status.SENT,
                delivery_status=Invitation.Delivery.QUEUED,
                token_hash__isnull=True,
            )
            .first()
        )
        if invitation is None:
            return  # Canceled, accepted, already delivered, or being delivered.
        refusal = _not_deliverable(invitation)
        if refusal:
            invitation.delivery_status = Invitation.Delivery.FAILED
            invitation.delivery_error = refusal
            invitation.save(update_fields=["delivery_status", "delivery_error"])
            return
        invitation.token_hash = digest
        invitation.delivery_attempts += 1
        invitation.save(update_fields=["token_hash", "delivery_attempts"])

    invitation = Invitation.objects.select_related("group", "inviter").get(pk=invitation_id)
    mine = Invitation.objects.filter(pk=invitation_id, token_hash=digest)
    org = org_get()
    coworker = invitation.kind == Invitation.Kind.COWORKER
    # A coworker joins the org; a customer joins one group.
    joins = org.name if coworker else invitation.invited_group.name
    try:
        email_send(
            to=invitation.email,
            subject=f"{invitation.inviter.name} invited you to join {joins} in Chatter",
            template="coworker_invitation" if coworker else "invitation",
            context={
                "invitation": invitation,
                "inviter": invitation.inviter,
                "group": invitation.group,
                "org": org,
                "message": invitation.message,
                "quoted_message": quote(invitation.message),
                "join_url": join_url(raw),
                "expires_at": invitation.expires_at,
            },
        )
    except Exception as error:
        # The message of some errors (a failed URL reverse, say) could quote the
        # token: record and log only a redacted text, without the traceback.
        detail = f"{type(error).__name__}: {error}".replace(raw, "[token]")[:500]
        mine.update(
            token_hash=None, delivery_status=Invitation.Delivery.FAILED, delivery_error=detail
        )
        logger.warning("Invitation %s: email not sent: %s", invitation_id, detail)
        return
    mine.update(
        delivery_status=Invitation.Delivery.SENT,
        delivery_error="",
        delivered_at=timezone.now(),
    )


def _not_deliverable(invitation: Invitation) -> str:
    """Why a link must not go out now (it could not be redeemed), or ""."""
    org = org_get()
    if Invitation.objects.redeemable(org=org).filter(pk=invitation.pk).exists():
        return ""
    # Which part of the rule failed, for the "last delivery" shown to managers.
    if invitation.kind == Invitation.Kind.COWORKER:
        if invitation.is_expired:
            return "Not sent: the invitation had expired."
        if not org.allow_coworker_invitations:
            return "Not sent: coworker invitations are turned off."
        return "Not sent: the address is no longer in a company domain."
    if not org.allow_customer_invitations:
        return "Not sent: customer invitations are turned off."
    if invitation.is_expired:
        return "Not sent: the invitation had expired."
    return "Not sent: the group no longer allows customers."


@task
def member_added_notices_send(
    group_id: int, user_ids: list[int], actor_id: int, message: str = ""
) -> None:
    """Tell each user, still a member, that ``actor`` added them to the group."""
    group = Group.objects.filter(pk=group_id).first()
    actor = User.objects.filter(pk=actor_id).first()
    if group is None or actor is None:
        return
    members = User.objects.filter(
        Q(pk__in=user_ids), Q(is_active=True), memberships__group=group
    ).distinct()
    group_url = settings.SITE_URL + reverse("groups:detail", args=[group.pk])
    for user in members:
        try:
            email_send(
                to=user.email,
                subject=f"{actor.name} added you to {group.name} in Chatter",
                template="member_added",
                context={
                    "actor": actor,
                    "group": group,
                    "user": user,
                    "message": message,
                    "quoted_message": quote(message),
                    "group_url": group_url,
                },
            )
        except Exception as error:
            # A notice is a courtesy: one failure must not stop the others.
            logger.warning("Member-added notice to user %s not sent: %s", user.pk, error)
