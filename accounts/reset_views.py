"""Forgot Your Password?: ask for a link, open it, answer the question, set a password.

Like Join Now, opening the emailed link only moves its token into the session
(as a hash) and redirects to a token-free page; nothing changes until the last
form is POSTed.
"""

from __future__ import annotations

from dataclasses import replace

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods, require_safe

from accounts.models import User
from accounts.password_reset import (
    MAX_ANSWER_ATTEMPTS,
    ResetSession,
    password_reset_cancel,
    password_reset_complete,
    password_reset_for_session,
    password_reset_for_token,
    password_reset_request,
    reset_token_hash,
)
from accounts.reset_forms import NewPasswordForm, PasswordForgotForm, SecurityAnswerForm
from accounts.security import answer_check
from chatterorg.http import referrer_same_origin

INVALID_STATUS = 404


def _invalid(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/password_reset_invalid.html", status=INVALID_STATUS)


@never_cache
@require_http_methods(["GET", "POST"])
def password_forgot(request: HttpRequest) -> HttpResponse:
    """Ask for a reset link by username; the answer never tells whether it exists."""
    form = PasswordForgotForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        password_reset_request(username=form.cleaned_data["username"])
        return redirect("accounts:password_forgot_sent")
    return render(request, "accounts/password_forgot.html", {"form": form})


@require_safe
def password_forgot_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/password_forgot_sent.html")


@referrer_same_origin
@never_cache
@require_safe
@sensitive_variables("token")
def password_reset_open(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link: keep it in the session, then leave the token URL."""
    reset = password_reset_for_token(token)
    if reset is None:
        return _invalid(request)
    session = ResetSession(request_id=reset.pk, token_hash=reset_token_hash(token))
    request.session[ResetSession.SESSION_KEY] = session.as_session()
    return redirect("accounts:password_reset")


@referrer_same_origin
@never_cache
@sensitive_post_parameters("answer", "new_password", "new_password_confirm")
@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    """The security question (if the user has one), then the new password."""
    session = ResetSession.from_session(request.session.get(ResetSession.SESSION_KEY))
    reset = password_reset_for_session(session)
    if session is None or reset is None:
        request.session.pop(ResetSession.SESSION_KEY, None)
        return _invalid(request)
    user = reset.user
    if user.security_answer_hash and not session.answered:
        return _answer_step(request, session=session, user=user)
    return _password_step(request, session=session, user=user)


@sensitive_variables("form")
def _answer_step(request: HttpRequest, *, session: ResetSession, user: User) -> HttpResponse:
    form = SecurityAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if answer_check(form.cleaned_data["answer"], user.security_answer_hash):
            request.session[ResetSession.SESSION_KEY] = replace(session, answered=True).as_session()
            return redirect("accounts:password_reset")
        wrong = session.wrong_answers + 1
        if wrong >= MAX_ANSWER_ATTEMPTS:
            password_reset_cancel(request_id=session.request_id)
            request.session.pop(ResetSession.SESSION_KEY, None)
            return _invalid(request)
        request.session[ResetSession.SESSION_KEY] = replace(
            session, wrong_answers=wrong
        ).as_session()
        form.add_error("answer", "That answer doesn't match. Check it and try again.")
    question = dict(User.SecurityQuestion.choices).get(user.security_question, "")
    return render(
        request, "accounts/password_reset_answer.html", {"form": form, "question": question}
    )


@sensitive_variables("form")
def _password_step(request: HttpRequest, *, session: ResetSession, user: User) -> HttpResponse:
    form = NewPasswordForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            password_reset_complete(
                request_id=session.request_id,
                token_hash=session.token_hash,
                new_password=form.cleaned_data["new_password"],
                identity_confirmed=session.answered,
            )
        except PermissionDenied:
            request.session.pop(ResetSession.SESSION_KEY, None)
            return _invalid(request)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            request.session.pop(ResetSession.SESSION_KEY, None)
            messages.success(
                request, "Your password has been changed. Log in with your new password."
            )
            return redirect("accounts:login")
    return render(
        request, "accounts/password_reset_new.html", {"form": form, "username": user.username}
    )
