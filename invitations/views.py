"""Invite People, and Resend / Cancel of pending invitations.

Each view asks ``group_for_user`` (404 for a group the user may not see) and
then the user's capabilities in the group (403), and calls one action.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import AuthenticatedRequest
from chatterorg.forms import form_refusal_add
from chatterorg.models import Licence
from chatterorg.pagination import page_get
from chatterorg.selectors import org_get
from chatterorg.views import confirm_page
from groups.access import GroupCapabilities, group_for_user, require
from groups.models import Group
from invitations.access import (
    coworker_invite_allowed,
    invitation_cancel_allowed,
    invitation_change_allowed,
)
from invitations.actions import (
    OUTCOME_LABELS,
    invitation_cancel,
    invitation_resend,
    invitations_send,
)
from invitations.bulk import (
    BulkPlan,
    BulkRequest,
    BulkRow,
    PlanChanged,
    bulk_licences_warning,
    bulk_plan,
    invitations_bulk_send,
)
from invitations.coworkers import COWORKER_OUTCOME_LABELS, coworker_invitations_send
from invitations.forms import BulkInviteForm, InviteForm
from invitations.models import Invitation
from invitations.org_actions import (
    SelectionOutcome,
    invitations_cancel_selected,
    invitations_resend_selected,
)
from invitations.selectors import (
    coworker_invitations_pending,
    invitations_of_group,
    invitations_pending,
)

LIST_PAGE_SIZE = 50


def _outcomes_key(group_id: int) -> str:
    return f"invitations.outcomes.{group_id}"


@login_required
@require_http_methods(["GET", "POST"])
def invite(request: AuthenticatedRequest, group_id: int) -> HttpResponse:
    """The "Invite People" page; after "Send", the outcome for each address."""
    group, caps = group_for_user(request.user, group_id)
    require(caps.invite)
    if request.method == "POST":
        form = InviteForm(request.POST, org=org_get())
        if form.is_valid():
            try:
                outcomes = invitations_send(
                    actor=request.user, group=group, invite=form.cleaned_data["invite"]
                )
            except ValidationError as error:
                form_refusal_add(form, error)
            else:
                # Post/Redirect/Get: reloading the result page must not send again.
                request.session[_outcomes_key(group.pk)] = [
                    [outcome.email, outcome.status] for outcome in outcomes
                ]
                return redirect("invitations:invite", group_id=group.pk)
    else:
        form = InviteForm(org=org_get())
    stored = request.session.pop(_outcomes_key(group.pk), None) or []
    shown = [
        {"email": email, "label": OUTCOME_LABELS.get(status, status)} for email, status in stored
    ]
    licence = Licence.objects.filter(name=Licence.Name.CHATTER_EXTERNAL).first()
    return render(
        request,
        "invitations/invite.html",
        {
            "group": group,
            "caps": caps,
            "form": form,
            "outcomes": shown,
            "licences_left": licence.remaining if licence else 0,
        },
    )


def _invitation_and_group(
    request: AuthenticatedRequest, invitation_id: int
) -> tuple[Invitation, Group, GroupCapabilities]:
    """The invitation and its group with the user's capabilities; 404 if either is hidden."""
    invitation = Invitation.objects.filter(pk=invitation_id).first()
    if invitation is None:
        raise Http404("No such invitation.")
    if invitation.group_id is None:
        raise Http404("No such invitation.")  # coworker invitations are Setup's
    group, caps = group_for_user(request.user, invitation.group_id)
    return invitation, group, caps


