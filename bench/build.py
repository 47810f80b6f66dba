"""Build a large org for the benchmark with bulk inserts.

Run inside a configured Django process (bench/run.py does this) against an
empty, migrated database that already holds the demo org (``seed_demo``).
"""

from __future__ import annotations

import hashlib
import secrets
import time
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import Profile, User
from chatterorg.actions import audit_event
from chatterorg.models import AuditEvent, Licence, Organization
from groups.models import Comment, Group, Membership, Post
from invitations.models import Invitation

USERS = 100_000
GROUPS = 5_000
LARGE_GROUP_MEMBERS = 5_000
LARGE_GROUP_POSTS = 50_000
INVITATIONS = 20_000
CUSTOMERS = 400
AUDIT_EVENTS = 50_000
BATCH = 5_000

LARGE_GROUP = "Global Customer Community"
# A small group whose first page is as full as the large group's (20 posts with
# comments, 25 members, pending invitations), so that comparing the two pages
# measures the size of the data, not the amount shown.
FULL_SMALL_GROUP = "Pilot Customers"
FULL_SMALL_MEMBERS = 30
FULL_SMALL_POSTS = 25
BENCH_CUSTOMER = "bench.customer@guest.acme.example"


def _log(message: str, started: float) -> None:
    print(f"  {message} ({time.perf_counter() - started:.1f} s)", flush=True)


def _scaled(count: int, scale: float, least: int = 1) -> int:
    return max(least, round(count * scale))


