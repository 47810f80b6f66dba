"""Licence counts: active users use licences; no claim goes past the total."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.actions import user_create_internal, user_update_internal
from accounts.models import Profile, User
from chatterorg.actions import NoLicenceLeft, licence_claim, licence_release
from chatterorg.models import AuditEvent, Licence
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def used(name: str) -> int:
    return Licence.objects.get(name=name).used


def new_user(actor, username: str = "new@acme.example", **kwargs) -> User:
    kwargs.setdefault("profile", Profile.objects.get(name=Profile.STANDARD_USER))
    return user_create_internal(
        actor=actor, username=username, email=username, last_name="New", **kwargs
    )


def test_creating_an_active_user_uses_a_licence_of_the_profile(admin_user):
    before = used("Salesforce")

    new_user(admin_user)

    assert used("Salesforce") == before + 1


def test_creating_an_inactive_user_uses_no_licence(admin_user):
    before = used("Salesforce")

    new_user(admin_user, is_active=False)

    assert used("Salesforce") == before


def test_deactivating_frees_the_licence_and_reactivating_takes_it_back(admin_user):
    user = new_user(admin_user)
    before = used("Salesforce")

    user_update_internal(actor=admin_user, user=user, is_active=False)
    assert used("Salesforce") == before - 1

    user_update_internal(actor=admin_user, user=user, is_active=True)
    assert used("Salesforce") == before


def test_changing_to_a_profile_with_another_licence_moves_the_licence(admin_user):
    user = new_user(admin_user)
    salesforce, chatter_free = used("Salesforce"), used("Chatter Free")

    user_update_internal(
        actor=admin_user, user=user, profile=Profile.objects.get(name=Profile.CHATTER_FREE_USER)
    )

    assert used("Salesforce") == salesforce - 1
    assert used("Chatter Free") == chatter_free + 1
    user.refresh_from_db()
    assert user.user_type == User.UserType.CHATTER_FREE


def test_creating_a_user_past_the_total_raises_and_writes_nothing(admin_user):
    Licence.objects.filter(name="Salesforce").update(total=used("Salesforce"))
    users, events = User.objects.count(), AuditEvent.objects.count()

    with pytest.raises(NoLicenceLeft) as refused:
        new_user(admin_user)

    assert refused.value.licence_name == "Salesforce"
    assert User.objects.count() == users
    assert AuditEvent.objects.count() == events
    assert not User.objects.filter(username="new@acme.example").exists()


def test_reactivating_past_the_total_raises_and_writes_nothing(admin_user):
    user = new_user(admin_user, is_active=False)
    Licence.objects.filter(name="Salesforce").update(total=used("Salesforce"))
    before, events = used("Salesforce"), AuditEvent.objects.count()

    with pytest.raises(NoLicenceLeft):
        user_update_internal(actor=admin_user, user=user, is_active=True)

    user.refresh_from_db()
    assert user.is_active is False
    assert used("Salesforce") == before
    assert AuditEvent.objects.count() == events


def test_moving_to_a_full_licence_keeps_the_old_one(admin_user):
    user = new_user(admin_user)
    Licence.objects.filter(name="Chatter Free").update(total=used("Chatter Free"))
    salesforce = used("Salesforce")

    with pytest.raises(NoLicenceLeft):
        user_update_internal(
            actor=admin_user, user=user, profile=Profile.objects.get(name=Profile.CHATTER_FREE_USER)
        )

    assert used("Salesforce") == salesforce
    user.refresh_from_db()
    assert user.profile.name == Profile.STANDARD_USER


def test_licence_claim_stops_at_the_total():
    licence = Licence.objects.get(name="Chatter External")
    Licence.objects.filter(pk=licence.pk).update(total=1, used=0)

    licence_claim(licence_id=licence.pk)
    with pytest.raises(NoLicenceLeft):
        licence_claim(licence_id=licence.pk)

    assert used("Chatter External") == 1


def test_licence_release_never_goes_below_zero():
    licence = Licence.objects.get(name="Chatter External")

    licence_release(licence_id=licence.pk)

    assert used("Chatter External") == 0


def test_database_refuses_more_used_than_total():
    licence = Licence.objects.get(name="Chatter External")

    with pytest.raises(IntegrityError), transaction.atomic():
        Licence.objects.filter(pk=licence.pk).update(used=licence.total + 1)


def test_company_information_shows_total_used_and_remaining(admin_client):
    UserFactory.create_batch(2)
    salesforce = Licence.objects.get(name="Salesforce")

    response = admin_client.get(reverse("setup:company_information"))

    html = response.content.decode()
    assert "<h1>Company Information</h1>" in html
    assert "Acme Corporation" in html
    for header in ("Total Licenses", "Used Licenses", "Remaining Licenses"):
        assert f'<th scope="col">{header}</th>' in html
    row = (
        f'<tr><th scope="row">Salesforce</th><td>{salesforce.total}</td>'
        f"<td>{salesforce.used}</td><td>{salesforce.total - salesforce.used}</td></tr>"
    )
    assert row in html
    assert salesforce.used == 3  # the admin and the two users
    assert '<th scope="row">Chatter External</th><td>500</td><td>0</td><td>500</td>' in html