def _back(request: AuthenticatedRequest, group: Group) -> HttpResponseRedirect:
    """Back to the page the button was on (same site only), else the group page."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("groups:detail", args=[group.pk])
    return redirect(target)


@login_required
@require_POST
def invitation_resend_view(request: AuthenticatedRequest, invitation_id: int) -> HttpResponse:
    invitation, group, caps = _invitation_and_group(request, invitation_id)
    require(caps.invite)
    try:
        invitation_resend(actor=request.user, invitation=invitation)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Invitation resent to {invitation.email}.")
    return _back(request, group)


@login_required
@require_POST
def invitation_cancel_view(request: AuthenticatedRequest, invitation_id: int) -> HttpResponse:
    invitation, group, caps = _invitation_and_group(request, invitation_id)
    require(invitation_cancel_allowed(user=request.user, invitation=invitation, caps=caps))
    try:
        invitation_cancel(actor=request.user, invitation=invitation)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Invitation to {invitation.email} canceled.")
    return _back(request, group)


@login_required
@require_http_methods(["GET"])
def invitation_cancel_confirm(request: AuthenticatedRequest, invitation_id: int) -> HttpResponse:
    """The confirm page of "Cancel" (and its modal): the POST goes to the cancel view."""
    invitation, group, caps = _invitation_and_group(request, invitation_id)
    require(invitation_cancel_allowed(user=request.user, invitation=invitation, caps=caps))
    back = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("groups:detail", args=[group.pk])
    return confirm_page(
        request,
        title="Cancel Invitation?",
        lines=[f"{invitation.email} won't be able to join {group.name} with this invitation."],
        action=reverse("invitations:cancel", args=[invitation.pk]),
        fields=[("next", back)],
        confirm_label="Cancel Invitation",
        back_url=back,
        back_label="Keep Invitation",
    )


@login_required
@require_http_methods(["GET"])
def invitation_list(request: AuthenticatedRequest, group_id: int) -> HttpResponse:
    """All pending invitations of a group, paginated, for its owner and managers."""
    group, caps = group_for_user(request.user, group_id)
    require(caps.manage_members)
    page = page_get(invitations_pending(group=group), request.GET.get("page"), LIST_PAGE_SIZE)
    return render(
        request,
        "invitations/list.html",
        {"group": group, "caps": caps, "page": page, "next_url": request.get_full_path()},
    )


@login_required
@require_http_methods(["GET"])
def invitation_history(request: AuthenticatedRequest, group_id: int) -> HttpResponse:
    """Every invitation of a group in every status, paginated, for its owner and managers."""
    group, caps = group_for_user(request.user, group_id)
    require(caps.manage_members)
    page = page_get(invitations_of_group(group=group), request.GET.get("page"), LIST_PAGE_SIZE)
    return render(request, "invitations/history.html", {"group": group, "caps": caps, "page": page})


def _bulk_key(group_id: int) -> str:
    return f"invitations.bulk.{group_id}"


def _bulk_keep(
    request: AuthenticatedRequest, group: Group, bulk: BulkRequest, plan: BulkPlan
) -> None:
    """Keep the request and the plan shown in the session, for "Send"."""
    request.session[_bulk_key(group.pk)] = {
        "rows": [row.as_list() for row in bulk.rows],
        "message": bulk.message,
        "expiry_days": bulk.expiry_days,
        "shown": plan.signature,
    }


def _bulk_kept(request: AuthenticatedRequest, group: Group) -> tuple[BulkRequest, list[Any]] | None:
    kept = request.session.get(_bulk_key(group.pk))
    if not kept:
        return None
    bulk = BulkRequest(
        rows=tuple(BulkRow.from_list(values) for values in kept["rows"]),
        message=kept["message"],
        expiry_days=kept["expiry_days"],
    )
    return bulk, kept["shown"]


@login_required
@require_http_methods(["GET", "POST"])
def invite_bulk(request: AuthenticatedRequest, group_id: int) -> HttpResponse:
    """Invite from a CSV file or a pasted list: a dry run first, then "Send" of that plan."""
    group, caps = group_for_user(request.user, group_id)
    require(caps.invite)
    org = org_get()
    plan: BulkPlan | None = None
    changed = False
    form = BulkInviteForm(org=org)
    if request.method == "POST" and "send" in request.POST:
        kept = _bulk_kept(request, group)
        if kept is None:
            messages.error(request, "Start again: there is no dry run to send.")
            return redirect("invitations:invite_bulk", group_id=group.pk)
        bulk, shown = kept
        try:
            sent = invitations_bulk_send(actor=request.user, group=group, bulk=bulk, shown=shown)
        except PlanChanged as change:
            plan, changed = change.plan, True
            _bulk_keep(request, group, bulk, plan)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("invitations:invite_bulk", group_id=group.pk)
        else:
            request.session.pop(_bulk_key(group.pk), None)
            request.session[_outcomes_key(group.pk)] = [
                [row.email, row.status] for row in sent.rows
            ]
            return redirect("invitations:invite", group_id=group.pk)
    elif request.method == "POST":
        form = BulkInviteForm(request.POST, request.FILES, org=org)
        if form.is_valid():
            bulk = form.cleaned_data["bulk"]
            try:
                plan = bulk_plan(actor=request.user, group=group, bulk=bulk)
            except ValidationError as error:
                form_refusal_add(form, error)
            else:
                _bulk_keep(request, group, bulk, plan)
    return render(
        request,
        "invitations/invite_bulk.html",
        {
            "group": group,
            "caps": caps,
            "form": form,
            "plan": plan,
            "changed": changed,
            "licences_warning": bulk_licences_warning(plan) if plan is not None else "",
        },
    )


COWORKER_OUTCOMES_KEY = "invitations.outcomes.coworkers"


@login_required
@require_http_methods(["GET", "POST"])
def invite_coworkers(request: AuthenticatedRequest) -> HttpResponse:
    """People › "Invite Coworkers": addresses in the company's domains only."""
    org = org_get()
    if request.user.is_customer:
        raise Http404("No such page.")
    require(coworker_invite_allowed(user=request.user, org=org))
    form = InviteForm(request.POST or None, org=org)
    if request.method == "POST" and form.is_valid():
        try:
            outcomes = coworker_invitations_send(
                actor=request.user, invite=form.cleaned_data["invite"]
            )
        except ValidationError as error:
            form_refusal_add(form, error)
        else:
            request.session[COWORKER_OUTCOMES_KEY] = [[o.email, o.status] for o in outcomes]
            return redirect("invitations:invite_coworkers")
    stored = request.session.pop(COWORKER_OUTCOMES_KEY, None) or []
    shown = [
        {"email": email, "label": COWORKER_OUTCOME_LABELS.get(status, status)}
        for email, status in stored
    ]
    pending = page_get(
        coworker_invitations_pending(inviter=request.user), request.GET.get("page"), LIST_PAGE_SIZE
    )
    return render(
        request,
        "invitations/invite_coworkers.html",
        {
            "form": form,
            "outcomes": shown,
            "domains": org.company_domain_patterns,
            "page": pending,
            "next_url": request.get_full_path(),
        },
    )


