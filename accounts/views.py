"""Log in, log out, and Forgot Your Password?.

Forgot Your Password?: ask for a link, open it, answer the question, set a
password. Like Join Now, opening the emailed link only moves its token into the
session (as a hash) and redirects to a token-free page; nothing changes until
the last form is POSTed.
"""

from __future__ import annotations

from dataclasses import replace

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods, require_safe

from accounts.forms import (
    LoginForm,
    NewPasswordForm,
    PasswordForgotForm,
    SecurityAnswerForm,
    UsernameForgotForm,
)
from accounts.http import AuthenticatedRequest
from accounts.models import User
from accounts.oauth import security_token_reset_request
from accounts.password_reset import (
    SESSION_KEY,
    password_reset_complete,
    password_reset_for_token,
    password_reset_get,
    password_reset_request,
    password_reset_wrong_answer,
)
from accounts.security import answer_check
from accounts.throttle import client_address
from accounts.username_reminder import username_reminder_request
from chatterorg.forms import form_refusal_add
from chatterorg.http import referrer_same_origin
from chatterorg.tokens import LinkSession, token_hash

TOO_MANY_WRONG_ANSWERS = "Too many wrong answers. Request a new link."
# A refused login (accounts.throttle) says so in its status too: Too Many Requests.
THROTTLED_STATUS = 429


@method_decorator([sensitive_post_parameters("password"), never_cache], name="dispatch")
class LoginView(auth_views.LoginView):
    """Log in with username and password; Django rotates the session key on success."""

    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_invalid(self, form: LoginForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_invalid(form)
        if form.throttled:
            response.status_code = THROTTLED_STATUS
        return response


class LogoutView(auth_views.LogoutView):
    pass


INVALID_STATUS = 404


def _invalid(request: HttpRequest, *, reason: str = "") -> HttpResponse:
    return render(
        request,
        "accounts/password_reset_invalid.html",
        {"reason": reason},
        status=INVALID_STATUS,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def password_forgot(request: HttpRequest) -> HttpResponse:
    """Ask for a reset link by username; the answer never tells whether it exists."""
    form = PasswordForgotForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        password_reset_request(
            username=form.cleaned_data["username"], client_address=client_address(request)
        )
        return redirect("accounts:password_forgot_sent")
    return render(request, "accounts/password_forgot.html", {"form": form})


@require_safe
def password_forgot_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/password_forgot_sent.html")


@never_cache
@require_http_methods(["GET", "POST"])
def username_forgot(request: HttpRequest) -> HttpResponse:
    """Forgot Your Username?: the usernames of an address by email, the same answer either way."""
    form = UsernameForgotForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username_reminder_request(
            email=form.cleaned_data["email"], client_address=client_address(request)
        )
        return redirect("accounts:username_forgot_sent")
    return render(request, "accounts/username_forgot.html", {"form": form})


@require_safe
def username_forgot_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/username_forgot_sent.html")


@referrer_same_origin
@never_cache
@require_safe
@sensitive_variables("token")
def password_reset_open(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link: keep it in the session, then leave the token URL."""
    reset = password_reset_for_token(token)
    if reset is None:
        return _invalid(request)
    LinkSession(key=SESSION_KEY, object_id=reset.pk, token_hash=token_hash(token)).save(
        request.session
    )
    return redirect("accounts:password_reset")


@referrer_same_origin
@never_cache
@sensitive_post_parameters("answer", "new_password", "new_password_confirm")
@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    """The security question (if the user has one), then the new password."""
    session = LinkSession.load(request.session, SESSION_KEY)
    reset = (
        password_reset_get(request_id=session.object_id, token_hash=session.token_hash)
        if session is not None
        else None
    )
    if session is None or reset is None:
        LinkSession.clear(request.session, SESSION_KEY)
        return _invalid(request)
    user = reset.user
    if user.security_answer_hash and not session.confirmed:
        return _answer_step(request, session=session, user=user)
    return _password_step(request, session=session, user=user)


@sensitive_variables("form")
def _answer_step(request: HttpRequest, *, session: LinkSession, user: User) -> HttpResponse:
    form = SecurityAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if answer_check(form.cleaned_data["answer"], user.security_answer_hash):
            replace(session, confirmed=True).save(request.session)
            return redirect("accounts:password_reset")
        if password_reset_wrong_answer(request_id=session.object_id):
            LinkSession.clear(request.session, SESSION_KEY)
            return _invalid(request, reason=TOO_MANY_WRONG_ANSWERS)
        form.add_error("answer", "That answer doesn't match. Check it and try again.")
    question = dict(User.SecurityQuestion.choices).get(user.security_question, "")
    return render(
        request, "accounts/password_reset_answer.html", {"form": form, "question": question}
    )


@sensitive_variables("form")
def _password_step(request: HttpRequest, *, session: LinkSession, user: User) -> HttpResponse:
    form = NewPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            password_reset_complete(
                request_id=session.object_id,
                token_hash=session.token_hash,
                new_password=form.cleaned_data["new_password"],
                identity_confirmed=session.confirmed,
            )
        except PermissionDenied:
            LinkSession.clear(request.session, SESSION_KEY)
            return _invalid(request)
        except ValidationError as exc:
            form_refusal_add(form, exc)
        else:
            LinkSession.clear(request.session, SESSION_KEY)
            messages.success(
                request, "Your password has been changed. Log in with your new password."
            )
            return redirect("accounts:login")
    return render(
        request, "accounts/password_reset_new.html", {"form": form, "username": user.username}
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def security_token_reset(request: AuthenticatedRequest) -> HttpResponse:
    """Settings › Reset My Security Token: a POST emails a new token; the old one stops working.

    The token is made by the task that emails it, so it is never in this
    response, the session or a task argument.
    """
    if request.method == "POST":
        security_token_reset_request(user=request.user)
        messages.success(
            request,
            f"A new security token is on its way to {request.user.email}. "
            "Your old security token no longer works once it arrives.",
        )
        return redirect("accounts:security_token_reset")
    return render(request, "accounts/security_token_reset.html")
