"""Group pages: thin views that ask ``groups.access`` and call one action each.

Every view finds the group through ``group_for_user`` (404 for a group the
user may not see), checks one capability with ``require`` (403 where the user
may see but not act), then calls one action. Changes are POST only.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import AuthenticatedRequest
from accounts.models import User
from chatterorg.actions import ConfirmationRequired
from chatterorg.forms import form_refusal_add
from chatterorg.pagination import page_get
from chatterorg.selectors import org_get
from chatterorg.views import confirm_page, confirm_resubmit_page, form_confirmed
from groups import actions, selectors
from groups.access import (
    group_create_allowed,
    group_for_user,
    person_for_user,
    post_deletable,
    post_for_user,
    require,
)
from groups.forms import (
    ALLOW_CUSTOMERS_CONFIRM_LINES,
    ROLE_CHOICES,
    CommentForm,
    GroupForm,
    GroupListForm,
    PostForm,
    RoleForm,
    SearchForm,
)
from groups.models import Group, JoinRequest, Membership


def _refusal(request: AuthenticatedRequest, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


def _detail(group: Group, anchor: str = "") -> HttpResponse:
    url = reverse("groups:detail", args=[group.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


def _query_id(request: AuthenticatedRequest, name: str) -> int:
    try:
        return int(request.GET.get(name, ""))
    except ValueError:
        raise Http404(f"No {name}.") from None


def _posted_id(request: AuthenticatedRequest, name: str) -> int:
    try:
        return int(request.POST.get(name, ""))
    except ValueError:
        raise Http404(f"No such {name}.") from None


# --- Groups tab, create, edit, delete -------------------------------------------------


@login_required
@require_GET
def group_list(request: AuthenticatedRequest) -> HttpResponse:
    """The "Groups" tab: "My Groups" or "All Groups", searchable by name."""
    form = GroupListForm(request.GET)
    show, query = "all", ""
    if form.is_valid():
        show = form.cleaned_data["show"] or "all"
        query = form.cleaned_data["q"]
    groups = page_get(
        selectors.group_list(request.user, mine=show == "mine", query=query),
        request.GET.get("page"),
        selectors.GROUPS_PAGE_SIZE,
        search=bool(query),
    )
    groups.object_list = selectors.member_counts_attach(groups.object_list)
    return render(
        request,
        "groups/list.html",
        {
            "form": form,
            "show": show,
            "query": query,
            "groups": groups,
            "filters": GroupListForm.FILTERS,
            "can_create": group_create_allowed(request.user),
        },
    )


def _allow_customers_confirm(request: AuthenticatedRequest, name: str) -> HttpResponse:
    """The confirm page of ticking "Allow Customers"; it posts the same form again."""
    return confirm_resubmit_page(
        request,
        title=f"Allow customers in {name}?",
        lines=ALLOW_CUSTOMERS_CONFIRM_LINES,
        confirm_label="Allow Customers",
        back_url=request.get_full_path(),
    )


@login_required
@require_http_methods(["GET", "POST"])
def group_create(request: AuthenticatedRequest) -> HttpResponse:
    """ "New Group": the creator becomes its owner."""
    require(group_create_allowed(request.user))
    form = GroupForm(request.POST or None, unlisted_enabled=org_get().enable_unlisted_groups)
    if request.method == "POST" and form.is_valid():
        try:
            group = actions.group_create(
                actor=request.user, confirmed=form_confirmed(request), **form.cleaned_data
            )
        except ValidationError as exc:
            form_refusal_add(form, exc)
        except ConfirmationRequired:
            return _allow_customers_confirm(request, form.cleaned_data["name"])
        else:
            messages.success(request, f'Group "{group.name}" created.')
            return _detail(group)
    return render(request, "groups/form.html", {"form": form, "group": None})


@login_required
@require_http_methods(["GET", "POST"])
def group_edit(request: AuthenticatedRequest, group_id: int) -> HttpResponse:
    """ "Edit Group" (owner and managers); refused changes leave the group as it was."""
    group, caps = group_for_user(request.user, group_id)
    require(caps.edit)
    form = GroupForm(
        request.POST or None, instance=group, unlisted_enabled=org_get().enable_unlisted_groups
    )
    if request.method == "POST" and form.is_valid():
        try:
            changed = actions.group_update(
                actor=request.user,
                group=group,
                confirmed=form_confirmed(request),
                **form.cleaned_data,
            )
        except ValidationError as exc:
            form_refusal_add(form, exc)
        except ConfirmationRequired:
            return _allow_customers_confirm(request, group.name)
        else:
            messages.success(request, "Group saved." if changed else "Nothing changed.")
            return _detail(group)
    return render(request, "groups/form.html", {"form": form, "group": group, "caps": caps})


@login_required
@require_http_methods(["GET", "POST"])
def group_delete(request: AuthenticatedRequest, group_id: int) -> HttpResponse:
    """Delete a group after a confirmation page (owner, or "Modify All Data")."""
    group, caps = group_for_user(request.user, group_id)
    require(caps.delete)
    if request.method == "POST":
        name = group.name
        actions.group_delete(actor=request.user, group=group)
        messages.success(request, f'Group "{name}" deleted.')
        return redirect("groups:list")
    return render(request, "groups/delete.html", {"group": group, "caps": caps})


# --- The group page -------------------------------------------------------------------


@login_required
@require_GET
def group_detail(request: AuthenticatedRequest, group_id: int) -> HttpResponse:
    """The group page; a Private group shows non-members only its outside.

    A fixed number of queries whatever the numbers of members, posts and comments;
    the feed and the members card come from the fragment cache when nothing they
    show has changed (``selectors.group_page_fragment_keys``).
    """
    group, caps = group_for_user(request.user, group_id)
    context: dict[str, object] = {"group": group, "caps": caps}
    if caps.view_content:
        user, page = request.user, request.GET.get("page")

        def feed() -> selectors.FeedPage:
            posts = selectors.group_feed(group, page=page)
            for post in posts:
                post.group = group  # the page's group; saves a query per post
                post.deletable = post_deletable(user=user, post=post, caps=caps)  # type: ignore[attr-defined]
            return posts

        # Read only when a fragment is rendered, not when it comes from the cache.
        context.update(
            fragment_keys=selectors.group_page_fragment_keys(user, group, caps, params=request.GET),
            feed=SimpleLazyObject(feed),
            members=SimpleLazyObject(
                lambda: selectors.group_members(group, page=request.GET.get("members_page"))
            ),
            post_form=PostForm(),
            comment_form=CommentForm(),
        )
        if caps.manage_members:
            context["join_requests"] = selectors.join_requests_pending(group)
    elif caps.ask_to_join:
        context["pending_request"] = selectors.join_request_pending_for(
            group=group, user=request.user
        )
    return render(request, "groups/detail.html", context)


# --- Members and roles ----------------------------------------------------------------


def _internal_user(user_id: int) -> User | None:
    return (
        User.objects.filter(pk=user_id, is_active=True)
        .exclude(user_type=User.UserType.CHATTER_GUEST)
        .first()
    )


def _group_membership(group: Group, membership_id: int) -> Membership:
    membership = get_object_or_404(
        Membership.objects.select_related("user"), pk=membership_id, group=group
    )
    membership.group = group
    return membership


@login_required
@require_GET
def group_members(request: AuthenticatedRequest, group_id: int) -> HttpResponse:
    """ "Add/Remove Members": search internal users by name or username; Add and Remove."""
    group, caps = group_for_user(request.user, group_id)
    require(caps.manage_members)
    form = SearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    return render(
        request,
        "groups/members.html",
        {
            "group": group,
            "caps": caps,
            "form": form,
            "query": query,
            "candidates": selectors.member_candidates(group, query=query),
            "members": selectors.group_members(group, page=request.GET.get("page")),
        },
    )


def _members_page(request: AuthenticatedRequest, group: Group) -> HttpResponse:
    """Back to "Add/Remove Members", with the search the button was under."""
    back = reverse("groups:members", args=[group.pk])
    query = request.POST.get("q", "").strip()
    if query:
        back += "?" + urlencode({"q": query})
    return redirect(back)


@login_required
@require_POST
def member_add(request: AuthenticatedRequest, group_id: int) -> HttpResponse:
    group, caps = group_for_user(request.user, group_id)
    require(caps.manage_members)
    user = _internal_user(_posted_id(request, "user"))
    if user is None:
        raise Http404("No such user.")
    try:
        actions.membership_add(actor=request.user, group=group, user=user)
    except ValidationError as exc:
        _refusal(request, exc)
    else:
        messages.success(request, f"{user.name} was added to the group.")
    return _members_page(request, group)


@login_required
@require_POST
def member_remove(request: AuthenticatedRequest, group_id: int) -> HttpResponse:
    group, caps = group_for_user(request.user, group_id)
    require(caps.manage_members)
    membership = _group_membership(group, _posted_id(request, "membership"))
    try:
        actions.membership_remove(actor=request.user, membership=membership)
    except ValidationError as exc:
        _refusal(request, exc)
    else:
        messages.success(request, f"{membership.user.name} was removed from the group.")
    return _members_page(request, group)


@login_required
@require_GET
def member_remove_confirm(request: AuthenticatedRequest, group_id: int) -> HttpResponse:
    """The confirm page of "Remove" (and its modal): the POST goes to ``member_remove``."""
    group, caps = group_for_user(request.user, group_id)
    require(caps.manage_members)
    membership = _group_membership(group, _query_id(request, "membership"))
    back = reverse("groups:members", args=[group.pk])
    return confirm_page(
        request,
        title=f"Remove {membership.user.name}?",
        lines=[f"{membership.user.name} will no longer see the posts of {group.name}."],
        action=reverse("groups:member_remove", args=[group.pk]),
        fields=[("membership", membership.pk)],
        confirm_label="Remove",
        back_url=back,
    )


@login_required
@require_GET
def group_roles(request: AuthenticatedRequest, group_id: int) -> HttpResponse:
    """ "Change Roles": Manager or Member for each member, and ownership transfer."""
    group, caps = group_for_user(request.user, group_id)
    require(caps.change_roles)
    members = selectors.group_members(group, page=request.GET.get("page"))
    owner_query = request.GET.get("owner_q", "")[:100]
    return render(
        request,
        "groups/roles.html",
        {
            "group": group,
            "caps": caps,
            "members": members,
            "roles": ROLE_CHOICES,
            "owner_query": owner_query,
            "owner_candidates": (
                selectors.owner_candidates(group, query=owner_query)
                if caps.transfer_ownership
                else None
            ),
        },
    )


@login_required
@require_POST
def role_set(request: AuthenticatedRequest, group_id: int) -> HttpResponse:
    group, caps = group_for_user(request.user, group_id)
    require(caps.change_roles)
    membership = _group_membership(group, _posted_id(request, "membership"))
    form = RoleForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("Choose Manager or Member.")
        actions.membership_set_role(
            actor=request.user, membership=membership, role=form.cleaned_data["role"]
        )
    except ValidationError as exc:
        _refusal(request, exc)
    else:
        messages.success(request, f"{membership.user.name} is now a {membership.role}.")
    return redirect("groups:roles", group_id=group.pk)


@login_required
@require_POST
def owner_transfer(request: AuthenticatedRequest, group_id: int) -> HttpResponse:
    group, caps = group_for_user(request.user, group_id)
    require(caps.change_roles and caps.transfer_ownership)
    membership = _group_membership(group, _posted_id(request, "new_owner"))
    try:
        actions.group_transfer_ownership(actor=request.user, group=group, new_owner=membership.user)
    except ValidationError as exc:
        _refusal(request, exc)
    else:
        messages.success(request, f"{membership.user.name} now owns the group.")
    return redirect("groups:roles", group_id=group.pk)


@login_required
@require_GET
def owner_transfer_confirm(request: AuthenticatedRequest, group_id: int) -> HttpResponse:
    """The confirm page of "Transfer Ownership": the POST goes to ``owner_transfer``."""
    group, caps = group_for_user(request.user, group_id)
    require(caps.change_roles and caps.transfer_ownership)
    membership = _group_membership(group, _query_id(request, "new_owner"))
    return confirm_page(
        request,
        title=f"Transfer ownership to {membership.user.name}?",
        lines=[
            f"{membership.user.name} becomes the owner of {group.name}.",
            "Only the new owner can hand the group back to you.",
        ],
        action=reverse("groups:owner_transfer", args=[group.pk]),
        fields=[("new_owner", membership.pk)],
        confirm_label="Transfer Ownership",
        back_url=reverse("groups:roles", args=[group.pk]),
    )


# --- Joining and leaving --------------------------------------------------------------


@login_required
@require_POST
def group_join(request: AuthenticatedRequest, group_id: int) -> HttpResponse:
    group, caps = group_for_user(request.user, group_id)
    require(caps.join)
    try:
        actions.group_join(actor=request.user, group=group)
        messages.success(request, f'You joined "{group.name}".')
    except ValidationError as exc:
        _refusal(request, exc)
    return _detail(group)


@login_required
@require_POST
def group_leave(request: AuthenticatedRequest, group_id: int) -> HttpResponse:
    group, caps = group_for_user(request.user, group_id)
    require(caps.is_member)
    try:
        actions.group_leave(actor=request.user, group=group)
    except ValidationError as exc:
        _refusal(request, exc)
        return _detail(group)
    messages.success(request, f'You left "{group.name}".')
    # After leaving, the group may be out of sight (customers, Unlisted groups).
    return redirect("groups:list")


@login_required
@require_POST
def join_request_create(request: AuthenticatedRequest, group_id: int) -> HttpResponse:
    group, caps = group_for_user(request.user, group_id)
    require(caps.ask_to_join)
    try:
        actions.join_request_create(actor=request.user, group=group)
        messages.success(request, "Your request to join was sent to the group's managers.")
    except ValidationError as exc:
        _refusal(request, exc)
    return _detail(group)


def _join_request(group: Group, request_id: int) -> JoinRequest:
    join_request = get_object_or_404(
        JoinRequest.objects.select_related("user"), pk=request_id, group=group
    )
    join_request.group = group
    return join_request


@login_required
@require_POST
def join_request_accept(
    request: AuthenticatedRequest, group_id: int, request_id: int
) -> HttpResponse:
    group, caps = group_for_user(request.user, group_id)
    require(caps.manage_members)
    join_request = _join_request(group, request_id)
    try:
        actions.join_request_accept(actor=request.user, join_request=join_request)
        messages.success(request, f"{join_request.user.name} is now a member.")
    except ValidationError as exc:
        _refusal(request, exc)
    return _detail(group, "requests")


@login_required
@require_POST
def join_request_decline(
    request: AuthenticatedRequest, group_id: int, request_id: int
) -> HttpResponse:
    group, caps = group_for_user(request.user, group_id)
    require(caps.manage_members)
    join_request = _join_request(group, request_id)
    try:
        actions.join_request_decline(actor=request.user, join_request=join_request)
        messages.success(request, f"Declined the request of {join_request.user.name}.")
    except ValidationError as exc:
        _refusal(request, exc)
    return _detail(group, "requests")


# --- Feed -----------------------------------------------------------------------------


def _posted_body(form: PostForm | CommentForm) -> str:
    """The cleaned text of a post or comment form, or its errors as a ValidationError."""
    if not form.is_valid():
        raise ValidationError([m for messages_ in form.errors.values() for m in messages_])
    body: str = form.cleaned_data["body"]
    return body


@login_required
@require_POST
def post_create(request: AuthenticatedRequest, group_id: int) -> HttpResponse:
    """ "Share" a post ("Write a post" box)."""
    group, caps = group_for_user(request.user, group_id)
    require(caps.post)
    try:
        body = _posted_body(PostForm(request.POST))
        actions.post_create(actor=request.user, group=group, body=body)
    except ValidationError as exc:
        _refusal(request, exc)
    return _detail(group, "feed")


@login_required
@require_POST
def comment_create(request: AuthenticatedRequest, post_id: int) -> HttpResponse:
    post, caps = post_for_user(request.user, post_id)
    require(caps.comment)
    try:
        body = _posted_body(CommentForm(request.POST))
        actions.comment_create(actor=request.user, post=post, body=body)
    except ValidationError as exc:
        _refusal(request, exc)
    return _detail(post.group, f"post-{post.pk}")


@login_required
@require_POST
def post_delete(request: AuthenticatedRequest, post_id: int) -> HttpResponse:
    post, caps = post_for_user(request.user, post_id)
    require(post_deletable(user=request.user, post=post, caps=caps))
    actions.post_delete(actor=request.user, post=post)
    messages.success(request, "Post deleted.")
    return _detail(post.group, "feed")


# --- People ---------------------------------------------------------------------------


@login_required
@require_GET
def people(request: AuthenticatedRequest) -> HttpResponse:
    """The "People" tab: everyone the viewer may see (customers: their co-members)."""
    form = SearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    page = page_get(
        selectors.people_list(request.user, query=query),
        request.GET.get("page"),
        selectors.PEOPLE_PAGE_SIZE,
        search=bool(query),
    )
    return render(request, "groups/people.html", {"form": form, "query": query, "people": page})


@login_required
@require_GET
def search(request: AuthenticatedRequest) -> HttpResponse:
    """The global header's search box: groups and people the viewer may see."""
    form = SearchForm(request.GET)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    results = selectors.global_search(request.user, query=query)
    return render(
        request,
        "groups/search.html",
        {"search_query": query, "groups": results["groups"], "people": results["people"]},
    )


@login_required
@require_GET
def profile(request: AuthenticatedRequest, user_id: int) -> HttpResponse:
    """A user's profile: name, title, company, and their groups the viewer may also see."""
    person = person_for_user(request.user, user_id)
    return render(
        request,
        "groups/profile.html",
        {"person": person, "groups": list(selectors.groups_of_person(request.user, person))},
    )
