"""Join Now: a customer redeems an invitation and becomes a Chatter External User.

``customer_signup`` is the one write: the whole account, licence, membership and
invitation change happen in one transaction or not at all. An address that
already has a customer gets no second account: that customer logs in and
``invitation_accept_by_customer`` adds the group instead. When it fails in a
way the customer cannot fix (a validation rule, an unexpected error),
``support_reference_create`` records what happened, after the rollback, so an
admin can look it up from the number the customer sees.
"""

from __future__ import annotations

import logging
import traceback
from datetime import timedelta
from typing import Any

from django.contrib.auth.password_validation import password_changed, validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Profile, User, UserField
from accounts.security import answer_normalise, password_and_answer_hash
from accounts.validation import RuleViolation, custom_fields_clean, validation_rules_check
from chatterorg.actions import audit_record, licence_claim
from chatterorg.models import Organization
from groups.actions import membership_add
from groups.models import Membership
from invitations.access import (
    CustomerAccountExists,
    customer_for_address,
    invitation_names_customer,
    invitation_redeemable_get,
)
from invitations.join.tasks import signup_emails_send
from invitations.join.usernames import customer_username
from invitations.models import Invitation, RetiredLink, SupportReference, links_retire

logger = logging.getLogger(__name__)

# How often a username taken by a concurrent sign-up is recomputed before giving up.
USERNAME_ATTEMPTS = 5
# What a support reference keeps of the form: never the password or the answer.
SUBMITTED_FIELDS = ("email", "first_name", "last_name", "company_name", "security_question")
_TRACEBACK_FRAMES = 12
_TRACEBACK_CHARS = 6000


def signup_password_validate(
    *, password: str, first_name: str, last_name: str, company_name: str, email: str
) -> None:
    """Django's validators against an unsaved user with the sign-up's names (ValidationError)."""
    validate_password(
        password,
        User(
            first_name=first_name,
            last_name=last_name,
            company_name=company_name,
            email=email,
            username=email,
        ),
    )


def answer_validate(*, answer: str, password: str) -> None:
    """The answer is required and must not give the password away."""
    normalised = answer_normalise(answer)
    if not normalised:
        raise ValidationError("Enter an answer.", code="required")
    if password and answer_normalise(password) in normalised:
        raise ValidationError("The answer can't contain your password.", code="contains_password")


def self_signup_check(user: User, *, missing_details: str) -> None:
    """The checks of a user who signs themselves up (customer or coworker), before any write.

    The model's fields (the username is checked by the database on insert: a
    concurrent sign-up may take it; the profile was just read); custom fields take
    their defaults, since the sign-up form does not ask for them, and a required one
    without a default refuses with ``missing_details`` (an admin's setting the invitee
    cannot meet); then the active validation rules, with the new user as the running
    user (see accounts.validation).
    """
    user.full_clean(exclude=["password", "username", "profile"])
    user.custom_fields, custom_errors = custom_fields_clean(
        definitions=UserField.objects.all(), values={}, stored=None
    )
    if custom_errors:
        raise ValidationError(missing_details)
    validation_rules_check(user=user, prior=None, running_user=user)


def customer_signup(
    *,
    invitation: Invitation,
    token_hash: str,
    org: Organization,
    first_name: str,
    last_name: str,
    company_name: str,
    password: str,
    password_confirm: str,
    security_question: str,
    answer: str,
) -> User:
    """Create the customer from a redeemable invitation: all of it, or nothing.

    ``invitation`` is the one the session holds, as read by the view. The form
    is validated and the password and the answer are hashed first, outside any
    transaction. Only then is the invitation row locked (``select_for_update``
    on PostgreSQL; on SQLite the IMMEDIATE transaction already serialises
    writers) and checked again, so a double submit finds it Accepted and
    creates no second user. Raises InvitationNotRedeemable,
    CustomerAccountExists (a customer, active or not, already has the address;
    the database's ``user_one_customer_per_email`` backs this up against a
    concurrent sign-up), ValidationError (``ValidationRuleFailed`` among them)
    or NoLicenceLeft before anything is written; the licence is the first write.
    """
    profile = Profile.objects.select_related("licence").get(name=Profile.CHATTER_EXTERNAL_USER)
    first_name, last_name = first_name.strip(), last_name.strip()
    company_name = company_name.strip()
    errors: dict[str, list[str]] = {}
    if password != password_confirm:
        errors["password_confirm"] = ["The passwords don't match."]
    else:
        try:
            signup_password_validate(
                password=password,
                first_name=first_name,
                last_name=last_name,
                company_name=company_name,
                email=invitation.email,
            )
        except ValidationError as exc:
            errors["password"] = exc.messages
    try:
        answer_validate(answer=answer, password=password)
    except ValidationError as exc:
        errors["answer"] = exc.messages
    if security_question not in User.SecurityQuestion.values:
        errors["security_question"] = ["Select a security question."]
    if errors:
        raise ValidationError(errors)

    # The slow part, outside the transaction: no lock is held while hashing.
    password_hashed, answer_hashed = password_and_answer_hash(password=password, answer=answer)
    with transaction.atomic():
        invitation = invitation_redeemable_get(
            invitation_id=invitation.pk, token_hash=token_hash, org=org, lock=True
        )
        existing = customer_for_address(invitation.email)
        if existing is not None:
            raise CustomerAccountExists(customer=existing)
        user = _customer_create(
            invitation=invitation,
            org=org,
            profile=profile,
            first_name=first_name,
            last_name=last_name,
            company_name=company_name,
            password=password,
            password_hashed=password_hashed,
            security_question=security_question,
            answer_hashed=answer_hashed,
        )
    return user


