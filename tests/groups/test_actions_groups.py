"""group_create, group_update, group_delete: the rules of REFERENCE §3."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chatterorg.models import AuditEvent
from groups.actions import group_create, group_delete, group_update
from groups.models import Group, Membership
from tests.factories import GroupFactory, PostFactory, UserFactory

pytestmark = pytest.mark.django_db


def _snapshot(group: Group) -> dict:
    return Group.objects.filter(pk=group.pk).values().get()


class TestGroupCreate:
    def test_the_creator_becomes_owner_and_it_is_audited(self, user):
        group = group_create(actor=user, name="  Renewals  ", access_type="Private")
        assert group.name == "Renewals"
        assert group.memberships.get().role == Membership.Role.OWNER
        assert group.memberships.get().user == user
        event = AuditEvent.objects.get(action="group.created")
        assert event.section == "Chatter Groups" and event.actor == user

    def test_a_customer_cannot_create_a_group(self, customer):
        with pytest.raises(PermissionDenied):
            group_create(actor=customer, name="Globex Only", access_type="Private")
        assert not Group.objects.filter(name="Globex Only").exists()

    def test_a_user_without_create_and_own_cannot_create_a_group(self):
        from tests.factories import profile

        chatter_free = UserFactory(profile=profile("Chatter Free User"), user_type="ChatterFree")
        with pytest.raises(PermissionDenied):
            group_create(actor=chatter_free, name="Free", access_type="Public")
        assert not Group.objects.exists()

    def test_allow_customers_is_refused_on_a_public_group(self, user):
        with pytest.raises(ValidationError) as exc:
            group_create(actor=user, name="Open", access_type="Public", allow_customers=True)
        assert exc.value.message_dict == {
            "allow_customers": ["A group that allows customers can't be Public."]
        }
        assert not Group.objects.exists() and not Membership.objects.exists()

    def test_unlisted_is_refused_while_the_org_has_not_enabled_it(self, user, org):
        with pytest.raises(ValidationError) as exc:
            group_create(actor=user, name="Hidden", access_type="Unlisted")
        assert "Unlisted groups aren't enabled" in str(exc.value)
        assert not Group.objects.exists()

    def test_unlisted_is_allowed_once_the_org_enables_it(self, user, org):
        org.enable_unlisted_groups = True
        org.save()
        group = group_create(actor=user, name="Hidden", access_type="Unlisted")
        assert group.access_label == "Unlisted"

    def test_a_taken_name_is_refused_whatever_its_case(self, user):
        GroupFactory(name="Renewals")
        with pytest.raises(ValidationError) as exc:
            group_create(actor=user, name="RENEWALS", access_type="Private")
        assert exc.value.message_dict["name"] == [
            "A public or private group with this name already exists."
        ]
        assert Group.objects.count() == 1

    def test_a_name_over_40_characters_is_refused(self, user):
        with pytest.raises(ValidationError) as exc:
            group_create(actor=user, name="x" * 41)
        assert "name" in exc.value.message_dict
        assert not Group.objects.exists()


class TestGroupUpdate:
    def test_allow_customers_cannot_be_turned_off(self, customer_group):
        before = _snapshot(customer_group)
        with pytest.raises(ValidationError) as exc:
            group_update(actor=customer_group.owner, group=customer_group, allow_customers=False)
        assert exc.value.message_dict == {
            "allow_customers": ["Allow Customers can't be turned off once it's on."]
        }
        assert _snapshot(customer_group) == before
        assert not AuditEvent.objects.exists()

    def test_a_group_with_customers_cannot_become_public(self, customer_group):
        before = _snapshot(customer_group)
        with pytest.raises(ValidationError) as exc:
            group_update(actor=customer_group.owner, group=customer_group, access_type="Public")
        assert exc.value.message_dict == {
            "access_type": ["A group that allows customers can't be Public."]
        }
        assert _snapshot(customer_group) == before
        assert customer_group.access_type == "Private"

    def test_a_group_with_customers_cannot_change_access_type_at_all(self, customer_group, org):
        org.enable_unlisted_groups = True
        org.save()
        with pytest.raises(ValidationError) as exc:
            group_update(actor=customer_group.owner, group=customer_group, access_type="Unlisted")
        assert "can't change once Allow Customers is on" in str(exc.value)
        assert _snapshot(customer_group)["access_type"] == "Private"

    def test_turning_on_allow_customers_while_going_public_is_refused(self):
        group = GroupFactory(access_type="Private")
        owner = UserFactory()
        Membership.objects.create(group=group, user=owner, role="Owner")
        with pytest.raises(ValidationError):
            group_update(actor=owner, group=group, allow_customers=True, access_type="Public")
        assert _snapshot(group)["allow_customers"] is False

    def test_a_manager_changes_settings_and_each_change_is_audited(self, customer_group):
        labels = group_update(
            actor=customer_group.manager,
            group=customer_group,
            description="New words",
            broadcast_only=True,
            name=customer_group.name,
        )
        assert labels == ["Description", "Broadcast Only"]
        saved = Group.objects.get(pk=customer_group.pk)
        assert saved.description == "New words" and saved.broadcast_only
        assert customer_group.description == "New words"
        assert AuditEvent.objects.filter(action="group.changed").count() == 2

    def test_nothing_is_written_when_nothing_changes(self, customer_group):
        assert group_update(actor=customer_group.owner, group=customer_group) == []
        assert not AuditEvent.objects.exists()

    @pytest.mark.parametrize("who", ["member", "customer"])
    def test_members_and_customers_cannot_edit(self, roles, customer_group, who):
        before = _snapshot(customer_group)
        with pytest.raises(PermissionDenied):
            group_update(actor=roles[who], group=customer_group, description="Hacked")
        assert _snapshot(customer_group) == before

    def test_unknown_settings_are_a_programming_error(self, customer_group):
        with pytest.raises(TypeError):
            group_update(actor=customer_group.owner, group=customer_group, id=5)


class TestGroupDelete:
    def test_the_owner_deletes_the_group_with_its_feed(self, customer_group):
        PostFactory(group=customer_group)
        group_delete(actor=customer_group.owner, group=customer_group)
        assert not Group.objects.filter(pk=customer_group.pk).exists()
        assert AuditEvent.objects.get(action="group.deleted").old_value == customer_group.name

    def test_a_modify_all_data_admin_deletes_a_group_without_being_a_member(
        self, customer_group, admin_user
    ):
        group_delete(actor=admin_user, group=customer_group)
        assert not Group.objects.filter(pk=customer_group.pk).exists()

    @pytest.mark.parametrize("who", ["manager", "member", "non_member", "customer"])
    def test_nobody_else_deletes_a_group(self, roles, customer_group, who):
        with pytest.raises(PermissionDenied):
            group_delete(actor=roles[who], group=customer_group)
        assert Group.objects.filter(pk=customer_group.pk).exists()
        assert customer_group.memberships.count() == 4
        assert not AuditEvent.objects.exists()
