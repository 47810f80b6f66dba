"""Setup › Users › Customers: every customer with sponsor, groups and access end; and the
page where an admin reassigns a customer's sponsor or sets "Access ends on".

Open to "Manage Users". The list's query count does not depend on the number of
customers: a capped count, one page of rows (sponsor joined), and one query for
the groups of that page.
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts.guests import customer_access_set
from accounts.http import AuthenticatedRequest
from accounts.models import User, user_search_q
from accounts.permissions import Perm
from chatterorg.forms import form_refusal_add
from chatterorg.pagination import page_get
from groups.selectors import group_names_attach
from setup.access import setup_required

PAGE_SIZE = 25
manage_users_required = setup_required(Perm.MANAGE_USERS)


class CustomerFilterForm(forms.Form):
    q = forms.CharField(label="Search customers", max_length=100, required=False)
    company = forms.CharField(label="Company", max_length=80, required=False)
    sponsor = forms.CharField(label="Sponsor", max_length=80, required=False)
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[
            ("", "All"),
            ("active", "Active"),
            ("inactive", "Inactive"),
            ("ending", "Access ends within 30 days"),
        ],
    )


class CustomerAccessForm(forms.Form):
    sponsor = forms.CharField(
        label="Sponsor",
        max_length=80,
        required=False,
        help_text="The username of an active user of the company; empty for none.",
    )
    access_ends_on = forms.DateField(
        label="Access ends on",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Empty: access does not end.",
    )

    def clean_sponsor(self) -> User | None:
        username = self.cleaned_data["sponsor"].strip()
        if not username:
            return None
        sponsor = User.objects.with_username(username).first()
        if sponsor is None:
            raise ValidationError("No user has this username.", code="unknown_user")
        return sponsor


@manage_users_required
@require_http_methods(["GET"])
def customers(request: AuthenticatedRequest) -> HttpResponse:
    """Customers: username, company, sponsor, groups, last login, access ends; filters."""
    form = CustomerFilterForm(request.GET)
    form.is_valid()
    data = form.cleaned_data
    found = User.objects.filter(user_type=User.UserType.CHATTER_GUEST).select_related("sponsor")
    if query := (data.get("q") or "").strip():
        found = found.filter(user_search_q(query, email=True))
    if company := (data.get("company") or "").strip():
        found = found.filter(company_name__icontains=company)
    if sponsor := (data.get("sponsor") or "").strip():
        found = found.filter(user_search_q(sponsor, via="sponsor__"))
    status = data.get("status") or ""
    if status == "active":
        found = found.filter(is_active=True)
    elif status == "inactive":
        found = found.filter(is_active=False)
    elif status == "ending":
        today = timezone.localdate()
        found = found.filter(
            is_active=True, access_ends_on__lte=today + timedelta(days=30)
        ).order_by("access_ends_on", "pk")
    page = page_get(found, request.GET.get("page"), PAGE_SIZE, search=bool(query))
    # Their groups' names in one query of names alone (no group or membership objects).
    page.object_list = group_names_attach(page.object_list)
    query_string = request.GET.copy()
    query_string.pop("page", None)
    return render(
        request,
        "setup/customers.html",
        {"form": form, "page": page, "query_without_page": query_string.urlencode()},
    )


@manage_users_required
@require_http_methods(["GET", "POST"])
def user_customer_access(request: AuthenticatedRequest, user_id: int) -> HttpResponse:
    """A customer's sponsor and "Access ends on"."""
    customer = get_object_or_404(
        User.objects.select_related("sponsor"),
        pk=user_id,
        user_type=User.UserType.CHATTER_GUEST,
    )
    if request.method == "POST":
        form = CustomerAccessForm(request.POST)
        if form.is_valid():
            try:
                customer_access_set(
                    actor=request.user,
                    user=customer,
                    sponsor=form.cleaned_data["sponsor"],
                    access_ends_on=form.cleaned_data["access_ends_on"],
                )
            except ValidationError as exc:
                form_refusal_add(form, exc)
            else:
                messages.success(request, "Your changes have been saved.")
                return redirect("setup:user_detail", user_id=customer.pk)
    else:
        form = CustomerAccessForm(
            initial={
                "sponsor": customer.sponsor.username if customer.sponsor else "",
                "access_ends_on": customer.access_ends_on,
            }
        )
    return render(request, "setup/user_customer_access.html", {"form": form, "customer": customer})