def _customer_create(
    *,
    invitation: Invitation,
    org: Organization,
    profile: Profile,
    first_name: str,
    last_name: str,
    company_name: str,
    password: str,
    password_hashed: str,
    security_question: str,
    answer_hashed: str,
) -> User:
    """The writes of a sign-up, inside its transaction with the invitation locked.

    ``password_hashed`` is ``make_password(password)``; the validators hear of the
    new password once the user is saved, as ``set_password`` then ``save`` would do.
    """
    group = invitation.invited_group
    user = User(
        username=customer_username(
            invitee_email=invitation.email, inviter_email=invitation.inviter.email
        ),
        email=invitation.email,
        first_name=first_name,
        last_name=last_name,
        company_name=company_name,
        profile=profile,
        user_type=User.UserType.CHATTER_GUEST,
        security_question=security_question,
        security_answer_hash=answer_hashed,
        password=password_hashed,
        # The inviter answers for the customer; "Customer access lasts (days)" sets the end.
        sponsor=invitation.inviter,
        access_ends_on=(
            timezone.localdate() + timedelta(days=org.customer_access_days)
            if org.customer_access_days
            else None
        ),
    )
    self_signup_check(
        user,
        missing_details=(
            "Your account can't be created right now because the company requires details "
            "this page doesn't ask for. Ask the person who invited you to contact their "
            "administrator."
        ),
    )

    licence_claim(licence_id=profile.licence_id)
    _user_insert(user, invitation=invitation)
    password_changed(password, user)
    membership_add(actor=None, group=group, user=user, check_permission=False)
    invitation.status = Invitation.Status.ACCEPTED
    invitation.accepted_at = timezone.now()
    invitation.accepted_user = user
    links_retire([invitation], reason=RetiredLink.Reason.ACCEPTED)
    invitation.token_hash = None
    invitation.save(update_fields=["status", "accepted_at", "accepted_user", "token_hash"])
    audit_record(
        actor=user,
        section="Manage Users",
        action="user.created",
        display=f"Created new customer user {user.username} with profile {profile.name}",
        new=profile.name,
        target=user,
    )
    audit_record(
        actor=user,
        section="Chatter Invitations",
        action="invitation.accepted",
        display=(
            f"{invitation.email} accepted the invitation to group {group.name} as {user.username}"
        ),
        old=Invitation.Status.SENT,
        new=Invitation.Status.ACCEPTED,
        target=invitation,
    )
    # Off the request path: the welcome and "accepted" emails go through the task queue.
    transaction.on_commit(
        lambda: signup_emails_send.enqueue(user_id=user.pk, invitation_id=invitation.pk)
    )
    return user


def _user_insert(user: User, *, invitation: Invitation) -> None:
    """Insert the user; if a concurrent sign-up took the username, take the next number.

    If a concurrent sign-up (another invitation of the same address) created
    the customer first, CustomerAccountExists: this transaction rolls back.
    """
    for attempt in range(USERNAME_ATTEMPTS):
        try:
            with transaction.atomic():
                user.save()
            return
        except IntegrityError:
            existing = customer_for_address(invitation.email)
            if existing is not None:
                raise CustomerAccountExists(customer=existing) from None
            taken = User.objects.with_username(user.username).exists()
            if not taken or attempt == USERNAME_ATTEMPTS - 1:
                raise
            user.pk = None
            user.username = customer_username(
                invitee_email=invitation.email, inviter_email=invitation.inviter.email
            )


