"""Customer invitations to Chatter groups, and the support references of failed sign-ups."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import EMAIL_KEY_LENGTH, email_key
from chatterorg.models import Organization
from groups.models import Group


def invitation_email_key(address: str) -> str:
    """``email_key``, or the address lower-cased if it is no valid IDN (invites refuse those)."""
    try:
        return email_key(address)
    except ValueError:
        return address.strip().lower()


def company_address_q(org: Organization, field: str = "email_key") -> Q:
    """Addresses (their ``email_key``) in one of the org's company domains, as a filter."""
    matches = Q(pk__in=[])
    for pattern in org.company_domain_patterns:
        suffix = pattern[1:] if pattern.startswith("*.") else "@" + pattern
        matches |= Q(**{f"{field}__endswith": suffix})
    return matches


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def bulk_create(  # type: ignore[override]  # the stubs' generic signature, narrowed
        self, objs: Iterable[Invitation], *args: Any, **kwargs: Any
    ) -> list[Invitation]:
        """Insert as ``save`` does: ``email_key`` and ``email_domain`` follow each ``email``."""
        rows = list(objs)
        for row in rows:
            row.address_keys_fill()
        return super().bulk_create(rows, *args, **kwargs)  # type: ignore[arg-type,return-value]

    def redeemable(self, *, org: Organization) -> InvitationQuerySet:
        """Invitations whose Join Now link works right now: the one place this rule lives.

        Status Sent, not past ``expires_at`` (valid up to and including that
        instant), and: for a customer invitation, the org allows customer
        invitations and the group is still Private or Unlisted with "Allow
        Customers"; for a coworker invitation, the org allows coworker
        invitations and the address is still in one of the company's domains.
        """
        allowed = Q(pk__in=[])
        if org.allow_customer_invitations:
            allowed |= Q(kind=Invitation.Kind.CUSTOMER) & Group.takes_customers_q("group__")
        if org.allow_coworker_invitations:
            allowed |= Q(kind=Invitation.Kind.COWORKER) & company_address_q(org)
        return self.filter(allowed, status=Invitation.Status.SENT, expires_at__gte=timezone.now())


