"""The issue's acceptance story, end to end through the views (no browser)."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import Profile, User
from chatterorg.models import Organization
from chatterorg.tokens import token_new
from invitations.models import Invitation
from tests.factories import AdminFactory
from tests.invitations.join_helpers import SIGNUP_PASSWORD, join_open

CSV = (
    b"email,first name,last name\n"
    b"jane@globex.example,Jane,Doe\n"
    b"not an address,,\n"
    b"new.hire@acme.example,New,Hire\n"
    b"casey@acme.example,Casey,Diaz\n"
    b"raj@initech.example,Raj,Patel\n"
)


def test_coworker_domains_a_five_row_csv_setup_invitations_and_a_chatter_free_sign_up(council, org):
    admin = Client()
    admin.force_login(AdminFactory())
    settings_form = {
        "allow_customer_invitations": "on",
        "allow_coworker_invitations": "on",
        "invitation_expiry_days": 60,
        "invitations_per_day": 100,
        "invitation_reminder_days": 3,
        "company_email_domains": "acme.example",
    }
    assert admin.post(reverse("setup:chatter_settings"), settings_form).status_code == 302
    assert Organization.objects.get().company_email_domains == "acme.example"

    morgan = Client()
    morgan.force_login(council.morgan)
    bulk_url = reverse("invitations:invite_bulk", kwargs={"group_id": council.pk})
    dry_run = morgan.post(bulk_url, {"file": SimpleUploadedFile("people.csv", CSV)})
    assert [row.status for row in dry_run.context["plan"].rows] == [
        "Invited",
        "InvalidAddress",
        "CompanyDomain",
        "NoActionNeededUser",
        "Invited",
    ]
    assert morgan.post(bulk_url, {"send": "1"}).status_code == 302

    listed = admin.get(reverse("setup:invitations"))
    shown = {inv.email: inv.display_status for inv in listed.context["page"].object_list}
    assert shown == {"jane@globex.example": "Sent", "raj@initech.example": "Sent"}

    # The company address goes to People › Invite Coworkers instead, and signs up.
    coworkers_url = reverse("invitations:invite_coworkers")
    assert morgan.post(coworkers_url, {"addresses": "new.hire@acme.example"}).status_code == 302
    invitation = Invitation.objects.get(kind=Invitation.Kind.COWORKER)
    raw, digest = token_new()
    Invitation.objects.filter(pk=invitation.pk).update(token_hash=digest, delivery_status="sent")
    newcomer = Client()
    join_open(newcomer, raw)
    signup = {
        "first_name": "New",
        "last_name": "Hire",
        "password": SIGNUP_PASSWORD,
        "password_confirm": SIGNUP_PASSWORD,
    }
    assert newcomer.post(reverse("join:signup"), signup).status_code == 302
    user = User.objects.get(username="new.hire@acme.example")
    assert user.profile.name == Profile.CHATTER_FREE_USER

    listed = admin.get(reverse("setup:invitations"), {"status": "Accepted"})
    assert [inv.email for inv in listed.context["page"].object_list] == ["new.hire@acme.example"]