# A sender's pending coworker invitations: Resend and Cancel, with Setup's actions ------------

COWORKERS_ORIGIN = "Invite Coworkers"


def _coworker_invitation(request: AuthenticatedRequest, invitation_id: int) -> Invitation:
    """A coworker invitation by id; 404 for any other id, and for customers. Whether the
    user may change it is the action's question (``invitation_change_allowed``)."""
    invitation = None
    if not request.user.is_customer:
        invitation = Invitation.objects.filter(
            pk=invitation_id, kind=Invitation.Kind.COWORKER
        ).first()
    if invitation is None:
        raise Http404("No such invitation.")
    return invitation


def _coworkers_back(request: AuthenticatedRequest, target: str) -> str:
    """``target`` if it is a page of this site, else People › Invite Coworkers."""
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return reverse("invitations:invite_coworkers")
    return target


def _selection_told(request: AuthenticatedRequest, outcome: SelectionOutcome, *, done: str) -> None:
    for email in outcome.changed:
        messages.success(request, done.format(email=email))
    for email in outcome.skipped:
        messages.warning(request, f"The invitation to {email} is no longer pending.")


def _coworker_selection_apply(
    request: AuthenticatedRequest, invitation_id: int, action: Any, *, done: str
) -> HttpResponse:
    """Run Setup › Invitations' ``action`` on one's own coworker invitation, then back."""
    invitation = _coworker_invitation(request, invitation_id)
    try:
        outcome = action(
            actor=request.user, invitation_ids=[invitation.pk], origin=COWORKERS_ORIGIN
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        _selection_told(request, outcome, done=done)
    return redirect(_coworkers_back(request, request.POST.get("next", "")))


@login_required
@require_POST
def coworker_invitation_resend_view(
    request: AuthenticatedRequest, invitation_id: int
) -> HttpResponse:
    """Resend one's own pending coworker invitation (403 for anyone else's)."""
    return _coworker_selection_apply(
        request, invitation_id, invitations_resend_selected, done="Invitation resent to {email}."
    )


@login_required
@require_POST
def coworker_invitation_cancel_view(
    request: AuthenticatedRequest, invitation_id: int
) -> HttpResponse:
    """Cancel one's own pending coworker invitation (403 for anyone else's)."""
    return _coworker_selection_apply(
        request, invitation_id, invitations_cancel_selected, done="Invitation to {email} canceled."
    )


@login_required
@require_http_methods(["GET"])
def coworker_invitation_cancel_confirm(
    request: AuthenticatedRequest, invitation_id: int
) -> HttpResponse:
    """The confirm page of a coworker invitation's "Cancel" (and its modal)."""
    invitation = _coworker_invitation(request, invitation_id)
    org = org_get()
    require(
        invitation_change_allowed(user=request.user, invitation=invitation, org=org, resend=False)
    )
    back = _coworkers_back(request, request.GET.get("next", ""))
    return confirm_page(
        request,
        title="Cancel Invitation?",
        lines=[f"{invitation.email} won't be able to join {org.name} with this invitation."],
        action=reverse("invitations:coworker_cancel", args=[invitation.pk]),
        fields=[("next", back)],
        confirm_label="Cancel Invitation",
        back_url=back,
        back_label="Keep Invitation",
    )