@transaction.atomic
def invitation_accept_by_customer(
    *, actor: User, invitation_id: int, token_hash: str, org: Organization
) -> Invitation:
    """The customer who holds an invitation's address accepts it by logging in.

    For a second (third…) invitation of one address: the group is added to the
    existing account; no user is created and no licence is claimed. The link
    (kept in the session) must still be redeemable (InvitationNotRedeemable)
    and ``actor`` must be the active customer with the invitation's address
    (PermissionDenied: anybody else who logs in changes nothing). If the
    customer is already a member, only the invitation changes.
    """
    invitation = invitation_redeemable_get(
        invitation_id=invitation_id, token_hash=token_hash, org=org, lock=True
    )
    if not invitation_names_customer(invitation=invitation, user=actor):
        raise PermissionDenied("This invitation is for another person.")
    group = invitation.invited_group

    if not Membership.objects.filter(group=group, user=actor).exists():
        membership_add(actor=actor, group=group, user=actor, check_permission=False)
    invitation.status = Invitation.Status.ACCEPTED
    invitation.accepted_at = timezone.now()
    invitation.accepted_user = actor
    links_retire([invitation], reason=RetiredLink.Reason.ACCEPTED)
    invitation.token_hash = None
    invitation.save(update_fields=["status", "accepted_at", "accepted_user", "token_hash"])
    audit_record(
        actor=actor,
        section="Chatter Invitations",
        action="invitation.accepted",
        display=(
            f"{invitation.email} accepted the invitation to group {group.name} "
            f"as {actor.username} (existing account)"
        ),
        old=Invitation.Status.SENT,
        new=Invitation.Status.ACCEPTED,
        target=invitation,
    )
    user_id, accepted_id = actor.pk, invitation.pk
    # The inviter hears of it as of a sign-up; the customer needs no welcome.
    transaction.on_commit(
        lambda: signup_emails_send.enqueue(
            user_id=user_id, invitation_id=accepted_id, welcome=False
        )
    )
    return invitation


def signup_submitted(values: dict[str, Any]) -> dict[str, str]:
    """The form values a support reference may keep (never the password or the answer)."""
    return {key: str(values.get(key) or "") for key in SUBMITTED_FIELDS}


@transaction.atomic
def support_reference_create(
    *,
    invitation_id: int | None,
    submitted: dict[str, Any],
    violation: RuleViolation | None = None,
    error: BaseException | None = None,
) -> SupportReference:
    """Record why a sign-up failed (a rule, a rule that could not be evaluated, or an
    unexpected error) under a fresh number.

    Called after the sign-up's transaction rolled back, in a transaction of its own.
    """
    invitation = Invitation.objects.filter(pk=invitation_id).first() if invitation_id else None
    reference = SupportReference(
        invitation=invitation,
        group_id=invitation.group_id if invitation else None,
        submitted=signup_submitted(submitted),
    )
    if violation is not None:
        rule = violation.rule
        # A formula that failed to run is not the rule's condition being met.
        reference.kind = (
            SupportReference.Kind.EVALUATION_ERROR
            if violation.evaluation_error is not None
            else SupportReference.Kind.VALIDATION_RULE
        )
        reference.rule = rule if rule.pk else None
        reference.rule_name = rule.name[:40]
        reference.rule_formula = rule.formula
        reference.rule_message = violation.message[:255]
    else:
        reference.kind = SupportReference.Kind.EXCEPTION
        if error is not None:
            reference.exception_type = _qualified_name(type(error))[:200]
            reference.traceback = _trimmed_traceback(error)
    # The number is random; a clash with an existing one is retried, not reported.
    for attempt in range(3):
        try:
            with transaction.atomic():
                reference.save()
            return reference
        except IntegrityError:
            if attempt == 2:
                raise
            reference.pk = None
            reference.number = SupportReference._meta.get_field("number").get_default()
    return reference


def _qualified_name(cls: type) -> str:
    module = cls.__module__
    return cls.__qualname__ if module == "builtins" else f"{module}.{cls.__qualname__}"


def _trimmed_traceback(error: BaseException) -> str:
    """The innermost frames only; enough to find the line, short enough to read."""
    text = "".join(traceback.format_exception(error, limit=-_TRACEBACK_FRAMES))
    return text[-_TRACEBACK_CHARS:]
