"""Setup › Customize › Chatter › Settings."""

from __future__ import annotations

import pytest
from django.urls import reverse

from chatterorg.actions import org_settings_update
from chatterorg.models import AuditEvent, Organization
from tests.chatterorg.pages import control, is_checked

pytestmark = pytest.mark.django_db

URL = reverse("setup:chatter_settings")
CHECKBOXES = [
    "Allow Customer Invitations",
    "Allow Coworker Invitations",
    "Enable Unlisted Groups",
    "Show validation rule errors to customers",
]


def form_data(org: Organization, **changes) -> dict[str, object]:
    """What the browser posts for ``org``'s current settings, with ``changes``."""
    values = {
        "allow_customer_invitations": org.allow_customer_invitations,
        "allow_coworker_invitations": org.allow_coworker_invitations,
        "enable_unlisted_groups": org.enable_unlisted_groups,
        "show_validation_errors_to_customers": org.show_validation_errors_to_customers,
        "invitation_expiry_days": org.invitation_expiry_days,
        "invitations_per_day": org.invitations_per_day,
        "invitation_reminders": org.invitation_reminders,
        "invitation_reminder_days": org.invitation_reminder_days,
        "company_email_domains": org.company_email_domains,
        "customer_domain_rule": org.customer_domain_rule,
        "customer_domains": org.customer_domains,
        "customer_access_days": org.customer_access_days,
        **changes,
    }
    # An unticked checkbox is not posted at all.
    return {key: ("on" if value is True else value) for key, value in values.items() if value}


def test_page_shows_the_settings_as_labelled_fields(admin_client, org):
    response = admin_client.get(URL)

    html = response.content.decode()
    assert "<h1>Chatter Settings</h1>" in html
    assert "<title>Chatter Settings" in html
    for label in CHECKBOXES:
        assert control(html, label)["type"] == "checkbox"
    assert control(html, "Invitation expiry (days)")["value"] == "60"
    assert control(html, "Customer invitations per inviter per 24 hours")["type"] == "number"
    assert not is_checked(html, "Allow Customer Invitations")
    assert '<button type="submit">Save</button>' in html


def test_ticking_allow_customer_invitations_persists_and_is_audited(admin_client, admin_user, org):
    response = admin_client.post(URL, form_data(org, allow_customer_invitations=True), follow=True)

    assert response.redirect_chain == [(URL, 302)]
    assert "Your Chatter settings have been saved." in response.content.decode()
    org.refresh_from_db()
    assert org.allow_customer_invitations is True
    event = AuditEvent.objects.get()
    assert event.actor == admin_user
    assert event.section == "Chatter Settings"
    assert (event.old_value, event.new_value) == ("Unchecked", "Checked")
    assert "Allow Customer Invitations" in event.display
    # The reload shows it ticked.
    assert is_checked(admin_client.get(URL).content, "Allow Customer Invitations")


def test_unticking_is_audited_too(admin_client, customers_allowed):
    admin_client.post(URL, form_data(customers_allowed, allow_customer_invitations=False))

    customers_allowed.refresh_from_db()
    assert customers_allowed.allow_customer_invitations is False
    event = AuditEvent.objects.get()
    assert (event.old_value, event.new_value) == ("Checked", "Unchecked")


def test_each_changed_setting_gets_its_own_audit_event(admin_client, org):
    admin_client.post(URL, form_data(org, enable_unlisted_groups=True, invitation_expiry_days=30))

    assert sorted(AuditEvent.objects.values_list("old_value", "new_value")) == [
        ("60", "30"),
        ("Unchecked", "Checked"),
    ]


def test_saving_without_changes_writes_no_audit_event(admin_client, org):
    response = admin_client.post(URL, form_data(org))

    assert response.status_code == 302
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("days", [0, 366, "soon"])
def test_invalid_expiry_is_refused_and_nothing_is_written(admin_client, org, days):
    response = admin_client.post(
        URL, form_data(org, allow_customer_invitations=True, invitation_expiry_days=days)
    )

    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert control(response.content, "Invitation expiry (days)")["aria-invalid"] == "true"
    org.refresh_from_db()
    assert org.allow_customer_invitations is False
    assert org.invitation_expiry_days == 60
    assert not AuditEvent.objects.exists()


def test_standard_user_cannot_change_the_settings(user_client, org):
    response = user_client.post(URL, form_data(org, allow_customer_invitations=True))

    assert response.status_code == 403
    org.refresh_from_db()
    assert org.allow_customer_invitations is False
    assert not AuditEvent.objects.exists()


def test_the_form_needs_a_csrf_token(admin_user, org):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)

    response = client.post(URL, form_data(org, allow_customer_invitations=True))

    assert response.status_code == 403
    org.refresh_from_db()
    assert org.allow_customer_invitations is False


def test_action_validates_before_writing(admin_user, org):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        org_settings_update(
            actor=admin_user, allow_customer_invitations=True, invitation_expiry_days=0
        )

    org.refresh_from_db()
    assert org.allow_customer_invitations is False
    assert not AuditEvent.objects.exists()


def test_action_refuses_unknown_settings(admin_user, org):
    with pytest.raises(TypeError):
        org_settings_update(actor=admin_user, name="Evil Corp")

    org.refresh_from_db()
    assert org.name == "Acme Corporation"
