"""The org itself: its Chatter settings, licences and audit trail."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from chatterorg.domains import (
    address_domain,
    domain_matches,
    domain_patterns_cached,
    domain_patterns_parse,
)


# The API settings start from the environment's values (API_TRUSTED_IP_RANGES,
# API_DAILY_REQUEST_LIMIT, API_SESSION_TIMEOUT); after that Setup owns them.
def trusted_ip_ranges_default() -> list[str]:
    return list(settings.API_TRUSTED_IP_RANGES)


def api_daily_request_limit_default() -> int:
    return int(settings.API_DAILY_REQUEST_LIMIT)


def session_timeout_default() -> int:
    return int(settings.API_SESSION_TIMEOUT)


SESSION_TIMEOUT_MIN = 15 * 60
SESSION_TIMEOUT_MAX = 24 * 60 * 60


class Organization(models.Model):
    """The one org of a deployment (primary key 1) with its Chatter and API settings."""

    name = models.CharField("Organization Name", max_length=80, default="Acme Corporation")
    allow_customer_invitations = models.BooleanField("Allow Customer Invitations", default=False)
    allow_coworker_invitations = models.BooleanField("Allow Coworker Invitations", default=True)
    enable_unlisted_groups = models.BooleanField("Enable Unlisted Groups", default=False)
    invitation_expiry_days = models.PositiveSmallIntegerField(
        "Invitation expiry (days)",
        default=60,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    invitations_per_day = models.PositiveIntegerField(
        "Customer invitations per inviter per 24 hours",
        default=100,
        validators=[MinValueValidator(1), MaxValueValidator(10000)],
    )
    show_validation_errors_to_customers = models.BooleanField(
        "Show validation rule errors to customers", default=False
    )
    invitation_reminders = models.BooleanField(
        "Remind invitees before an invitation expires", default=False
    )
    invitation_reminder_days = models.PositiveSmallIntegerField(
        "Days before expiry",
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    customer_access_days = models.PositiveSmallIntegerField(
        "Customer access lasts (days)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
    )
    # The org's own domains (``chatterorg.domains``): their addresses are coworkers.
    company_email_domains = models.TextField("Company Email Domains", blank=True)

    class CustomerDomainRule(models.TextChoices):
        ANY = "", "Any domain"
        ALLOW = "allow", "Only these domains"
        DENY = "deny", "Any domain except these"

    customer_domain_rule = models.CharField(
        "Customer invitation domains",
        max_length=5,
        choices=CustomerDomainRule.choices,
        default=CustomerDomainRule.ANY,
        blank=True,
    )
    customer_domains = models.TextField("Domains", blank=True)
    # Setup › Security › Network Access: API password logins from these networks
    # (CIDR, one per entry) may omit the security token.
    trusted_ip_ranges = models.JSONField(
        "Trusted IP Ranges", default=trusted_ip_ranges_default, blank=True
    )
    # Setup › Security › Session Settings: an API session ends this long after its last use.
    session_timeout_seconds = models.PositiveIntegerField(
        "Timeout Value",
        default=session_timeout_default,
        validators=[MinValueValidator(SESSION_TIMEOUT_MIN), MaxValueValidator(SESSION_TIMEOUT_MAX)],
    )
    api_daily_request_limit = models.PositiveIntegerField(
        "API Requests per 24 hours",
        default=api_daily_request_limit_default,
        validators=[MinValueValidator(1), MaxValueValidator(100_000_000)],
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="organization_singleton"),
            models.CheckConstraint(
                condition=Q(api_daily_request_limit__gte=1), name="organization_api_limit_positive"
            ),
            models.CheckConstraint(
                condition=Q(invitation_expiry_days__gte=1, invitation_expiry_days__lte=365),
                name="organization_expiry_days_range",
            ),
            models.CheckConstraint(
                condition=Q(customer_domain_rule__in=["", "allow", "deny"]),
                name="organization_customer_domain_rule_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """Domains must parse; a rule needs domains (an empty allow list would allow none)."""
        errors: dict[str, ValidationError] = {}
        for field in ("company_email_domains", "customer_domains"):
            try:
                setattr(self, field, "\n".join(domain_patterns_parse(getattr(self, field))))
            except ValidationError as exc:
                errors[field] = exc
        rule_empty = self.customer_domain_rule and not self.customer_domains
        if rule_empty and "customer_domains" not in errors:
            errors["customer_domains"] = ValidationError(
                "Enter the domains of the rule, or choose Any domain.",
                code="rule_without_domains",
            )
        if errors:
            raise ValidationError(errors)

    @property
    def company_domain_patterns(self) -> list[str]:
        return list(domain_patterns_cached(self.company_email_domains))

    def customer_domain_allowed(self, key: str) -> bool:
        """The customer domain rule lets an address (its ``email_key``) be invited."""
        if not self.customer_domain_rule:
            return True
        patterns = list(domain_patterns_cached(self.customer_domains))
        matches = domain_matches(address_domain(key), patterns)
        return (
            matches if self.customer_domain_rule == self.CustomerDomainRule.ALLOW else not matches
        )

    def is_company_address(self, key: str) -> bool:
        """An address (its ``email_key``) in one of the company's own domains."""
        return domain_matches(address_domain(key), self.company_domain_patterns)


class Licence(models.Model):
    """A user licence type with the org's total and the number in use.

    ``used`` counts active users whose profile carries this licence. It is
    changed only by conditional updates (see ``chatterorg.actions``) and the
    database refuses any value above ``total``, so concurrent sign-ups can
    never overspend.
    """

    class Name(models.TextChoices):
        SALESFORCE = "Salesforce", "Salesforce"
        CHATTER_FREE = "Chatter Free", "Chatter Free"
        CHATTER_EXTERNAL = "Chatter External", "Chatter External"

    name = models.CharField(max_length=40, choices=Name.choices, unique=True)
    total = models.PositiveIntegerField()
    used = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(used__lte=F("total")), name="licence_used_lte_total"
            ),
            models.CheckConstraint(condition=Q(used__gte=0), name="licence_used_gte_0"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def remaining(self) -> int:
        return self.total - self.used


class AuditEvent(models.Model):
    """One entry of the Setup Audit Trail: who changed what, when, old → new."""

    created_at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    section = models.CharField(max_length=60)
    action = models.CharField(max_length=60)
    display = models.CharField(max_length=500)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    target_type = models.CharField(max_length=40, blank=True)
    target_id = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The Audit Trail, newest first: a page is read off the index, however long the history.
            models.Index(fields=["-created_at", "-id"], name="audit_newest_idx"),
            models.Index(fields=["action", "-created_at"]),
        ]

    def __str__(self) -> str:
        return self.display


class ShownVersion(models.Model):
    """A counter for what a cached page fragment shows, bumped by every change to it.

    Fragment caches put the versions in their keys (``chatterorg.fragments``):
    a change bumps the version in the same transaction as the change, so the
    first request after the commit, in any process, looks for a new key and
    renders afresh. A missing row is version 0. Kept in a table of its own, not
    on the rows it describes, so that saving a stale copy of a group or of the
    org can never set a version back.
    """

    key = models.CharField(max_length=80, unique=True)
    value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key} v{self.value}"
