"""Join Now: open the emailed link, then sign up on a token-free page.

Opening the link only moves the token into the session (as its hash, with the
invitation id) and redirects; nothing is created until the form is POSTed, so
mail scanners that follow links consume nothing. Every bad link gets one page,
byte for byte the same, so the page tells nothing about why.

An address that already has a customer gets no sign-up form: the page says
"You already have an account" and offers Log In; the invitation stays in the
session and ``invitation_accept_on_login`` accepts it when that customer logs in.
"""

from __future__ import annotations

import contextlib
import logging
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.sessions.backends.base import CreateError
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.models import User
from accounts.validation import ValidationRuleFailed
from chatterorg.actions import NoLicenceLeft
from chatterorg.forms import form_refusal_add
from chatterorg.http import referrer_same_origin
from chatterorg.selectors import org_get
from chatterorg.tokens import LinkSession, token_hash
from invitations.access import (
    JOIN_SESSION_KEY,
    CustomerAccountExists,
    InvitationNotRedeemable,
    customer_for_address,
    invitation_for_link,
    invitation_for_token,
    retired_link_for_token,
)
from invitations.join.actions import (
    customer_signup,
    invitation_accept_by_customer,
    support_reference_create,
)
from invitations.join.coworker import CoworkerSignupForm, coworker_signup
from invitations.join.forms import SignupForm
from invitations.models import Invitation, SupportReference

logger = logging.getLogger(__name__)

# One status for every bad link: the invitation, as far as the visitor may know, does not exist.
INVALID_STATUS = 404
NO_LICENCES_STATUS = 409
# The address's customer is deactivated: no sign-up and no log-in can take the invitation.
DEACTIVATED_STATUS = 409
# Left in the session a sign-up's login retired (see _accepted_marker_leave).
JOIN_ACCEPTED_KEY = "join_accepted"
ACCEPTED_MARKER_SECONDS = 15 * 60


def invalid_response(request: HttpRequest) -> HttpResponse:
    """ "This invitation is no longer valid": the same bytes for every kind of bad link."""
    return render(request, "invitations/join/invalid.html", status=INVALID_STATUS)


