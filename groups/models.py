"""Chatter groups, memberships and roles, join requests and the group feed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower


class Group(models.Model):
    """A Chatter group (CollaborationGroup)."""

    class AccessType(models.TextChoices):
        PUBLIC = "Public", "Public"
        PRIVATE = "Private", "Private"
        UNLISTED = "Unlisted", "Unlisted"

    CUSTOMER_ACCESS_TYPES = (AccessType.PRIVATE, AccessType.UNLISTED)

    name = models.CharField("Name", max_length=40)
    description = models.TextField("Description", max_length=1000, blank=True)
    information_title = models.CharField("Information Title", max_length=100, blank=True)
    information_text = models.TextField("Information", max_length=4000, blank=True)
    access_type = models.CharField(
        "Access Type", max_length=10, choices=AccessType.choices, default=AccessType.PUBLIC
    )
    allow_customers = models.BooleanField("Allow Customers", default=False)
    broadcast_only = models.BooleanField("Broadcast Only", default=False)
    is_archived = models.BooleanField("Archived", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            # Names are unique among Public and Private groups, case-insensitively.
            models.UniqueConstraint(
                Lower("name"),
                condition=~Q(access_type="Unlisted"),
                name="group_name_ci_unique_listed",
                violation_error_message="A public or private group with this name already exists.",
            ),
            # A group with customers can never be Public.
            models.CheckConstraint(
                condition=Q(allow_customers=False) | ~Q(access_type="Public"),
                name="group_customers_not_public",
                violation_error_message="A group that allows customers can't be Public.",
            ),
            models.CheckConstraint(
                condition=Q(access_type__in=["Public", "Private", "Unlisted"]),
                name="group_access_type_valid",
            ),
        ]
        indexes = [
            models.Index(Lower("name"), name="group_name_ci_idx"),
            # The Groups tab lists by name: a page is read off the index.
            models.Index(fields=["name", "id"], name="group_name_order_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def takes_customers(self) -> bool:
        """Private or Unlisted with "Allow Customers": customers may be invited and join."""
        return self.allow_customers and self.access_type in self.CUSTOMER_ACCESS_TYPES

    @classmethod
    def takes_customers_q(cls, prefix: str = "") -> Q:
        """``takes_customers`` as a filter, for a query through ``prefix`` (e.g. ``"group__"``)."""
        return Q(
            **{
                f"{prefix}allow_customers": True,
                f"{prefix}access_type__in": list(cls.CUSTOMER_ACCESS_TYPES),
            }
        )

    @property
    def access_label(self) -> str:
        """The label Salesforce shows beside the group name."""
        if self.allow_customers and self.access_type == self.AccessType.PRIVATE:
            return "Private With Customers"
        return self.get_access_type_display()


class Membership(models.Model):
    """A user's membership of a group, with a role.

    The database holds the invariants: one membership per user and group, at
    most one Owner per group, and never a customer as Owner (``is_customer``
    mirrors the user's type so a check constraint can see it).
    """

    class Role(models.TextChoices):
        OWNER = "Owner", "Owner"
        MANAGER = "Manager", "Manager"
        MEMBER = "Member", "Member"

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    is_customer = models.BooleanField(default=False)
    joined_at = models.DateTimeField(auto_now_add=True)
    # Owner 0, Manager 1, Member 2: computed by the database from ``role``, so it
    # can never disagree with it, and indexed so a member list of any size is
    # read in order without sorting every membership.
    role_rank = models.GeneratedField(
        expression=models.Case(
            models.When(role="Owner", then=models.Value(0)),
            models.When(role="Manager", then=models.Value(1)),
            default=models.Value(2),
        ),
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["joined_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "user"],
                name="membership_unique",
                violation_error_message="This person is already a member of the group.",
            ),
            models.UniqueConstraint(
                fields=["group"],
                condition=Q(role="Owner"),
                name="membership_one_owner",
                violation_error_message="A group has exactly one owner.",
            ),
            models.CheckConstraint(
                condition=~Q(role="Owner", is_customer=True),
                name="membership_customer_not_owner",
                violation_error_message="A customer can't own a group.",
            ),
            models.CheckConstraint(
                condition=Q(role__in=["Owner", "Manager", "Member"]), name="membership_role_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["user", "group"], name="membership_user_group_idx"),
            models.Index(
                fields=["group", "role_rank", "joined_at", "id"], name="membership_list_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.group} ({self.role})"

    @property
    def can_manage(self) -> bool:
        return self.role in (self.Role.OWNER, self.Role.MANAGER)


class JoinRequest(models.Model):
    """An "Ask to Join" request for a Private group."""

    class Status(models.TextChoices):
        PENDING = "Pending", "Pending"
        ACCEPTED = "Accepted", "Accepted"
        DECLINED = "Declined", "Declined"

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="join_requests")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="join_requests"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "user"],
                condition=Q(status="Pending"),
                name="join_request_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} asks to join {self.group} ({self.status})"


class Post(models.Model):
    # No index of its own: ``post_feed_idx`` leads with the group. With a second one
    # the planner, guessing a group's posts from the average (ten or so), read all
    # 50,000 of a large group through it and sorted them instead of reading the ten
    # newest off ``post_feed_idx`` (Home's newest posts per group).
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="posts", db_index=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="posts"
    )
    body = models.TextField(max_length=10000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["group", "-created_at", "-id"], name="post_feed_idx"),
            # The org's newest posts first (the API's FeedItem ORDER BY CreatedDate DESC).
            models.Index(fields=["-created_at", "-id"], name="post_newest_idx"),
        ]

    def __str__(self) -> str:
        return self.body[:50]


class Comment(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments"
    )
    body = models.TextField(max_length=10000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["post", "created_at"], name="comment_post_idx"),
            # The org's newest comments first (the API's FeedComment by CreatedDate DESC).
            models.Index(fields=["-created_at", "-id"], name="comment_newest_idx"),
        ]

    def __str__(self) -> str:
        return self.body[:50]
