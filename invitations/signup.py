"""Join Now: a customer redeems an invitation and becomes a Chatter External User.

``customer_signup`` is the one write: the whole account, licence, membership and
invitation change happen in one transaction or not at all. When it fails in a
way the customer cannot fix (a validation rule, an unexpected error),
``support_reference_create`` records what happened, after the rollback, so an
admin can look it up from the number the customer sees.
"""

from __future__ import annotations

import hmac
import logging
import traceback
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.password_validation import password_changed, validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from accounts.models import Profile, User
from accounts.security import answer_normalise, password_and_answer_hash
from accounts.validation import validation_rules_check
from chatterorg.actions import audit_record, licence_claim
from chatterorg.mail import email_send
from chatterorg.models import SupportReference
from chatterorg.selectors import org_get
from groups.actions import membership_add
from groups.models import Group
from invitations.models import Invitation

if TYPE_CHECKING:
    from accounts.validation import RuleViolation

logger = logging.getLogger(__name__)

# How often a username taken by a concurrent sign-up is recomputed before giving up.
USERNAME_ATTEMPTS = 5
# Room kept for the collision number when a long local part must be shortened.
_NUMBER_ROOM = 6
# Candidates in the first username look-up (jane … jane10); each further one doubles.
_USERNAME_BATCH = 10
# What a support reference keeps of the form: never the password or the answer.
SUBMITTED_FIELDS = ("email", "first_name", "last_name", "company_name", "security_question")
_TRACEBACK_FRAMES = 12
_TRACEBACK_CHARS = 6000


class InvitationNotRedeemable(Exception):
    """The invitation is unknown, used, canceled, expired, or customers are off."""

    def __init__(self, *, already_accepted: bool = False) -> None:
        super().__init__("This invitation is no longer valid.")
        # Only for the person who holds the token (their session): a second
        # submit of an accepted invitation is sent to the login page.
        self.already_accepted = already_accepted


@dataclass(frozen=True)
class JoinSession:
    """What the session keeps between opening the link and submitting the form."""

    invitation_id: int
    token_hash: str

    SESSION_KEY = "join_invitation"

    def as_session(self) -> dict[str, Any]:
        return {"id": self.invitation_id, "token_hash": self.token_hash}

    @classmethod
    def from_session(cls, value: Any) -> JoinSession | None:
        if not isinstance(value, dict):
            return None
        invitation_id, token_hash = value.get("id"), value.get("token_hash")
        if not isinstance(invitation_id, int) or not isinstance(token_hash, str):
            return None
        return cls(invitation_id=invitation_id, token_hash=token_hash)


def invitation_is_redeemable(invitation: Invitation, *, token_hash: str) -> bool:
    """Sent, the token still its own, not expired, and customers allowed (org and group)."""
    group = invitation.group
    return (
        invitation.status == Invitation.Status.SENT
        and bool(invitation.token_hash)
        and hmac.compare_digest(str(invitation.token_hash), token_hash)
        and not invitation.is_expired
        and group.allow_customers
        and group.access_type in (Group.AccessType.PRIVATE, Group.AccessType.UNLISTED)
        and org_get().allow_customer_invitations
    )


def invitation_for_session(join: JoinSession | None) -> Invitation | None:
    """The invitation kept in the session, if it can still be redeemed."""
    if join is None:
        return None
    try:
        return _redeemable_invitation_get(
            join.invitation_id, token_hash=join.token_hash, lock=False
        )
    except InvitationNotRedeemable:
        return None


def customer_username(*, invitee_email: str, inviter_email: str) -> str:
    """``<local part>@guest.<inviter's domain>``, with the lowest free number on a collision.

    jane, jane2, jane3 … Usernames are unique case-insensitively, so the candidates
    are in lower case and looked up by ``LOWER(username)``, the unique index: each
    query asks which of a run of candidates are taken (jane … jane10, then
    jane11 … jane30, twice as many each time) and the first free one wins.
    """
    local = invitee_email.rsplit("@", 1)[0].strip().lower()
    domain = inviter_email.rsplit("@", 1)[-1].strip().lower()
    suffix = f"@guest.{domain}"
    max_length = User._meta.get_field("username").max_length or 80
    local = local[: max(1, max_length - len(suffix) - _NUMBER_ROOM)]
    first, size = 1, _USERNAME_BATCH
    while True:
        candidates = [f"{local}{n if n > 1 else ''}{suffix}" for n in range(first, first + size)]
        taken = _usernames_taken(candidates)
        for candidate in candidates:
            if candidate not in taken:
                return candidate
        first, size = first + size, size * 2