@referrer_same_origin
@never_cache
@require_safe
@sensitive_variables("token")
def join_open(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link: remember the invitation in the session, then leave the token URL."""
    org = org_get()
    invitation = invitation_for_token(token, org=org)
    if invitation is None:
        return _retired_response(request, retired_link_for_token(token, org=org))
    LinkSession(key=JOIN_SESSION_KEY, object_id=invitation.pk, token_hash=token_hash(token)).save(
        request.session
    )
    return redirect("join:signup")


def _retired_response(request: HttpRequest, retired: tuple[str, Invitation] | None) -> HttpResponse:
    """An old link explains itself: "You've already joined", or "A newer invitation was
    sent to you"; any other bad link gets the uniform page."""
    if retired is None:
        return invalid_response(request)
    reason, invitation = retired
    if reason == "accepted":
        next_url = (
            reverse("groups:detail", kwargs={"group_id": invitation.group_id})
            if invitation.group_id
            else reverse("home")
        )
        return render(
            request,
            "invitations/join/already_joined.html",
            {"invitation": invitation, "user": invitation.accepted_user, "next": next_url},
        )
    return render(request, "invitations/join/superseded.html", {"invitation": invitation})


@referrer_same_origin
@never_cache
@sensitive_post_parameters("password", "password_confirm", "answer")
@require_http_methods(["GET", "POST"])
def join_signup(request: HttpRequest) -> HttpResponse:
    """The sign-up form; its POST creates the account through ``customer_signup``."""
    join = LinkSession.load(request.session, JOIN_SESSION_KEY)
    if join is None and request.session.get(JOIN_ACCEPTED_KEY):
        return _already_created_response(request)
    invitation = invitation_for_link(join, org=org_get())
    if join is None or invitation is None:
        return invalid_response(request)
    if invitation.kind == Invitation.Kind.COWORKER:
        return _coworker_signup(request, join=join, invitation=invitation)
    existing = customer_for_address(invitation.email)
    if existing is not None:
        return _existing_account_response(request, customer=existing, invitation=invitation)
    form = SignupForm(request.POST or None, invitation=invitation)
    if request.method == "POST" and form.is_valid():
        return _signup_submit(request, form=form, join=join, invitation=invitation)
    return _form_response(request, form=form, invitation=invitation)


def _existing_account_response(
    request: HttpRequest, *, customer: User, invitation: Invitation
) -> HttpResponse:
    """ "You already have an account": Log In (username filled in) adds the group.

    The invitation stays in the session for ``invitation_accept_on_login``. A
    deactivated customer is told to ask for reactivation instead.
    """
    return render(
        request,
        "invitations/join/existing_account.html",
        {
            "invitation": invitation,
            "customer": customer,
            # Already logged in as that customer: one button joins, no second login.
            "signed_in": request.user.is_authenticated and request.user.pk == customer.pk,
            "next": reverse("groups:detail", kwargs={"group_id": invitation.group_id}),
        },
        status=200 if customer.is_active else DEACTIVATED_STATUS,
    )


def invitation_accept_on_login(
    sender: object, request: HttpRequest | None, user: User, **_: Any
) -> None:
    """``user_logged_in``: the customer of the session's invitation takes it on logging in.

    Anybody else who logs in changes nothing, and the invitation stays as it
    was. A link that died meanwhile is dropped from the session.
    """
    if request is None or not hasattr(request, "session"):
        return
    join = LinkSession.load(request.session, JOIN_SESSION_KEY)
    if join is None:
        return
    try:
        invitation = invitation_accept_by_customer(
            actor=user, invitation_id=join.object_id, token_hash=join.token_hash, org=org_get()
        )
    except PermissionDenied:
        return
    except (InvitationNotRedeemable, ValidationError):
        LinkSession.clear(request.session, JOIN_SESSION_KEY)
        return
    LinkSession.clear(request.session, JOIN_SESSION_KEY)
    messages.success(request, f"You joined the group {invitation.invited_group.name}.")


@referrer_same_origin
@never_cache
@require_POST
def join_accept(request: HttpRequest) -> HttpResponse:
    """ "Join": the customer of the session's invitation, already logged in, takes it."""
    join = LinkSession.load(request.session, JOIN_SESSION_KEY)
    if join is None or not request.user.is_authenticated:
        return invalid_response(request)
    try:
        invitation = invitation_accept_by_customer(
            actor=request.user,
            invitation_id=join.object_id,
            token_hash=join.token_hash,
            org=org_get(),
        )
    except (InvitationNotRedeemable, PermissionDenied):
        return invalid_response(request)
    LinkSession.clear(request.session, JOIN_SESSION_KEY)
    messages.success(request, f"You joined the group {invitation.invited_group.name}.")
    return redirect("groups:detail", group_id=invitation.group_id)


def _form_response(
    request: HttpRequest, *, form: SignupForm, invitation: Invitation, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "invitations/join/signup.html",
        {"form": form, "invitation": invitation},
        status=status,
    )


@sensitive_variables("data")
def _signup_submit(
    request: HttpRequest, *, form: SignupForm, join: LinkSession, invitation: Invitation
) -> HttpResponse:
    data = form.cleaned_data
    try:
        user = customer_signup(
            invitation=invitation,
            token_hash=join.token_hash,
            org=org_get(),
            first_name=data["first_name"],
            last_name=data["last_name"],
            company_name=data["company_name"],
            password=data["password"],
            password_confirm=data["password_confirm"],
            security_question=data["security_question"],
            answer=data["answer"],
        )
    except CustomerAccountExists as exc:
        return _existing_account_response(request, customer=exc.customer, invitation=invitation)
    except InvitationNotRedeemable as exc:
        if exc.already_accepted:
            # A second submit (another tab, a double click): the account exists.
            # The session is left alone: the first submit's login may have ended it,
            # and saving a changed session that is gone answers 400.
            return _already_created_response(request)
        return invalid_response(request)
    except NoLicenceLeft:
        return render(request, "invitations/join/no_licences.html", status=NO_LICENCES_STATUS)
    except ValidationRuleFailed as exc:
        # A rule that could not be evaluated is the admin's to fix, never the customer's:
        # its details go to the support reference whatever the setting says.
        failed = next((v for v in exc.violations if v.evaluation_error), None)
        if failed is None and org_get().show_validation_errors_to_customers:
            form_refusal_add(form, exc)
            return _form_response(request, form=form, invitation=invitation)
        reference = support_reference_create(
            invitation_id=join.object_id,
            submitted=_submitted(form),
            violation=failed or exc.first,
        )
        return _server_error_response(request, reference)
    except ValidationError as exc:
        form_refusal_add(form, exc)
        return _form_response(request, form=form, invitation=invitation)
    except Exception as exc:
        # Anything else: the customer gets the seed's page and a number; the
        # admin gets the details under that number, and the log has the traceback.
        logger.exception("Join Now sign-up failed for invitation %s", join.object_id)
        reference = support_reference_create(
            invitation_id=join.object_id, submitted=_submitted(form), error=exc
        )
        return _server_error_response(request, reference)
    return _signed_in_response(request, user=user, invitation=invitation)


def _signed_in_response(
    request: HttpRequest, *, user: User, invitation: Invitation
) -> HttpResponse:
    LinkSession.clear(request.session, JOIN_SESSION_KEY)
    old_key = request.session.session_key
    # login() rotates the session key (and flushes a session that belonged to someone else).
    login(request, user)  # the one backend, accounts.backends.UserBackend
    if old_key:
        _accepted_marker_leave(old_key)
    messages.success(request, f"Welcome to Chatter! Your username is {user.username}.")
    return redirect("groups:detail", group_id=invitation.group_id)


def _accepted_marker_leave(session_key: str) -> None:
    """Leave a short-lived session under the key login() retired, saying only that the
    account was created, so a second submit from the same page lands on "log in"
    instead of "no longer valid". It holds no identity: nothing is unlocked by it."""
    marker = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    # Start from empty data: loading a key that no longer exists would pick a new one.
    marker._session_cache = {}  # type: ignore[attr-defined]
    marker[JOIN_ACCEPTED_KEY] = True
    marker.set_expiry(ACCEPTED_MARKER_SECONDS)
    # A concurrent request may have saved under this key first: nothing to add then.
    with contextlib.suppress(CreateError):
        marker.save(must_create=True)


def _already_created_response(request: HttpRequest) -> HttpResponse:
    messages.info(request, "Your account has already been created. Log in to continue.")
    return redirect("accounts:login")


def _submitted(form: SignupForm) -> dict[str, Any]:
    return {**form.cleaned_data, "email": form.invitation.email}


def _server_error_response(request: HttpRequest, reference: SupportReference) -> HttpResponse:
    return render(
        request, "invitations/join/server_error.html", {"reference": reference}, status=500
    )


def _coworker_signup(
    request: HttpRequest, *, join: LinkSession, invitation: Invitation
) -> HttpResponse:
    """A coworker invitation's form; its POST creates a Chatter Free user."""
    form = CoworkerSignupForm(request.POST or None, invitation=invitation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = coworker_signup(
                invitation=invitation,
                token_hash=join.token_hash,
                org=org_get(),
                first_name=data["first_name"],
                last_name=data["last_name"],
                password=data["password"],
                password_confirm=data["password_confirm"],
            )
        except InvitationNotRedeemable as exc:
            if exc.already_accepted:
                return _already_created_response(request)
            return invalid_response(request)
        except NoLicenceLeft:
            return render(request, "invitations/join/no_licences.html", status=NO_LICENCES_STATUS)
        except ValidationError as exc:
            form_refusal_add(form, exc)
        else:
            LinkSession.clear(request.session, JOIN_SESSION_KEY)
            login(request, user)  # the one backend, accounts.backends.UserBackend
            messages.success(request, f"Welcome to Chatter! Your username is {user.username}.")
            return redirect("home")
    return render(
        request, "invitations/join/coworker_signup.html", {"form": form, "invitation": invitation}
    )
