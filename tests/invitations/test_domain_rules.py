"""Company email domains and the customer domain rule: who may be invited as a customer."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from chatterorg.actions import org_settings_update
from chatterorg.domains import domain_matches, domain_patterns_parse
from chatterorg.models import AuditEvent, Organization
from invitations.actions import invitations_send, invite_request_clean
from invitations.models import Invitation
from tests.factories import UserFactory


def _send(council, *addresses):
    invite = invite_request_clean(addresses=list(addresses), message="")
    return {
        o.email: o.status
        for o in invitations_send(actor=council.morgan, group=council, invite=invite)
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("globex.example", ["globex.example"]),
        (
            "Globex.Example, *.INITECH.example\n@umbrella.example",
            ["globex.example", "*.initech.example", "umbrella.example"],
        ),
        ("bücher.example", ["xn--bcher-kva.example"]),
        ("a.example a.example", ["a.example"]),
    ],
)
def test_patterns_are_normalised(text, expected):
    assert domain_patterns_parse(text) == expected


@pytest.mark.parametrize("bad", ["globex", "*globex.example", "-bad.example", "a..example", "x@"])
def test_a_pattern_that_is_no_domain_is_refused(bad):
    with pytest.raises(ValidationError):
        domain_patterns_parse(bad)


def test_a_wildcard_matches_subdomains_only():
    patterns = ["*.globex.example"]
    assert domain_matches("eu.globex.example", patterns)
    assert domain_matches("a.b.globex.example", patterns)
    assert not domain_matches("globex.example", patterns)
    assert not domain_matches("notglobex.example", patterns)


def _settings(org, **values):
    for name, value in values.items():
        setattr(org, name, value)
    org.full_clean()
    org.save()


def test_an_address_in_a_company_domain_is_never_invited_as_a_customer(council, org):
    _settings(org, company_email_domains="acme.example, *.acme.example")

    outcomes = _send(council, "new.hire@acme.example", "x@eu.acme.example", "jane@globex.example")

    assert outcomes == {
        "new.hire@acme.example": "CompanyDomain",
        "x@eu.acme.example": "CompanyDomain",
        "jane@globex.example": "Invited",
    }
    assert list(Invitation.objects.values_list("email", flat=True)) == ["jane@globex.example"]


def test_an_existing_coworker_in_the_company_domain_is_still_added(council, org):
    _settings(org, company_email_domains="acme.example")
    coworker = UserFactory(email="pat@acme.example")

    assert _send(council, "pat@acme.example") == {"pat@acme.example": "ActedUponUser"}
    assert council.memberships.filter(user=coworker).exists()


def test_an_allow_list_lets_only_its_domains_in_with_idna_spellings(council, org):
    _settings(
        org, customer_domain_rule="allow", customer_domains="bücher.example\n*.globex.example"
    )

    outcomes = _send(
        council, "anna@xn--bcher-kva.example", "li@eu.globex.example", "raj@initech.example"
    )

    assert outcomes == {
        "anna@xn--bcher-kva.example": "Invited",
        "li@eu.globex.example": "Invited",
        "raj@initech.example": "BlockedByDomainRule",
    }
    assert Invitation.objects.count() == 2


def test_a_deny_list_keeps_its_domains_out(council, org):
    _settings(
        org, customer_domain_rule="deny", customer_domains="*.initech.example initech.example"
    )

    outcomes = _send(council, "raj@initech.example", "x@dev.initech.example", "jane@globex.example")

    assert outcomes["raj@initech.example"] == "BlockedByDomainRule"
    assert outcomes["x@dev.initech.example"] == "BlockedByDomainRule"
    assert outcomes["jane@globex.example"] == "Invited"


def test_a_blocked_request_writes_nothing(council, org):
    _settings(org, customer_domain_rule="allow", customer_domains="globex.example")

    assert _send(council, "raj@initech.example") == {"raj@initech.example": "BlockedByDomainRule"}
    assert not Invitation.objects.exists()
    assert not AuditEvent.objects.filter(section="Chatter Invitations").exists()


def test_a_resend_of_a_pending_invitation_now_blocked_is_not_sent(council, org):
    _send(council, "raj@initech.example")
    _settings(org, customer_domain_rule="deny", customer_domains="initech.example")
    before = Invitation.objects.get().sent_at

    assert _send(council, "raj@initech.example") == {"raj@initech.example": "BlockedByDomainRule"}
    assert Invitation.objects.get().sent_at == before


def test_the_invite_page_says_why(client, council, org):
    _settings(org, company_email_domains="acme.example")
    client.force_login(council.morgan)
    url = reverse("invitations:invite", kwargs={"group_id": council.pk})

    page = client.post(url, {"addresses": "new.hire@acme.example"}, follow=True).content.decode()

    assert "is in your company&#x27;s domain. Invite coworkers from People instead." in page


# Chatter Settings ------------------------------------------------------------------------------


def test_chatter_settings_save_the_domains_normalised_with_an_audit_event(admin_client, org):
    url = reverse("setup:chatter_settings")
    numbers = ("invitation_expiry_days", "invitations_per_day", "invitation_reminder_days")
    data = {field: getattr(org, field) for field in numbers}
    data.update(
        {
            "allow_coworker_invitations": "on",
            "company_email_domains": "ACME.example",
            "customer_domain_rule": "deny",
            "customer_domains": "*.Initech.example",
        }
    )

    assert admin_client.post(url, data).status_code == 302

    org = Organization.objects.get()
    assert org.company_email_domains == "acme.example"
    assert org.customer_domains == "*.initech.example"
    assert AuditEvent.objects.filter(display__contains="Company Email Domains").exists()


def test_a_rule_without_domains_or_a_bad_domain_is_refused_and_nothing_saved(admin_client, org):
    url = reverse("setup:chatter_settings")
    data = {
        "invitation_expiry_days": 60,
        "invitations_per_day": 100,
        "customer_domain_rule": "allow",
    }

    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "Enter the domains of the rule" in response.content.decode()

    response = admin_client.post(url, {**data, "customer_domains": "not a domain"})
    assert "Not a domain" in response.content.decode()
    assert Organization.objects.get().customer_domain_rule == ""
    assert not AuditEvent.objects.exists()


def test_org_settings_update_refuses_a_bad_domain(admin_user, org):
    with pytest.raises(ValidationError):
        org_settings_update(actor=admin_user, company_email_domains="acme")
    assert Organization.objects.get().company_email_domains == ""
