"""Confirm pages of Remove (member) and Transfer Ownership: GET shows, writes nothing.

The POST views they lead to are tested in test_view_manage.py; these pages are the
no-JavaScript path and what the modal prompt shows.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from groups.models import Group, Membership

pytestmark = pytest.mark.django_db


def remove_confirm(group: Group) -> str:
    return reverse("groups:member_remove_confirm", args=[group.pk])


def owner_confirm(group: Group) -> str:
    return reverse("groups:owner_transfer_confirm", args=[group.pk])


def _membership(group: Group, user) -> Membership:
    return Membership.objects.get(group=group, user=user)


class TestRemoveConfirm:
    def test_an_outsider_gets_data_not_available(self, login, customer_group, public_group):
        target = _membership(customer_group, customer_group.member)
        response = login(public_group.member).get(
            remove_confirm(customer_group), {"membership": target.pk}
        )
        assert response.status_code in (403, 404)
        # A Private group's non-member may see its outside but not manage it.
        assert Membership.objects.filter(pk=target.pk).exists()

    def test_a_plain_member_is_refused(self, login, customer_group):
        target = _membership(customer_group, customer_group.manager)
        response = login(customer_group.member).get(
            remove_confirm(customer_group), {"membership": target.pk}
        )
        assert response.status_code == 403

    def test_a_manager_sees_the_confirmation_and_nothing_is_removed(self, login, customer_group):
        target = _membership(customer_group, customer_group.member)
        response = login(customer_group.manager).get(
            remove_confirm(customer_group), {"membership": target.pk}
        )
        html = response.content.decode()

        assert response.status_code == 200
        assert f'<h1 id="confirm-title">Remove {customer_group.member.name}?</h1>' in html
        assert f'action="{reverse("groups:member_remove", args=[customer_group.pk])}"' in html
        assert f'name="membership" value="{target.pk}"' in html
        assert "data-confirm-page" in html
        assert Membership.objects.filter(pk=target.pk).exists()

    def test_a_membership_of_another_group_is_not_found(self, login, customer_group, public_group):
        other = _membership(public_group, public_group.member)
        response = login(customer_group.manager).get(
            remove_confirm(customer_group), {"membership": other.pk}
        )
        assert response.status_code == 404

    def test_a_missing_membership_is_not_found(self, login, customer_group):
        response = login(customer_group.manager).get(remove_confirm(customer_group))
        assert response.status_code == 404


class TestOwnerTransferConfirm:
    def test_a_manager_may_not_hand_over_the_group(self, login, customer_group):
        target = _membership(customer_group, customer_group.member)
        response = login(customer_group.manager).get(
            owner_confirm(customer_group), {"new_owner": target.pk}
        )
        assert response.status_code == 403

    def test_the_owner_sees_the_confirmation_and_still_owns_the_group(self, login, customer_group):
        target = _membership(customer_group, customer_group.manager)
        response = login(customer_group.owner).get(
            owner_confirm(customer_group), {"new_owner": target.pk}
        )
        html = response.content.decode()

        assert response.status_code == 200
        assert f"Transfer ownership to {customer_group.manager.name}?" in html
        assert f'name="new_owner" value="{target.pk}"' in html
        assert ">Transfer Ownership</button>" in html
        owner = Membership.objects.get(group=customer_group, role=Membership.Role.OWNER)
        assert owner.user == customer_group.owner


def test_the_members_page_asks_before_removing(login, customer_group):
    html = (
        login(customer_group.manager)
        .get(reverse("groups:members", args=[customer_group.pk]))
        .content.decode()
    )

    assert f'action="{remove_confirm(customer_group)}" class="inline-form" data-confirm' in html
    assert f'aria-label="Remove {customer_group.member.name}">Remove</button>' in html
