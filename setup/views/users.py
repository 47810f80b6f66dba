"""Setup › Manage Users: users, profiles and permission sets (permission "Manage Users").

Thin views: ``setup_required`` refuses users without the permission (403),
objects that do not exist give 404, and every change is one call to
``accounts.actions``; the action's refusal is shown on the form.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from accounts.actions import (
    permission_set_assign,
    permission_set_create,
    permission_set_unassign,
    permission_set_update,
    profile_permissions_allowed,
    profile_permissions_locked_reason,
    profile_permissions_set,
    user_create_internal,
    user_update_internal,
)
from accounts.http import AuthenticatedRequest
from accounts.models import PermissionSet, Profile, User, user_search_q
from accounts.permissions import Perm, user_perms
from accounts.throttle import login_locked, login_unlock
from chatterorg.actions import ConfirmationRequired, NoLicenceLeft
from chatterorg.forms import form_refusal_add
from chatterorg.pagination import counts_capped, page_get
from chatterorg.views import confirm_resubmit_page, form_confirmed
from setup.access import setup_required
from setup.forms import (
    PermissionSetAssignForm,
    PermissionSetCreateForm,
    PermissionSetEditForm,
    PermissionsForm,
    UserCreateForm,
    UserForm,
    custom_field_rows,
    user_initial,
)

USERS_PAGE_SIZE = 25
ACTION_REFUSALS = (ValidationError, NoLicenceLeft)
manage_users_required = setup_required(Perm.MANAGE_USERS)


def deactivate_lines(user: User) -> list[str]:
    """What the confirm step of deactivating a user says (page and modal alike)."""
    return [
        f"{user.name} will no longer be able to log in, and their license is freed.",
        "Their posts, comments and group memberships stay.",
    ]


def _perm_labels(perms: Any) -> list[str]:
    held = set(perms)
    return [perm.label for perm in Perm if perm.value in held]


# Users ----------------------------------------------------------------------


@manage_users_required
@require_http_methods(["GET"])
def users(request: AuthenticatedRequest) -> HttpResponse:
    """All users, searchable by name, username or email, a page at a time."""
    query = request.GET.get("q", "").strip()
    found = User.objects.select_related("profile").order_by("last_name", "first_name", "id")
    if query:
        found = found.filter(user_search_q(query, email=True))
    page = page_get(found, request.GET.get("page"), USERS_PAGE_SIZE, search=bool(query))
    return render(request, "setup/users.html", {"page": page, "query": query})


@manage_users_required
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def user_new(request: AuthenticatedRequest) -> HttpResponse:
    if request.method == "POST":
        form = UserCreateForm(request.POST)
        if form.is_valid():
            try:
                created = user_create_internal(actor=request.user, **form.cleaned_data)
            except ACTION_REFUSALS as exc:
                form_refusal_add(form, exc)
            else:
                messages.success(request, f"User {created.username} was created.")
                return redirect("setup:user_detail", user_id=created.pk)
    else:
        standard = Profile.objects.filter(name=Profile.STANDARD_USER).first()
        form = UserCreateForm(initial={"profile": standard, "is_active": True})
    return render(request, "setup/user_form.html", {"form": form, "edited": None})


@manage_users_required
@require_http_methods(["GET", "POST"])
def user_edit(request: AuthenticatedRequest, user_id: int) -> HttpResponse:
    edited = get_object_or_404(User.objects.select_related("profile__licence"), pk=user_id)
    if request.method == "POST":
        form = UserForm(request.POST, customer=edited.is_customer)
        if form.is_valid():
            try:
                user_update_internal(
                    actor=request.user,
                    user=edited,
                    confirmed=form_confirmed(request),
                    **form.cleaned_data,
                )
            except ACTION_REFUSALS as exc:
                form_refusal_add(form, exc)
            except ConfirmationRequired:
                return confirm_resubmit_page(
                    request,
                    title=f"Deactivate {edited.name}?",
                    lines=deactivate_lines(edited),
                    confirm_label="Deactivate",
                    back_url=reverse("setup:user_edit", args=[edited.pk]),
                )
            else:
                messages.success(request, "Your changes have been saved.")
                return redirect("setup:user_detail", user_id=edited.pk)
    else:
        form = UserForm(initial=user_initial(edited), customer=edited.is_customer)
    return render(
        request,
        "setup/user_form.html",
        {"form": form, "edited": edited, "deactivate_lines": deactivate_lines(edited)},
    )


@manage_users_required
@require_http_methods(["GET"])
def user_detail(request: AuthenticatedRequest, user_id: int) -> HttpResponse:
    """A user with profile, permission sets (Remove, Assign) and resulting permissions."""
    shown = get_object_or_404(User.objects.select_related("profile__licence"), pk=user_id)
    assigned = list(PermissionSet.objects.filter(assignments__user=shown).order_by("label"))
    assign_form = PermissionSetAssignForm(assigned=assigned)
    return render(
        request,
        "setup/user_detail.html",
        {
            "shown": shown,
            "assigned": assigned,
            "assign_form": assign_form,
            "can_assign": not shown.is_customer,
            "permission_labels": _perm_labels(user_perms(shown)),
            "login_locked": login_locked(shown),
            "custom_field_rows": custom_field_rows(shown),
        },
    )


@manage_users_required
@require_POST
def user_unlock(request: AuthenticatedRequest, user_id: int) -> HttpResponse:
    """Unlock: lift a login lockout of the user's username, from every address."""
    shown = get_object_or_404(User, pk=user_id)
    if login_unlock(actor=request.user, user=shown):
        messages.success(request, f"User {shown.username} was unlocked.")
    return redirect("setup:user_detail", user_id=shown.pk)


