"""Read-only admin for groups, memberships, join requests, posts and comments."""

from django.contrib import admin

from chatterorg.admin import ReadOnlyAdmin, ReadOnlyInline
from groups.models import Comment, Group, JoinRequest, Membership, Post


class MembershipInline(ReadOnlyInline):
    model = Membership
    fields = ("user", "role", "is_customer", "joined_at")
    readonly_fields = fields


@admin.register(Group)
class GroupAdmin(ReadOnlyAdmin):
    list_display = (
        "name",
        "access_type",
        "allow_customers",
        "broadcast_only",
        "is_archived",
        "created_at",
    )
    list_filter = ("access_type", "allow_customers", "broadcast_only", "is_archived")
    search_fields = ("name", "description")
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ("group", "user", "role", "is_customer", "joined_at")
    list_filter = ("role", "is_customer")
    search_fields = ("group__name", "user__username", "user__last_name")
    list_select_related = ("group", "user")


@admin.register(JoinRequest)
class JoinRequestAdmin(ReadOnlyAdmin):
    list_display = ("group", "user", "status", "created_at", "decided_at", "decided_by")
    list_filter = ("status",)
    search_fields = ("group__name", "user__username")
    list_select_related = ("group", "user", "decided_by")


@admin.register(Post)
class PostAdmin(ReadOnlyAdmin):
    list_display = ("group", "author", "created_at", "__str__")
    list_filter = ("created_at",)
    search_fields = ("body", "author__username", "group__name")
    list_select_related = ("group", "author")
    date_hierarchy = "created_at"


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    list_display = ("post", "author", "created_at", "__str__")
    list_filter = ("created_at",)
    search_fields = ("body", "author__username")
    list_select_related = ("post", "author")
    date_hierarchy = "created_at"
