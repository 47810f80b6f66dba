"""Join Now for a coworker invitation: the invitee becomes a Chatter Free user.

Username = the email address; profile "Chatter Free User", licence Chatter
Free; no company (the coworker is the org's), no group. The same link
semantics as customers': the token moved into the session, the invitation
locked and checked again inside the one transaction.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import password_changed
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Profile, User
from chatterorg.actions import audit_record, licence_claim
from chatterorg.models import Organization
from invitations.access import InvitationNotRedeemable, invitation_redeemable_get
from invitations.join.actions import self_signup_check, signup_password_validate
from invitations.join.forms import JoinForm
from invitations.models import Invitation, RetiredLink, links_retire


class CoworkerSignupForm(JoinForm):
    """First Name, Last Name, Password, Confirm Password: no company, no security question.

    The username of a coworker is the email address, so that is the field's label.
    """

    def __init__(self, *args: Any, invitation: Invitation, **kwargs: Any) -> None:
        super().__init__(*args, invitation=invitation, **kwargs)
        self.fields["email"].label = "Username"
        self.fields[
            "password"
        ].help_text = (
            "At least 12 characters, not a common password, and not like your name or email."
        )


def coworker_signup(
    *,
    invitation: Invitation,
    token_hash: str,
    org: Organization,
    first_name: str,
    last_name: str,
    password: str,
    password_confirm: str,
) -> User:
    """Create the Chatter Free user of a coworker invitation: all of it, or nothing.

    ValidationError (passwords, validation rules, the username taken),
    InvitationNotRedeemable or NoLicenceLeft before anything is written; the
    password is hashed before the invitation row is locked.
    """
    profile = Profile.objects.select_related("licence").get(name=Profile.CHATTER_FREE_USER)
    first_name, last_name = first_name.strip(), last_name.strip()
    if password != password_confirm:
        raise ValidationError({"password_confirm": ["The passwords don't match."]})
    try:
        signup_password_validate(
            password=password,
            first_name=first_name,
            last_name=last_name,
            company_name="",
            email=invitation.email,
        )
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    hashed = make_password(password)
    with transaction.atomic():
        invitation = invitation_redeemable_get(
            invitation_id=invitation.pk, token_hash=token_hash, org=org, lock=True
        )
        if invitation.kind != Invitation.Kind.COWORKER:
            raise InvitationNotRedeemable()
        taken = ValidationError(
            "A user with the username %(username)s already exists. Log in instead.",
            code="username_taken",
            params={"username": invitation.email},
        )
        if User.objects.with_username(invitation.email).exists():
            raise taken
        user = User(
            username=invitation.email,
            email=invitation.email,
            first_name=first_name,
            last_name=last_name,
            company_name=org.name,
            profile=profile,
            user_type=User.UserType.CHATTER_FREE,
            password=hashed,
        )
        self_signup_check(
            user,
            missing_details=(
                "Your user can't be created right now because the company requires details "
                "this page doesn't ask for. Ask your administrator."
            ),
        )
        licence_claim(licence_id=profile.licence_id)
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:
            raise taken from None
        password_changed(password, user)
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
            display=f"Created new user {user.username} with profile {profile.name} "
            "(coworker invitation)",
            new=profile.name,
            target=user,
        )
        audit_record(
            actor=user,
            section="Chatter Invitations",
            action="invitation.accepted",
            display=f"{invitation.email} accepted the coworker invitation as {user.username}",
            old=Invitation.Status.SENT,
            new=Invitation.Status.ACCEPTED,
            target=invitation,
        )
    return user