@transaction.atomic
def build(*, password: str, scale: float = 1.0) -> dict[str, int]:
    """Build the org; ``scale`` shrinks every count (0.02: the small org the large one
    is compared with). The full small group ("Pilot Customers") keeps its size: it is
    the same page in both orgs."""
    started = time.perf_counter()
    users = _scaled(USERS, scale, 2_000)
    groups = _scaled(GROUPS, scale)
    large_group_members = _scaled(LARGE_GROUP_MEMBERS, scale, 100)
    large_group_posts = _scaled(LARGE_GROUP_POSTS, scale, 100)
    invitations_count = _scaled(INVITATIONS, scale, 100)
    # At least a full page of Setup › Customers (25 a page) in the small org too.
    customers = _scaled(CUSTOMERS, scale, 40)
    # At least four full pages of the Audit Trail (50 a page) in the small org too.
    audit_events = _scaled(AUDIT_EVENTS, scale, 200)
    half = customers // 2
    now = timezone.now()
    hashed = make_password(password)
    standard = Profile.objects.get(name=Profile.STANDARD_USER)
    external = Profile.objects.get(name=Profile.CHATTER_EXTERNAL_USER)
    Licence.objects.filter(name="Salesforce").update(total=users + 1_000)
    # Room above the 400 customers for the sign-ups the benchmark performs.
    Licence.objects.filter(name=Licence.Name.CHATTER_EXTERNAL).update(total=customers + 2_000)
    Organization.objects.filter(pk=1).update(
        allow_customer_invitations=True, invitations_per_day=1_000_000
    )

    existing = User.objects.count()
    User.objects.bulk_create(
        (
            User(
                username=f"user{n}@acme.example",
                email=f"user{n}@acme.example",
                email_key=f"user{n}@acme.example",
                first_name=f"First{n}",
                last_name=f"Last{n:06d}",
                company_name="Acme Corporation",
                department="Sales" if n % 3 else "Support",
                title="Account Executive",
                profile=standard,
                user_type=User.UserType.STANDARD,
                password=hashed,
            )
            for n in range(users - existing - customers)
        ),
        batch_size=BATCH,
    )
    User.objects.bulk_create(
        (
            User(
                username=BENCH_CUSTOMER if n == 0 else f"cust{n}@guest.acme.example",
                email=f"cust{n}@globex.example",
                email_key=f"cust{n}@globex.example",
                first_name=f"Cust{n}",
                last_name="Globex",
                company_name="Globex",
                profile=external,
                user_type=User.UserType.CHATTER_GUEST,
                password=hashed,
            )
            for n in range(customers)
        ),
        batch_size=BATCH,
    )
    _log(f"{User.objects.count()} users", started)

    internal_ids = list(
        User.objects.filter(user_type=User.UserType.STANDARD)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    customer_ids = list(
        User.objects.filter(user_type=User.UserType.CHATTER_GUEST)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    morgan = User.objects.get(username="morgan@acme.example")

    large = Group.objects.create(
        name=LARGE_GROUP,
        description="Every customer programme in one place.",
        access_type=Group.AccessType.PRIVATE,
        allow_customers=True,
    )
    types = [Group.AccessType.PUBLIC, Group.AccessType.PRIVATE, Group.AccessType.UNLISTED]
    existing_groups = Group.objects.count()
    Group.objects.bulk_create(
        (
            Group(
                name=f"Team {n:05d}",
                description=f"Working group number {n}.",
                access_type=types[n % 3],
                allow_customers=n % 3 == 1 and n % 2 == 0,
            )
            for n in range(groups - existing_groups)
        ),
        batch_size=BATCH,
    )
    _log(f"{Group.objects.count()} groups", started)

    memberships = [Membership(group=large, user=morgan, role=Membership.Role.OWNER)]
    large_members = [pk for pk in internal_ids if pk != morgan.pk][: large_group_members - half - 1]
    memberships += [
        Membership(
            group=large,
            user_id=pk,
            role=Membership.Role.MANAGER if i < 5 else Membership.Role.MEMBER,
        )
        for i, pk in enumerate(large_members)
    ]
    memberships += [
        Membership(group=large, user_id=pk, is_customer=True) for pk in customer_ids[:half]
    ]
    small_groups = list(
        Group.objects.filter(name__startswith="Team ").values_list("pk", "allow_customers")
    )
    for i, (group_id, allows) in enumerate(small_groups):
        base = (i * 7) % (len(internal_ids) - 5)
        memberships.append(
            Membership(group_id=group_id, user_id=internal_ids[base], role=Membership.Role.OWNER)
        )
        memberships += [
            Membership(group_id=group_id, user_id=internal_ids[base + k]) for k in range(1, 5)
        ]
        if allows:
            memberships.append(
                Membership(
                    group_id=group_id, user_id=customer_ids[half + i % half], is_customer=True
                )
            )
    Membership.objects.bulk_create(memberships, batch_size=BATCH, ignore_conflicts=True)
    _log(f"{Membership.objects.count()} memberships", started)

    authors = [morgan.pk, *large_members[:500], *customer_ids[: min(50, half)]]
    Post.objects.bulk_create(
        (
            Post(
                group=large,
                author_id=authors[n % len(authors)],
                body=f"Update number {n} on the customer programme.",
            )
            for n in range(large_group_posts)
        ),
        batch_size=BATCH,
    )
    Post.objects.bulk_create(
        (
            Post(
                group_id=group_id,
                author_id=internal_ids[(i * 7) % (len(internal_ids) - 5)],
                body="Kick-off notes.",
            )
            for i, (group_id, _) in enumerate(small_groups)
        ),
        batch_size=BATCH,
    )
    post_ids = Post.objects.filter(group=large).values_list("pk", flat=True)
    Comment.objects.bulk_create(
        (
            Comment(post_id=pk, author_id=authors[(i + 1) % len(authors)], body="Thanks, noted.")
            for i, pk in enumerate(post_ids.iterator())
        ),
        batch_size=BATCH,
    )
    _log(f"{Post.objects.count()} posts, {Comment.objects.count()} comments", started)

    customer_groups = [g for g, allows in small_groups if allows]
    statuses = ["sent", "expired", "accepted", "canceled"]
    invitations = []
    for n in range(invitations_count):
        kind = statuses[n % 4]
        sent_at = now - timedelta(days=90 if kind == "expired" else n % 50)
        invitation = Invitation(
            group_id=customer_groups[n % len(customer_groups)],
            email=f"prospect{n}@initech.example",
            email_key=f"prospect{n}@initech.example",
            inviter=morgan,
            sent_at=sent_at,
            expires_at=sent_at + timedelta(days=60),
            status=Invitation.Status.SENT,
            delivery_status=Invitation.Delivery.SENT,
            delivery_attempts=1,
            delivered_at=sent_at,
        )
        if kind in ("sent", "expired"):
            invitation.token_hash = hashlib.sha256(secrets.token_bytes(32)).hexdigest()
        elif kind == "accepted":
            invitation.status = Invitation.Status.ACCEPTED
            invitation.accepted_at = sent_at + timedelta(days=1)
            invitation.accepted_user_id = customer_ids[n % len(customer_ids)]
        else:
            invitation.status = Invitation.Status.CANCELED
            invitation.canceled_at = sent_at + timedelta(days=1)
        invitations.append(invitation)
    Invitation.objects.bulk_create(invitations, batch_size=BATCH)
    _log(f"{Invitation.objects.count()} invitations", started)

    small = Group.objects.create(
        name=FULL_SMALL_GROUP,
        description="A handful of pilot customers.",
        access_type=Group.AccessType.PRIVATE,
        allow_customers=True,
    )
    Membership.objects.bulk_create(
        [Membership(group=small, user=morgan, role=Membership.Role.OWNER)]
        + [
            Membership(group=small, user_id=pk, is_customer=pk in customer_ids)
            for pk in [*large_members[: FULL_SMALL_MEMBERS - 6], *customer_ids[:5]]
        ]
    )
    small_posts = Post.objects.bulk_create(
        Post(group=small, author_id=authors[n % len(authors)], body=f"Pilot update {n}.")
        for n in range(FULL_SMALL_POSTS)
    )
    Comment.objects.bulk_create(
        Comment(post=post, author_id=authors[(i + 1) % len(authors)], body="Thanks, noted.")
        for i, post in enumerate(small_posts)
    )
    # Both measured groups show a full panel of pending invitations, and their pending
    # list a full page (50).
    Invitation.objects.bulk_create(
        Invitation(
            group=group,
            email=f"pending{n}@hooli.example",
            email_key=f"pending{n}@hooli.example",
            inviter=morgan,
            sent_at=now,
            expires_at=now + timedelta(days=60),
            token_hash=hashlib.sha256(secrets.token_bytes(32)).hexdigest(),
            delivery_status=Invitation.Delivery.SENT,
            delivery_attempts=1,
            delivered_at=now,
        )
        for group in (small, large)
        for n in range(60)
    )

    # A Setup history, oldest first, written by a few admins and many inviters: the
    # Audit Trail shows a full page of it in both orgs.
    admin = User.objects.get(username="admin@acme.example")
    writers = [admin, morgan, *User.objects.filter(pk__in=authors[:20])]
    AuditEvent.objects.bulk_create(
        (
            audit_event(
                actor=writers[n % len(writers)],
                section="Chatter Invitations",
                action="invitation.sent",
                display=f"Invited prospect{n}@initech.example to group {LARGE_GROUP}",
                new="Sent",
            )
            if n % 3
            else audit_event(
                actor=admin,
                section="Manage Users",
                action="user.created",
                display=f"Created new user user{n}@acme.example with profile Standard User",
                new="Standard User",
            )
            for n in range(audit_events)
        ),
        batch_size=BATCH,
    )
    AuditEvent.objects.update(created_at=now - timedelta(days=1))
    _log(f"{AuditEvent.objects.count()} audit events", started)

    # Licences in use follow the active users, as the app keeps them.
    for licence in Licence.objects.annotate(
        active=Count("profiles__users", filter=Q(profiles__users__is_active=True))
    ):
        Licence.objects.filter(pk=licence.pk).update(used=licence.active)
    _log("licences counted", started)
    return {
        "users": User.objects.count(),
        "groups": Group.objects.count(),
        "large_group_id": large.pk,
        "full_small_group_id": small.pk,
        "large_group_members": Membership.objects.filter(group=large).count(),
        "posts": Post.objects.count(),
        "comments": Comment.objects.count(),
        "invitations": Invitation.objects.count(),
        "customers": len(customer_ids),
        "audit_events": AuditEvent.objects.count(),
    }