@manage_users_required
@require_POST
def user_permission_set_assign(request: AuthenticatedRequest, user_id: int) -> HttpResponse:
    shown = get_object_or_404(User, pk=user_id)
    form = PermissionSetAssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a permission set to assign.")
        return redirect("setup:user_detail", user_id=shown.pk)
    permission_set = form.cleaned_data["permission_set"]
    try:
        permission_set_assign(actor=request.user, user=shown, permission_set=permission_set)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Permission set {permission_set.label} assigned.")
    return redirect("setup:user_detail", user_id=shown.pk)


@manage_users_required
@require_POST
def user_permission_set_unassign(
    request: AuthenticatedRequest, user_id: int, permission_set_id: int
) -> HttpResponse:
    shown = get_object_or_404(User, pk=user_id)
    permission_set = get_object_or_404(PermissionSet, pk=permission_set_id)
    if permission_set_unassign(actor=request.user, user=shown, permission_set=permission_set):
        messages.success(request, f"Permission set {permission_set.label} removed.")
    return redirect("setup:user_detail", user_id=shown.pk)


# Profiles -------------------------------------------------------------------


@manage_users_required
@require_http_methods(["GET"])
def profiles(request: AuthenticatedRequest) -> HttpResponse:
    """The profiles with their licence and active users, each counted up to 2,000 ("2000+",
    as the org-wide lists count): two queries however many users the org has."""
    listed = list(Profile.objects.select_related("licence").order_by("name"))
    counted = counts_capped(
        [User.objects.filter(profile=profile, is_active=True).values("pk") for profile in listed]
    )
    for profile, (count, more) in zip(listed, counted, strict=True):
        profile.active_users = f"{count}+" if more else str(count)  # type: ignore[attr-defined]
    return render(request, "setup/profiles.html", {"profiles": listed})


@manage_users_required
@require_http_methods(["GET", "POST"])
def profile_detail(request: AuthenticatedRequest, profile_id: int) -> HttpResponse:
    """A profile and its permissions as checkboxes, saved with "Save"."""
    profile = get_object_or_404(Profile.objects.select_related("licence"), pk=profile_id)
    locked = profile_permissions_locked_reason(profile)
    allowed = profile_permissions_allowed(profile)
    if request.method == "POST":
        form = PermissionsForm(request.POST, allowed=allowed)
        if form.is_valid():
            try:
                profile_permissions_set(
                    actor=request.user,
                    profile=profile,
                    permissions=form.cleaned_data["permissions"],
                )
            except ValidationError as exc:
                form_refusal_add(form, exc)
            else:
                messages.success(request, f"Permissions of profile {profile.name} saved.")
                return redirect("setup:profile_detail", profile_id=profile.pk)
    else:
        form = PermissionsForm(initial={"permissions": profile.permissions}, allowed=allowed)
    return render(
        request, "setup/profile_detail.html", {"profile": profile, "form": form, "locked": locked}
    )


# Permission sets ------------------------------------------------------------


@manage_users_required
@require_http_methods(["GET"])
def permission_sets(request: AuthenticatedRequest) -> HttpResponse:
    listed = PermissionSet.objects.annotate(assigned_users=Count("assignments")).order_by("label")
    return render(request, "setup/permission_sets.html", {"permission_sets": listed})


@manage_users_required
@require_http_methods(["GET", "POST"])
def permission_set_new(request: AuthenticatedRequest) -> HttpResponse:
    if request.method == "POST":
        form = PermissionSetCreateForm(request.POST)
        if form.is_valid():
            try:
                created = permission_set_create(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form_refusal_add(form, exc)
            else:
                messages.success(request, f"Permission set {created.label} was created.")
                return redirect("setup:permission_set_detail", pk=created.pk)
    else:
        form = PermissionSetCreateForm()
    return render(request, "setup/permission_set_form.html", {"form": form, "edited": None})


@manage_users_required
@require_http_methods(["GET", "POST"])
def permission_set_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A permission set, its permissions as checkboxes ("Save"), and its users."""
    permission_set = get_object_or_404(PermissionSet, pk=pk)
    if request.method == "POST":
        form = PermissionsForm(request.POST)
        if form.is_valid():
            permission_set_update(
                actor=request.user,
                permission_set=permission_set,
                label=permission_set.label,
                description=permission_set.description,
                permissions=form.cleaned_data["permissions"],
            )
            messages.success(request, f"Permissions of {permission_set.label} saved.")
            return redirect("setup:permission_set_detail", pk=permission_set.pk)
    else:
        form = PermissionsForm(initial={"permissions": permission_set.permissions})
    members = User.objects.filter(assignments__permission_set=permission_set).order_by(
        "last_name", "first_name", "id"
    )
    return render(
        request,
        "setup/permission_set_detail.html",
        {
            "permission_set": permission_set,
            "form": form,
            "page": page_get(members, request.GET.get("page"), 25),
        },
    )


@manage_users_required
@require_http_methods(["GET", "POST"])
def permission_set_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    permission_set = get_object_or_404(PermissionSet, pk=pk)
    if request.method == "POST":
        form = PermissionSetEditForm(request.POST)
        if form.is_valid():
            try:
                permission_set_update(
                    actor=request.user,
                    permission_set=permission_set,
                    **form.cleaned_data,
                )
            except ValidationError as exc:
                form_refusal_add(form, exc)
            else:
                messages.success(request, "Your changes have been saved.")
                return redirect("setup:permission_set_detail", pk=permission_set.pk)
    else:
        form = PermissionSetEditForm(
            initial={
                "label": permission_set.label,
                "description": permission_set.description,
                "permissions": permission_set.permissions,
            }
        )
    return render(
        request, "setup/permission_set_form.html", {"form": form, "edited": permission_set}
    )