def _usernames_taken(candidates: list[str]) -> set[str]:
    """Which of the lower-case ``candidates`` a user has, ignoring case (an index look-up)."""
    return set(
        User.objects.annotate(username_lower=Lower("username"))
        .filter(username_lower__in=candidates)
        .order_by()
        .values_list("username_lower", flat=True)
    )


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


def customer_signup(
    *,
    invitation_id: int,
    token_hash: str,
    first_name: str,
    last_name: str,
    company_name: str,
    password: str,
    security_question: str,
    answer: str,
) -> User:
    """Create the customer from a redeemable invitation: all of it, or nothing.

    The invitation is checked and the form validated first, then the password and
    the answer are hashed, all before any transaction. Only then is the invitation
    row locked (``select_for_update`` on PostgreSQL; on SQLite the IMMEDIATE
    transaction already serialises writers) and checked again, so a double submit
    finds it Accepted and creates no second user. Raises InvitationNotRedeemable,
    ValidationError, ValidationRuleFailed or NoLicenceLeft before anything is
    written; the licence is the first write.
    """
    invitation = _redeemable_invitation_get(invitation_id, token_hash=token_hash, lock=False)
    profile = Profile.objects.select_related("licence").get(name=Profile.CHATTER_EXTERNAL_USER)

    first_name, last_name = first_name.strip(), last_name.strip()
    company_name = company_name.strip()
    try:
        signup_password_validate(
            password=password,
            first_name=first_name,
            last_name=last_name,
            company_name=company_name,
            email=invitation.email,
        )
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    try:
        answer_validate(answer=answer, password=password)
    except ValidationError as exc:
        raise ValidationError({"answer": exc.messages}) from None
    if security_question not in User.SecurityQuestion.values:
        raise ValidationError({"security_question": "Select a security question."})

    # The slow part, outside the transaction: no lock is held while hashing.
    password_hashed, answer_hashed = password_and_answer_hash(password=password, answer=answer)
    with transaction.atomic():
        invitation = _redeemable_invitation_get(invitation_id, token_hash=token_hash, lock=True)
        user = _customer_create(
            invitation=invitation,
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


def _redeemable_invitation_get(invitation_id: int, *, token_hash: str, lock: bool) -> Invitation:
    """The invitation, if it can be redeemed (InvitationNotRedeemable otherwise).

    ``lock`` takes its row lock until the end of the transaction.
    """
    invitations = Invitation.objects.select_related("group", "inviter")
    if lock:
        invitations = invitations.select_for_update(of=("self",))
    invitation = invitations.filter(pk=invitation_id).first()
    if invitation is None or not invitation_is_redeemable(invitation, token_hash=token_hash):
        accepted = invitation is not None and invitation.status == Invitation.Status.ACCEPTED
        raise InvitationNotRedeemable(already_accepted=accepted)
    return invitation


def _customer_create(
    *,
    invitation: Invitation,
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
    group = invitation.group
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
    )
    # The username is checked by the database below (a concurrent sign-up may take it);
    # the profile was just read.
    user.full_clean(exclude=["password", "username", "profile"])
    # Self sign-up: the running user is the customer being created (see accounts.validation).
    validation_rules_check(user=user, prior=None, running_user=user)

    licence_claim(licence_id=profile.licence_id)
    _user_insert(user, invitation=invitation)
    password_changed(password, user)
    membership_add(actor=None, group=group, user=user, check_permission=False)
    invitation.status = Invitation.Status.ACCEPTED
    invitation.accepted_at = timezone.now()
    invitation.accepted_user = user
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
    """Insert the user; if a concurrent sign-up took the username, take the next number."""
    for attempt in range(USERNAME_ATTEMPTS):
        try:
            with transaction.atomic():
                user.save()
            return
        except IntegrityError:
            taken = User.objects.with_username(user.username).exists()
            if not taken or attempt == USERNAME_ATTEMPTS - 1:
                raise
            user.pk = None
            user.username = customer_username(
                invitee_email=invitation.email, inviter_email=invitation.inviter.email
            )


@task
def signup_emails_send(*, user_id: int, invitation_id: int) -> None:
    """Welcome the customer (username, login address) and tell the inviter.

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
        "group_name": invitation.group.name,
        "group_url": group_url,
        "inviter_name": invitation.inviter.name,
    }
    for to, subject, template in (
        (user.email, f"Welcome to Chatter at {org.name}", "welcome"),
        (
            invitation.inviter.email,
            f"{user.name} accepted your invitation to {invitation.group.name}",
            "invitation_accepted",
        ),
    ):
        try:
            email_send(to=to, subject=subject, template=template, context=context)
        except Exception:
            logger.exception("Could not send the %s email for user %s", template, user_id)


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
    """Record why a sign-up failed (a rule, or an unexpected error) under a fresh number.

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
        reference.kind = SupportReference.Kind.VALIDATION_RULE
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
