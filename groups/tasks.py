"""Join request emails, sent off the request path: to the group's owner and managers when
someone asks to join, and to the requester when the request is answered."""

from __future__ import annotations

import logging

from django.conf import settings
from django.tasks import task
from django.urls import reverse

from accounts.models import User
from chatterorg.mail import email_send
from chatterorg.selectors import org_get
from groups.models import JoinRequest, Membership

logger = logging.getLogger(__name__)


@task
def join_request_notices_send(*, join_request_id: int) -> None:
    """Tell each active owner and manager of the group that someone asks to join."""
    join_request = (
        JoinRequest.objects.select_related("group", "user").filter(pk=join_request_id).first()
    )
    if join_request is None or join_request.status != JoinRequest.Status.PENDING:
        return
    group = join_request.group
    managers = User.objects.filter(
        is_active=True,
        memberships__group=group,
        memberships__role__in=[Membership.Role.OWNER, Membership.Role.MANAGER],
    ).distinct()
    group_url = settings.SITE_URL + reverse("groups:detail", args=[group.pk])
    for manager in managers:
        try:
            email_send(
                to=manager.email,
                subject=f"{join_request.user.name} asked to join {group.name}",
                template="join_request",
                context={
                    "manager": manager,
                    "requester": join_request.user,
                    "group": group,
                    "group_url": group_url,
                    "org": org_get(),
                },
            )
        except Exception as error:
            logger.warning("Join request notice to user %s not sent: %s", manager.pk, error)


@task
def join_request_decision_send(*, join_request_id: int) -> None:
    """Tell the requester that their request was approved or declined."""
    join_request = (
        JoinRequest.objects.select_related("group", "user").filter(pk=join_request_id).first()
    )
    if join_request is None or join_request.status == JoinRequest.Status.PENDING:
        return
    approved = join_request.status == JoinRequest.Status.ACCEPTED
    group = join_request.group
    try:
        email_send(
            to=join_request.user.email,
            subject=(
                f"You joined {group.name}"
                if approved
                else f"Your request to join {group.name} was declined"
            ),
            template="join_request_decided",
            context={
                "requester": join_request.user,
                "group": group,
                "approved": approved,
                "group_url": settings.SITE_URL + reverse("groups:detail", args=[group.pk]),
                "org": org_get(),
            },
        )
    except Exception as error:
        logger.warning("Join request answer %s not sent: %s", join_request_id, error)
