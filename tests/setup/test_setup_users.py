"""Setup › Manage Users › Users: list, New User, edit, permission set assignments."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import PermissionSet, PermissionSetAssignment, Profile, User, ValidationRule
from accounts.permissions import Perm
from chatterorg.models import AuditEvent, Licence
from tests.chatterorg import fixtures
from tests.chatterorg.pages import control, is_checked, labels, option_texts
from tests.factories import PASSWORD, CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

# Shared Setup fixtures (tests/chatterorg/fixtures.py).
admin_client = fixtures.admin_client
user_client = fixtures.user_client
user_manager = fixtures.user_manager

USERS = reverse("setup:users")
NEW = reverse("setup:user_new")


def detail(user: User) -> str:
    return reverse("setup:user_detail", args=[user.pk])


def edit(user: User) -> str:
    return reverse("setup:user_edit", args=[user.pk])


def new_user_data(**changes) -> dict[str, object]:
    data = {
        "first_name": "Jane",
        "last_name": "Doe",
        "email": "jane@acme.example",
        "username": "jane@acme.example",
        "company_name": "Acme Corporation",
        "department": "Sales",
        "title": "Account Executive",
        "profile": Profile.objects.get(name=Profile.STANDARD_USER).pk,
        "is_active": "on",
        "password": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def edit_data(user: User, **changes) -> dict[str, object]:
    data = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "username": user.username,
        "company_name": user.company_name,
        "department": user.department,
        "title": user.title,
        "profile": user.profile_id,
        "is_active": "on" if user.is_active else None,
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def salesforce_used() -> int:
    return Licence.objects.get(name="Salesforce").used


def department_rule(location: str = "Department") -> ValidationRule:
    return ValidationRule.objects.create(
        name="Require Department",
        active=True,
        formula="ISBLANK(Department)",
        error_message="Department is required.",
        error_location=location,
    )


# The list ---------------------------------------------------------------------


def test_users_list_shows_name_username_profile_and_a_new_user_button(admin_client, admin_user):
    other = UserFactory(first_name="Nora", last_name="Patel")

    html = admin_client.get(USERS).content.decode()

    assert "<h1>All Users</h1>" in html
    assert f'<a href="{detail(other)}">Nora Patel</a>' in html
    assert other.username in html
    assert "Standard User" in html
    assert "System Administrator" in html
    assert f'href="{NEW}">New User</a>' in html


def test_users_list_marks_customers(admin_client):
    CustomerFactory()

    assert "badge--customer" in admin_client.get(USERS).content.decode()


def test_users_list_search_by_name_username_or_email(admin_client):
    UserFactory(first_name="Nora", last_name="Patel", username="nora@acme.example")
    UserFactory(first_name="Casey", last_name="Nguyen", username="casey@acme.example")

    by_name = admin_client.get(USERS, {"q": "patel"}).content.decode()
    by_username = admin_client.get(USERS, {"q": "casey@"}).content.decode()

    assert "Nora Patel" in by_name
    assert "Casey Nguyen" not in by_name
    assert "Casey Nguyen" in by_username
    assert "Nora Patel" not in by_username
    assert 'value="patel"' in by_name
    assert "No users match" in admin_client.get(USERS, {"q": "zzz"}).content.decode()


def test_users_list_is_paginated_and_keeps_the_search(admin_client):
    UserFactory.create_batch(30, last_name="Zed")

    first = admin_client.get(USERS, {"q": "zed"}).content.decode()
    second = admin_client.get(USERS, {"q": "zed", "page": 2}).content.decode()

    assert first.count("<tr>") - 1 == 25
    assert second.count("<tr>") - 1 == 5
    assert 'href="?q=zed&amp;page=2"' in first
    assert "Page 1 of 2" in first


def test_users_list_is_an_slds_data_table(admin_client):
    html = admin_client.get(USERS).content.decode()
    assert '<table class="slds-table slds-table_bordered slds-table_cell-buffer">' in html


@pytest.mark.parametrize("rows", [1, 30])
def test_users_list_query_count_does_not_grow(admin_client, django_assert_num_queries, rows):
    UserFactory.create_batch(rows - 1, last_name="Zed")  # plus the admin

    # session, user with their profile, the user's permission sets, count,
    # the page of users with their profiles, the org (header)
    with django_assert_num_queries(6):
        response = admin_client.get(USERS)

    assert response.content.decode().count("<tr>") - 1 == min(rows, 25)


def test_standard_user_cannot_list_users(user_client):
    assert user_client.get(USERS).status_code == 403


# New User ---------------------------------------------------------------------


def test_new_user_form_has_the_salesforce_fields(admin_client):
    html = admin_client.get(NEW).content.decode()

    assert "<h1>New User</h1>" in html
    for label in (
        "First Name",
        "Last Name",
        "Email",
        "Username",
        "Company Name",
        "Department",
        "Title",
        "Profile",
        "Active",
        "Password",
    ):
        assert label in labels(html), label
    assert control(html, "Password")["type"] == "password"
    assert is_checked(html, "Active")


def test_new_user_profiles_exclude_the_customer_profile(admin_client):
    options = option_texts(admin_client.get(NEW).content, "Profile")

    assert Profile.CHATTER_EXTERNAL_USER not in options
    assert {Profile.SYSTEM_ADMINISTRATOR, Profile.STANDARD_USER} <= set(options)


def test_admin_creates_a_user_who_uses_a_licence_and_is_audited(admin_client, admin_user):
    before = salesforce_used()

    response = admin_client.post(NEW, new_user_data())

    jane = User.objects.get(username="jane@acme.example")
    assert response.status_code == 302
    assert response.url == detail(jane)
    assert (jane.first_name, jane.department, jane.title) == ("Jane", "Sales", "Account Executive")
    assert jane.profile.name == Profile.STANDARD_USER
    assert jane.user_type == User.UserType.STANDARD
    assert jane.is_active
    assert salesforce_used() == before + 1
    event = AuditEvent.objects.get(action="user.created")
    assert event.actor == admin_user
    assert "jane@acme.example" in event.display


def test_without_a_password_the_user_cannot_log_in(admin_client):
    admin_client.post(NEW, new_user_data())

    assert not User.objects.get(username="jane@acme.example").has_usable_password()


def test_with_a_password_the_user_can_log_in(admin_client):
    admin_client.post(NEW, new_user_data(password=PASSWORD))

    assert User.objects.get(username="jane@acme.example").check_password(PASSWORD)


def test_a_weak_password_is_refused_at_the_password_field(admin_client):
    response = admin_client.post(NEW, new_user_data(password="short"))

    assert response.status_code == 200
    assert control(response.content, "Password")["aria-invalid"] == "true"
    assert "too short" in response.content.decode()
    assert not User.objects.filter(username="jane@acme.example").exists()


def test_a_username_that_is_not_an_email_address_is_refused(admin_client):
    response = admin_client.post(NEW, new_user_data(username="jane"))

    assert control(response.content, "Username")["aria-invalid"] == "true"
    assert not User.objects.filter(username="jane").exists()


def test_a_username_taken_in_another_case_is_refused(admin_client):
    UserFactory(username="jane@acme.example")
    users, events = User.objects.count(), AuditEvent.objects.count()

    response = admin_client.post(NEW, new_user_data(username="JANE@acme.example"))

    assert "Duplicate Username" in response.content.decode()
    assert control(response.content, "Username")["aria-invalid"] == "true"
    assert (User.objects.count(), AuditEvent.objects.count()) == (users, events)


def test_the_customer_profile_cannot_be_posted(admin_client):
    external = Profile.objects.get(name=Profile.CHATTER_EXTERNAL_USER)

    response = admin_client.post(NEW, new_user_data(profile=external.pk))

    assert response.status_code == 200
    assert control(response.content, "Profile")["aria-invalid"] == "true"
    assert not User.objects.filter(username="jane@acme.example").exists()


def test_validation_rule_message_shows_at_its_field(admin_client):
    department_rule(location="Department")
    before = salesforce_used()

    response = admin_client.post(NEW, new_user_data(department=""))

    html = response.content.decode()
    assert response.status_code == 200
    assert control(html, "Department")["aria-invalid"] == "true"
    assert "Department is required." in html
    assert not User.objects.filter(username="jane@acme.example").exists()
    assert salesforce_used() == before
    assert not AuditEvent.objects.exists()


def test_validation_rule_message_shows_at_the_top_of_the_page(admin_client):
    department_rule(location=ValidationRule.TOP_OF_PAGE)

    response = admin_client.post(NEW, new_user_data(department=""))

    html = response.content.decode()
    top = html.index('class="panel form-errors" role="alert"')
    assert top < html.index("Department is required.") < html.index("General Information")
    assert "aria-invalid" not in control(html, "Department")
    assert not User.objects.filter(username="jane@acme.example").exists()


def test_no_licence_left_shows_a_clear_message_and_writes_nothing(admin_client):
    Licence.objects.filter(name="Salesforce").update(total=salesforce_used())

    response = admin_client.post(NEW, new_user_data())

    html = response.content.decode()
    assert "No Salesforce licenses are left." in html
    assert 'role="alert"' in html
    assert not User.objects.filter(username="jane@acme.example").exists()
    assert not AuditEvent.objects.exists()


def test_standard_user_cannot_create_users(user_client):
    response = user_client.post(NEW, new_user_data())

    assert response.status_code == 403
    assert not User.objects.filter(username="jane@acme.example").exists()


# Edit ---------------------------------------------------------------------------


def test_edit_form_shows_the_current_values(admin_client):
    nora = UserFactory(department="Sales")

    html = admin_client.get(edit(nora)).content.decode()

    assert control(html, "Department")["value"] == "Sales"
    assert control(html, "Username")["value"] == nora.username
    assert "Password" not in labels(html)


def test_admin_edits_a_user_and_the_change_is_audited(admin_client, admin_user):
    nora = UserFactory(department="Sales")

    response = admin_client.post(edit(nora), edit_data(nora, department="Support"))

    assert response.status_code == 302
    nora.refresh_from_db()
    assert nora.department == "Support"
    event = AuditEvent.objects.get(action="user.changed")
    assert (event.actor, event.old_value, event.new_value) == (admin_user, "Sales", "Support")


def test_deactivating_a_user_frees_the_licence(admin_client):
    nora = UserFactory()
    before = salesforce_used()

    admin_client.post(edit(nora), edit_data(nora, is_active=None, confirm="1"))

    nora.refresh_from_db()
    assert nora.is_active is False
    assert salesforce_used() == before - 1


def test_unticking_active_asks_first_and_changes_nothing(admin_client):
    nora = UserFactory(department="Sales")
    before = salesforce_used()

    response = admin_client.post(edit(nora), edit_data(nora, is_active=None, department="Support"))

    html = response.content.decode()
    assert response.status_code == 200
    assert f'<h1 id="confirm-title">Deactivate {nora.name}?</h1>' in html
    assert f'action="{edit(nora)}"' in html
    # The confirm page posts the same form again, confirmed.
    assert 'name="department" value="Support"' in html
    assert 'name="confirm" value="1"' in html
    assert 'name="is_active"' not in html
    assert ">Deactivate</button>" in html
    nora.refresh_from_db()
    assert nora.is_active and nora.department == "Sales"
    assert salesforce_used() == before
    assert not AuditEvent.objects.filter(action="user.changed").exists()


def test_the_confirm_page_posts_the_deactivation(admin_client):
    nora = UserFactory()
    page = admin_client.post(edit(nora), edit_data(nora, is_active=None))
    fields = {tag["name"]: tag["value"] for tag in _hidden_inputs(page.content.decode())}

    response = admin_client.post(edit(nora), fields)

    assert response.status_code == 302
    nora.refresh_from_db()
    assert nora.is_active is False


def _hidden_inputs(html: str) -> list[dict[str, str]]:
    return [
        dict(re.findall(r'(\w+)="([^"]*)"', tag))
        for tag in re.findall(r'<input type="hidden"[^>]*>', html)
        if "csrfmiddlewaretoken" not in tag
    ]


def test_the_edit_form_of_an_active_user_asks_in_a_modal_when_active_is_unticked(
    admin_client,
):
    nora = UserFactory()
    html = admin_client.get(edit(nora)).content.decode()
    assert 'data-confirm-when="unchecked"' in html
    assert '<template id="deactivate-confirm">' in html
    inactive = UserFactory(is_active=False)
    assert "data-confirm-on" not in admin_client.get(edit(inactive)).content.decode()


def test_a_user_without_manage_users_gets_no_confirm_page(user_client):
    nora = UserFactory()
    response = user_client.post(edit(nora), edit_data(nora, is_active=None))
    assert response.status_code == 403
    nora.refresh_from_db()
    assert nora.is_active


def test_admin_cannot_deactivate_themselves(admin_client, admin_user):
    response = admin_client.post(edit(admin_user), edit_data(admin_user, is_active=None))

    assert "You can&#x27;t deactivate your own user." in response.content.decode()
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_admin_cannot_change_their_own_profile(admin_client, admin_user):
    standard = Profile.objects.get(name=Profile.STANDARD_USER)

    response = admin_client.post(edit(admin_user), edit_data(admin_user, profile=standard.pk))

    assert control(response.content, "Profile")["aria-invalid"] == "true"
    admin_user.refresh_from_db()
    assert admin_user.profile.name == Profile.SYSTEM_ADMINISTRATOR


def test_validation_rule_blocks_an_edit_and_nothing_changes(admin_client):
    nora = UserFactory(department="Sales")
    department_rule()

    response = admin_client.post(edit(nora), edit_data(nora, department=""))

    assert "Department is required." in response.content.decode()
    nora.refresh_from_db()
    assert nora.department == "Sales"
    assert not AuditEvent.objects.exists()


def test_a_customer_keeps_the_customer_profile(admin_client):
    customer = CustomerFactory()

    html = admin_client.get(edit(customer)).content.decode()

    assert option_texts(html, "Profile") == ["--None--", Profile.CHATTER_EXTERNAL_USER]


def test_editing_an_unknown_user_is_not_found(admin_client):
    assert admin_client.get(reverse("setup:user_edit", args=[999999])).status_code == 404
    assert admin_client.get(reverse("setup:user_detail", args=[999999])).status_code == 404


def test_standard_user_cannot_edit_users(user_client):
    nora = UserFactory(department="Sales")

    response = user_client.post(edit(nora), edit_data(nora, department="Support"))

    assert response.status_code == 403
    nora.refresh_from_db()
    assert nora.department == "Sales"


# Detail and permission set assignments ---------------------------------------------


@pytest.fixture
def inviters(db) -> PermissionSet:
    return PermissionSet.objects.create(
        label="Chatter Customer Inviters",
        api_name="Chatter_Customer_Inviters",
        permissions=[Perm.INVITE_CUSTOMERS],
    )


def test_user_detail_shows_profile_sets_and_permissions(admin_client, inviters):
    nora = UserFactory(first_name="Nora", last_name="Patel")
    PermissionSetAssignment.objects.create(user=nora, permission_set=inviters)

    html = admin_client.get(detail(nora)).content.decode()

    assert "<h1>User: Nora Patel</h1>" in html
    assert Profile.STANDARD_USER in html
    assert "Chatter Customer Inviters" in html
    assert 'aria-label="Remove Chatter Customer Inviters">Remove</button>' in html
    assert "<li>Invite Customers To Chatter</li>" in html
    assert "<li>Create and Own New Chatter Groups</li>" in html


def test_assign_select_offers_only_sets_not_yet_assigned(admin_client, inviters):
    other = PermissionSet.objects.create(label="Other Set", api_name="Other_Set")
    nora = UserFactory()
    PermissionSetAssignment.objects.create(user=nora, permission_set=other)

    options = option_texts(admin_client.get(detail(nora)).content, "Permission Set")

    assert options == ["--None--", "Chatter Customer Inviters"]


def test_admin_assigns_a_permission_set(admin_client, admin_user, inviters):
    nora = UserFactory()
    url = reverse("setup:user_permission_set_assign", args=[nora.pk])

    response = admin_client.post(url, {"permission_set": inviters.pk}, follow=True)

    assert response.redirect_chain == [(detail(nora), 302)]
    assert "Permission set Chatter Customer Inviters assigned." in response.content.decode()
    assert PermissionSetAssignment.objects.filter(user=nora, permission_set=inviters).exists()
    event = AuditEvent.objects.get(action="permission_set.assigned")
    assert event.actor == admin_user


def test_admin_removes_a_permission_set(admin_client, admin_user, inviters):
    nora = UserFactory()
    PermissionSetAssignment.objects.create(user=nora, permission_set=inviters)
    url = reverse("setup:user_permission_set_unassign", args=[nora.pk, inviters.pk])

    response = admin_client.post(url)

    assert response.status_code == 302
    assert not PermissionSetAssignment.objects.filter(user=nora).exists()
    assert AuditEvent.objects.get(action="permission_set.unassigned").actor == admin_user


def test_assignment_endpoints_accept_only_post(admin_client, inviters):
    nora = UserFactory()
    PermissionSetAssignment.objects.create(user=nora, permission_set=inviters)

    assign = reverse("setup:user_permission_set_assign", args=[nora.pk])
    remove = reverse("setup:user_permission_set_unassign", args=[nora.pk, inviters.pk])
    assert admin_client.get(assign).status_code == 405
    assert admin_client.get(remove).status_code == 405
    assert PermissionSetAssignment.objects.filter(user=nora).count() == 1


def test_customers_cannot_be_assigned_permission_sets(admin_client, inviters):
    customer = CustomerFactory()
    url = reverse("setup:user_permission_set_assign", args=[customer.pk])

    response = admin_client.post(url, {"permission_set": inviters.pk}, follow=True)

    assert "cannot be assigned to customers" in response.content.decode()
    assert not PermissionSetAssignment.objects.filter(user=customer).exists()
    assert not AuditEvent.objects.exists()


def test_assigning_an_unknown_set_or_to_an_unknown_user(admin_client, inviters):
    nora = UserFactory()
    unknown_user = reverse("setup:user_permission_set_assign", args=[999999])
    unknown_set = reverse("setup:user_permission_set_unassign", args=[nora.pk, 999999])

    assert admin_client.post(unknown_user, {"permission_set": inviters.pk}).status_code == 404
    assert admin_client.post(unknown_set).status_code == 404
    admin_client.post(
        reverse("setup:user_permission_set_assign", args=[nora.pk]), {"permission_set": 999999}
    )
    assert not PermissionSetAssignment.objects.exists()


def test_standard_user_cannot_assign_permission_sets(user_client, user, inviters):
    url = reverse("setup:user_permission_set_assign", args=[user.pk])

    response = user_client.post(url, {"permission_set": inviters.pk})

    assert response.status_code == 403
    assert not PermissionSetAssignment.objects.exists()


def test_an_assignment_takes_effect_on_the_next_request(admin_client, user):
    customizers = PermissionSet.objects.create(
        label="Customizers", api_name="Customizers", permissions=[Perm.CUSTOMIZE_APPLICATION]
    )
    client = Client()  # the user's own browser, beside the admin's
    client.force_login(user)
    assert client.get(reverse("setup:chatter_settings")).status_code == 403

    admin_client.post(
        reverse("setup:user_permission_set_assign", args=[user.pk]),
        {"permission_set": customizers.pk},
    )

    assert client.get(reverse("setup:chatter_settings")).status_code == 200


def test_user_manager_without_customize_application_manages_users(client, user_manager):
    client.force_login(user_manager)

    response = client.post(NEW, new_user_data())

    assert response.status_code == 302
    assert User.objects.filter(username="jane@acme.example").exists()