class Invitation(models.Model):
    """An invitation of one email address to one group (CollaborationInvitation).

    The raw token exists only in the email; ``token_hash`` is its SHA-256 and
    is set by the task that sends the email. At most one invitation per group
    and address is pending (status Sent) at a time; addresses are the same when
    their ``email_key`` is (case, IDN spellings), as for users.
    """

    class Status(models.TextChoices):
        SENT = "Sent", "Sent"
        ACCEPTED = "Accepted", "Accepted"
        CANCELED = "Canceled", "Canceled"

    class Kind(models.TextChoices):
        CUSTOMER = "customer", "Customer"
        # A coworker in a company domain, invited from People: no group, a Chatter Free user.
        COWORKER = "coworker", "Coworker"

    class Delivery(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CUSTOMER)
    # Every customer invitation has its group; a coworker invitation has none.
    group = models.ForeignKey(
        "groups.Group",
        on_delete=models.CASCADE,
        related_name="invitations",
        null=True,
        blank=True,
    )
    email = models.EmailField(max_length=240)
    # ``accounts.models.email_key(email)``: set by ``save`` and ``bulk_create``; NULL only
    # for old rows whose key clashed when it was introduced (migration 0005).
    email_key = models.CharField(max_length=EMAIL_KEY_LENGTH, null=True, blank=True, editable=False)
    # The domain of ``email_key`` (IDNA, lower case), kept with it: Setup › Invitations
    # filters on it through an index, where a LIKE '%@domain' would read every row.
    email_domain = models.CharField(max_length=EMAIL_KEY_LENGTH, blank=True, editable=False)
    inviter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations_sent"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SENT)
    message = models.CharField(max_length=255, blank=True)
    # From a bulk invite's file: the sign-up form starts with them.
    first_name = models.CharField(max_length=40, blank=True)
    last_name = models.CharField(max_length=80, blank=True)
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
    # When the reminder before expiry was claimed (``invitations.lifecycle``); a resend clears it.
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "email_key"],
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
            models.CheckConstraint(
                condition=Q(kind="customer", group__isnull=False)
                | Q(kind="coworker", group__isnull=True),
                name="invitation_group_by_kind",
            ),
            models.UniqueConstraint(
                fields=["email_key"],
                condition=Q(status="Sent", kind="coworker"),
                name="invitation_one_pending_coworker_per_address",
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
            # Setup › Invitations, newest first over the whole org.
            models.Index(fields=["-sent_at", "-id"], name="invitation_newest_idx"),
            # Its counts per status (Sent and Expired split at the expiry), each capped, read
            # off these indexes alone: over the org, and within one email domain.
            models.Index(fields=["status", "expires_at"], name="invitation_status_expires_idx"),
            models.Index(
                fields=["email_domain", "status", "expires_at"], name="invitation_domain_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.group or 'coworker'}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Keep ``email_key`` and ``email_domain`` in step with ``email`` on every save that
        writes the email."""
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "email" in update_fields:
            self.address_keys_fill()
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "email_key", "email_domain"}
        super().save(*args, **kwargs)

    def address_keys_fill(self) -> None:
        """Derive ``email_key`` and ``email_domain`` from ``email``."""
        self.email_key = invitation_email_key(self.email)
        self.email_domain = self.email_key.rpartition("@")[2]

    @property
    def invited_group(self) -> Group:
        """The group of a customer invitation (each has one: ``invitation_group_by_kind``)."""
        if self.group is None:
            raise ValueError("A coworker invitation has no group.")
        return self.group

    @property
    def invited_group_id(self) -> int:
        if self.group_id is None:
            raise ValueError("A coworker invitation has no group.")
        return self.group_id

    @property
    def is_expired(self) -> bool:
        return timezone.now() > self.expires_at

    @property
    def display_status(self) -> str:
        """Sent, Accepted, Canceled, or Expired (computed from the expiry time)."""
        if self.status == self.Status.SENT and self.is_expired:
            return "Expired"
        return self.get_status_display()


def new_support_number() -> str:
    """A number shaped like Salesforce's: ``NNNNNNNNNN-NNNNN (NNNNNNNNNN)``."""
    return (
        f"{secrets.randbelow(9 * 10**9) + 10**9}-{secrets.randbelow(9 * 10**4) + 10**4}"
        f" ({secrets.randbelow(9 * 10**9) + 10**9})"
    )


class SupportReference(models.Model):
    """What went wrong behind a Join Now "problem with our server" page, for admins to look up."""

    class Kind(models.TextChoices):
        VALIDATION_RULE = "validation_rule", "Validation rule"
        EXCEPTION = "exception", "Unexpected error"
        # The rule did not fire: its formula failed to run (division by zero, a limit...).
        EVALUATION_ERROR = "evaluation_error", "Validation rule could not be evaluated"

    number = models.CharField(max_length=40, unique=True, default=new_support_number)
    created_at = models.DateTimeField(auto_now_add=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    rule = models.ForeignKey(
        "accounts.ValidationRule",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="support_references",
    )
    rule_name = models.CharField(max_length=40, blank=True)
    rule_formula = models.TextField(blank=True)
    rule_message = models.CharField(max_length=255, blank=True)
    exception_type = models.CharField(max_length=200, blank=True)
    traceback = models.TextField(blank=True)
    invitation = models.ForeignKey(
        Invitation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    group = models.ForeignKey(
        "groups.Group", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.number


class RetiredLink(models.Model):
    """A Join Now link that stopped working because it did its job or was replaced:
    the invitation was accepted with it, or a resend or reminder sent a newer one.

    Only the hash is kept, like the live one's. It lets an old link explain itself
    ("You've already joined", "A newer invitation was sent to you"); canceled and
    expired links are never recorded, so they keep the one "no longer valid" page.
    """

    class Reason(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        SUPERSEDED = "superseded", "Superseded"

    token_hash = models.CharField(max_length=64, unique=True)
    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=10, choices=Reason.choices)
    retired_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.reason} link of invitation {self.invitation_id}"


def links_retire(invitations: Iterable[Invitation], *, reason: str) -> None:
    """Remember the current links of these invitations (as read, locked, by the caller) as
    retired, in the transaction that clears them: one insert, none without links."""
    RetiredLink.objects.bulk_create(
        [
            RetiredLink(token_hash=inv.token_hash, invitation_id=inv.pk, reason=reason)
            for inv in invitations
            if inv.token_hash
        ],
        ignore_conflicts=True,
    )
