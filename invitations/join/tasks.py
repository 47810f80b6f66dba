"""The emails after a sign-up, sent off the request path."""

from __future__ import annotations

import logging

from django.conf import settings
from django.tasks import task
from django.urls import reverse

from accounts.models import User
from chatterorg.mail import email_send
from chatterorg.selectors import org_get
from invitations.models import Invitation

logger = logging.getLogger(__name__)


@task
def signup_emails_send(*, user_id: int, invitation_id: int, welcome: bool = True) -> None:
    """Welcome the customer (username, login address) and tell the inviter.

    ``welcome=False`` for an existing customer who accepted another invitation:
    only the inviter is told.

    A failed send is logged and does not stop the other one: the account exists already.
    """
    user = User.objects.get(pk=user_id)
    invitation = Invitation.objects.select_related("group", "inviter").get(pk=invitation_id)
    org = org_get()
    login_url = settings.SITE_URL + reverse("accounts:login")
    group_url = settings.SITE_URL + reverse(
        "groups:detail", kwargs={"group_id": invitation.group_id}
    )
    context = {
        "org_name": org.name,
        "user_name": user.name,
        "username": user.username,
        "email": user.email,
        "login_url": login_url,
        "group_name": invitation.invited_group.name,
        "group_url": group_url,
        "inviter_name": invitation.inviter.name,
    }
    emails = [
        (user.email, f"Welcome to Chatter at {org.name}", "welcome"),
        (
            invitation.inviter.email,
            f"{user.name} accepted your invitation to {invitation.invited_group.name}",
            "invitation_accepted",
        ),
    ]
    for to, subject, template in emails if welcome else emails[1:]:
        try:
            email_send(to=to, subject=subject, template=template, context=context)
        except Exception:
            logger.exception("Could not send the %s email for user %s", template, user_id)
