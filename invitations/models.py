"""Customer invitations to Chatter groups."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone


class Invitation(models.Model):
    """An invitation of one email address to one group (CollaborationInvitation).

    The raw token exists only in the email; ``token_hash`` is its SHA-256 and
    is set by the task that sends the email. At most one invitation per group
    and address is pending (status Sent) at a time.
    """

    class Status(models.TextChoices):
        SENT = "Sent", "Sent"
        ACCEPTED = "Accepted", "Accepted"
        CANCELED = "Canceled", "Canceled"

    class Delivery(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    group = models.ForeignKey("groups.Group", on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(max_length=240)
    inviter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations_sent"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SENT)
    message = models.CharField(max_length=255, blank=True)
    sent_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    canceled_at = models.DateTimeField(null=True, blank=True)
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    delivery_status = models.CharField(
        max_length=10, choices=Delivery.choices, default=Delivery.QUEUED
    )
    delivery_error = models.CharField(max_length=500, blank=True)
    delivery_attempts = models.PositiveSmallIntegerField(default=0)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                "group",
                Lower("email"),
                condition=Q(status="Sent"),
                name="invitation_one_pending_per_address",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["Sent", "Accepted", "Canceled"]),
                name="invitation_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="Accepted") | Q(accepted_user__isnull=False),
                name="invitation_accepted_has_user",
            ),
        ]
        indexes = [
            models.Index(fields=["group", "status"], name="invitation_group_status_idx"),
            # The pending list, newest first: a page is read off the index, however many wait.
            models.Index(
                fields=["group", "-sent_at", "-id"],
                condition=Q(status="Sent"),
                name="invitation_pending_idx",
            ),
            models.Index(fields=["inviter", "sent_at"], name="invitation_inviter_sent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.group}"

    @property
    def is_expired(self) -> bool:
        return timezone.now() > self.expires_at

    @property
    def display_status(self) -> str:
        """Sent, Accepted, Canceled, or Expired (computed from the expiry time)."""
        if self.status == self.Status.SENT and self.is_expired:
            return "Expired"
        return self.get_status_display()
