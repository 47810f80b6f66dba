"""The demo org's groups (see ``seed_demo``): built through the actions, idempotently."""

from __future__ import annotations

from typing import TYPE_CHECKING

from groups.actions import comment_create, group_create, membership_add, post_create
from groups.models import Group, Membership

if TYPE_CHECKING:
    from accounts.models import User

COUNCIL = "Customer Success Council"
ALL_ACME = "All Acme"


def _group(name: str) -> Group | None:
    return Group.objects.filter(name__iexact=name).first()


def _ensure_member(group: Group, *, actor: User, user: User, role: str) -> None:
    if not Membership.objects.filter(group=group, user=user).exists():
        membership_add(actor=actor, group=group, user=user, role=role)


def seed_groups(*, users: dict[str, User]) -> None:
    """Create "Customer Success Council" and "All Acme" once; a second run changes nothing.

    ``users`` holds the demo users keyed "admin", "morgan", "nora", "casey".
    """
    admin, morgan, nora, casey = (users[k] for k in ("admin", "morgan", "nora", "casey"))

    council = _group(COUNCIL)
    new_council = council is None
    if council is None:
        council = group_create(
            actor=morgan,
            name=COUNCIL,
            description="Where Acme and its customers work together on onboarding and renewals.",
            information_title="How we work",
            information_text=(
                "Post questions and updates here; the Customer Success team answers within "
                "one business day. Please keep contract details out of the feed."
            ),
            access_type=Group.AccessType.PRIVATE,
            allow_customers=True,
        )
    _ensure_member(council, actor=morgan, user=nora, role=Membership.Role.MANAGER)
    _ensure_member(council, actor=morgan, user=casey, role=Membership.Role.MEMBER)
    if new_council:
        kickoff = post_create(
            actor=morgan,
            group=council,
            body="Welcome to the Customer Success Council! We'll invite our pilot customers "
            "here next week, so please keep posts customer-friendly.",
        )
        comment_create(actor=nora, post=kickoff, body="Great. I'll share the renewal calendar.")
        checklist = post_create(
            actor=nora,
            group=council,
            body="Draft onboarding checklist: kickoff call, admin training, data import, "
            "first health check at 30 days. What's missing?",
        )
        comment_create(actor=casey, post=checklist, body="A support walkthrough in week one.")
        comment_create(actor=morgan, post=checklist, body="Agreed, adding it.")

    all_acme = _group(ALL_ACME)
    new_all_acme = all_acme is None
    if all_acme is None:
        all_acme = group_create(
            actor=admin,
            name=ALL_ACME,
            description="Company-wide news and announcements for everyone at Acme.",
            access_type=Group.AccessType.PUBLIC,
        )
    for user in users.values():
        if user.pk != admin.pk and not user.is_customer:
            _ensure_member(all_acme, actor=admin, user=user, role=Membership.Role.MEMBER)
    if new_all_acme:
        post_create(
            actor=admin,
            group=all_acme,
            body="Welcome to Chatter, everyone! This group reaches the whole company.",
        )
