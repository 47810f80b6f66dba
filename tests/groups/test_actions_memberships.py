"""Membership actions: add, remove, roles, ownership, join, leave, join requests."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import User
from chatterorg.models import AuditEvent
from groups.actions import (
    group_join,
    group_leave,
    group_transfer_ownership,
    join_request_accept,
    join_request_create,
    join_request_decline,
    membership_add,
    membership_remove,
    membership_set_role,
)
from groups.models import Group, JoinRequest, Membership
from tests.factories import CustomerFactory, MembershipFactory, UserFactory, profile

pytestmark = pytest.mark.django_db

MANAGERS = ["owner", "manager", "admin"]
NOT_MANAGERS = ["member", "non_member", "customer"]


def _memberships(group: Group) -> set[tuple[int, str]]:
    return set(group.memberships.values_list("user_id", "role"))


def _membership(group: Group, user: User) -> Membership:
    return Membership.objects.select_related("group", "user").get(group=group, user=user)


class TestMembershipAdd:
    @pytest.mark.parametrize("who", MANAGERS)
    def test_owner_managers_and_admins_add_members_with_an_audit_event(
        self, roles, customer_group, who
    ):
        newcomer = UserFactory()
        membership = membership_add(actor=roles[who], group=customer_group, user=newcomer)
        assert membership.role == Membership.Role.MEMBER and not membership.is_customer
        event = AuditEvent.objects.get(action="group.member_added")
        assert event.section == "Chatter Groups" and event.actor == roles[who]
        assert newcomer.username in event.display

    @pytest.mark.parametrize("who", NOT_MANAGERS)
    def test_others_cannot_add_members_and_nothing_is_written(self, roles, customer_group, who):
        before = _memberships(customer_group)
        with pytest.raises(PermissionDenied):
            membership_add(actor=roles[who], group=customer_group, user=UserFactory())
        assert _memberships(customer_group) == before
        assert not AuditEvent.objects.exists()

    def test_without_an_actor_the_permission_check_is_required_to_be_skipped(self, customer_group):
        with pytest.raises(PermissionDenied):
            membership_add(actor=None, group=customer_group, user=UserFactory())

    def test_an_authorised_caller_adds_a_customer_marked_as_customer(self, customer_group):
        customer = CustomerFactory()
        membership = membership_add(
            actor=None, group=customer_group, user=customer, check_permission=False
        )
        assert membership.is_customer and membership.role == Membership.Role.MEMBER

    def test_adding_an_existing_member_is_a_clear_error_and_writes_nothing(self, customer_group):
        with pytest.raises(ValidationError) as exc:
            membership_add(
                actor=customer_group.owner, group=customer_group, user=customer_group.member
            )
        assert exc.value.code == "already_member"
        assert "already a member" in exc.value.messages[0]
        assert customer_group.memberships.count() == 3
        assert not AuditEvent.objects.exists()

    def test_a_customer_cannot_join_a_group_that_does_not_allow_customers(self, public_group):
        with pytest.raises(ValidationError):
            membership_add(actor=public_group.owner, group=public_group, user=CustomerFactory())
        assert public_group.memberships.count() == 2

    def test_nobody_is_added_as_owner(self, customer_group):
        with pytest.raises(ValidationError):
            membership_add(
                actor=customer_group.owner,
                group=customer_group,
                user=UserFactory(),
                role=Membership.Role.OWNER,
            )
        assert customer_group.memberships.count() == 3

    def test_adding_someone_answers_their_pending_request(self, customer_group):
        asker = UserFactory()
        request = JoinRequest.objects.create(group=customer_group, user=asker)
        membership_add(actor=customer_group.owner, group=customer_group, user=asker)
        request.refresh_from_db()
        assert request.status == JoinRequest.Status.ACCEPTED


class TestMembershipRemove:
    @pytest.mark.parametrize("who", MANAGERS)
    def test_owner_managers_and_admins_remove_a_member(self, roles, customer_group, who):
        membership = _membership(customer_group, customer_group.member)
        membership_remove(actor=roles[who], membership=membership)
        assert not Membership.objects.filter(pk=membership.pk).exists()
        assert AuditEvent.objects.get(action="group.member_removed").actor == roles[who]

    @pytest.mark.parametrize("who", NOT_MANAGERS)
    def test_others_cannot_remove_and_nothing_is_written(self, roles, customer_group, who):
        before = _memberships(customer_group)
        with pytest.raises(PermissionDenied):
            membership_remove(
                actor=roles[who], membership=_membership(customer_group, customer_group.member)
            )
        assert _memberships(customer_group) == before
        assert not AuditEvent.objects.exists()

    def test_the_owner_cannot_be_removed(self, customer_group):
        with pytest.raises(ValidationError):
            membership_remove(
                actor=customer_group.manager,
                membership=_membership(customer_group, customer_group.owner),
            )
        assert _membership(customer_group, customer_group.owner).role == Membership.Role.OWNER


class TestMembershipSetRole:
    @pytest.mark.parametrize("who", MANAGERS)
    def test_owner_managers_and_admins_promote_a_member(self, roles, customer_group, who):
        membership = _membership(customer_group, customer_group.member)
        membership_set_role(actor=roles[who], membership=membership, role="Manager")
        assert _membership(customer_group, customer_group.member).role == "Manager"
        event = AuditEvent.objects.get(action="group.role_changed")
        assert (event.old_value, event.new_value) == ("Member", "Manager")

    @pytest.mark.parametrize("who", NOT_MANAGERS)
    def test_others_cannot_change_roles_and_nothing_is_written(self, roles, customer_group, who):
        before = _memberships(customer_group)
        with pytest.raises(PermissionDenied):
            membership_set_role(
                actor=roles[who],
                membership=_membership(customer_group, customer_group.member),
                role="Manager",
            )
        assert _memberships(customer_group) == before
        assert not AuditEvent.objects.exists()

    def test_a_customer_may_become_a_manager(self, roles, customer_group):
        membership = _membership(customer_group, roles["customer"])
        membership_set_role(actor=customer_group.owner, membership=membership, role="Manager")
        assert _membership(customer_group, roles["customer"]).role == "Manager"

    @pytest.mark.parametrize("target,role", [("owner", "Member"), ("member", "Owner")])
    def test_the_owner_role_changes_only_by_transfer(self, roles, customer_group, target, role):
        before = _memberships(customer_group)
        with pytest.raises(ValidationError):
            membership_set_role(
                actor=customer_group.owner,
                membership=_membership(customer_group, roles[target]),
                role=role,
            )
        assert _memberships(customer_group) == before


class TestTransferOwnership:
    @pytest.mark.parametrize("who", ["owner", "admin"])
    def test_the_owner_or_an_admin_hands_over_and_the_old_owner_becomes_manager(
        self, roles, customer_group, who
    ):
        old_owner = customer_group.owner
        group_transfer_ownership(
            actor=roles[who], group=customer_group, new_owner=customer_group.member
        )
        assert _membership(customer_group, customer_group.member).role == "Owner"
        assert _membership(customer_group, old_owner).role == "Manager"
        assert customer_group.memberships.filter(role="Owner").count() == 1
        assert AuditEvent.objects.get(action="group.owner_changed").new_value == (
            customer_group.member.username
        )

    @pytest.mark.parametrize("who", ["manager", "member", "non_member", "customer"])
    def test_nobody_else_transfers_ownership(self, roles, customer_group, who):
        before = _memberships(customer_group)
        with pytest.raises(PermissionDenied):
            group_transfer_ownership(
                actor=roles[who], group=customer_group, new_owner=customer_group.member
            )
        assert _memberships(customer_group) == before

    def test_ownership_never_passes_to_a_customer(self, roles, customer_group):
        before = _memberships(customer_group)
        with pytest.raises(ValidationError) as exc:
            group_transfer_ownership(
                actor=customer_group.owner, group=customer_group, new_owner=roles["customer"]
            )
        assert exc.value.messages == ["A customer can't own a group."]
        assert _memberships(customer_group) == before

    def test_ownership_passes_only_to_someone_allowed_to_own_groups(self, customer_group):
        chatter_free = UserFactory(profile=profile("Chatter Free User"), user_type="ChatterFree")
        MembershipFactory(group=customer_group, user=chatter_free)
        before = _memberships(customer_group)
        with pytest.raises(ValidationError) as exc:
            group_transfer_ownership(
                actor=customer_group.owner, group=customer_group, new_owner=chatter_free
            )
        assert "Create and Own New Chatter Groups" in exc.value.messages[0]
        assert _memberships(customer_group) == before

    def test_the_new_owner_must_already_be_a_member(self, customer_group):
        with pytest.raises(ValidationError):
            group_transfer_ownership(
                actor=customer_group.owner, group=customer_group, new_owner=UserFactory()
            )
        assert customer_group.memberships.count() == 3


class TestJoinAndLeave:
    def test_an_internal_user_joins_a_public_group_with_an_audit_event(self, public_group):
        joiner = UserFactory()
        group_join(actor=joiner, group=public_group)
        assert _membership(public_group, joiner).role == "Member"
        assert AuditEvent.objects.get(action="group.joined").actor == joiner

    def test_nobody_joins_a_private_group_directly(self, customer_group):
        outsider = UserFactory()
        with pytest.raises(PermissionDenied):
            group_join(actor=outsider, group=customer_group)
        assert not customer_group.memberships.filter(user=outsider).exists()

    def test_a_member_leaves_with_an_audit_event(self, customer_group):
        group_leave(actor=customer_group.member, group=customer_group)
        assert not customer_group.memberships.filter(user=customer_group.member).exists()
        assert AuditEvent.objects.get(action="group.left").actor == customer_group.member

    def test_the_owner_cannot_leave_without_transferring_ownership(self, customer_group):
        with pytest.raises(ValidationError) as exc:
            group_leave(actor=customer_group.owner, group=customer_group)
        assert exc.value.messages == ["Transfer ownership before you leave the group."]
        assert _membership(customer_group, customer_group.owner).role == "Owner"
        assert not AuditEvent.objects.exists()

    def test_leaving_a_group_you_are_not_in_is_an_error(self, customer_group):
        with pytest.raises(ValidationError):
            group_leave(actor=UserFactory(), group=customer_group)


class TestJoinRequests:
    def test_an_internal_non_member_asks_to_join_once(self, customer_group):
        asker = UserFactory()
        join_request_create(actor=asker, group=customer_group)
        with pytest.raises(ValidationError) as exc:
            join_request_create(actor=asker, group=customer_group)
        assert exc.value.messages == ["You've already asked to join this group."]
        assert JoinRequest.objects.filter(user=asker).count() == 1

    @pytest.mark.parametrize("who", ["member", "customer", "owner"])
    def test_members_cannot_ask_to_join(self, roles, customer_group, who):
        with pytest.raises(ValidationError):
            join_request_create(actor=roles[who], group=customer_group)
        assert not JoinRequest.objects.exists()

    def test_nobody_asks_to_join_a_public_group(self, public_group):
        with pytest.raises(PermissionDenied):
            join_request_create(actor=UserFactory(), group=public_group)
        assert not JoinRequest.objects.exists()

    @pytest.mark.parametrize("who", MANAGERS)
    def test_owner_managers_and_admins_accept_a_request(self, roles, customer_group, who):
        asker = UserFactory()
        request = join_request_create(actor=asker, group=customer_group)
        join_request_accept(actor=roles[who], join_request=request)
        request.refresh_from_db()
        assert request.status == "Accepted" and request.decided_by == roles[who]
        assert _membership(customer_group, asker).role == "Member"
        assert AuditEvent.objects.get(action="group.member_added").actor == roles[who]

    @pytest.mark.parametrize("who", NOT_MANAGERS)
    def test_others_cannot_accept_and_nothing_is_written(self, roles, customer_group, who):
        asker = UserFactory()
        request = join_request_create(actor=asker, group=customer_group)
        with pytest.raises(PermissionDenied):
            join_request_accept(actor=roles[who], join_request=request)
        with pytest.raises(PermissionDenied):
            join_request_decline(actor=roles[who], join_request=request)
        request.refresh_from_db()
        assert request.status == "Pending"
        assert not customer_group.memberships.filter(user=asker).exists()

    def test_a_declined_request_adds_nobody_and_cannot_be_accepted_later(self, customer_group):
        asker = UserFactory()
        request = join_request_create(actor=asker, group=customer_group)
        join_request_decline(actor=customer_group.manager, join_request=request)
        with pytest.raises(ValidationError):
            join_request_accept(actor=customer_group.owner, join_request=request)
        request.refresh_from_db()
        assert request.status == "Declined"
        assert not customer_group.memberships.filter(user=asker).exists()
