"""Read-only admin for invitations (the token hash is never shown) and support references."""

from django.contrib import admin

from chatterorg.admin import ReadOnlyAdmin
from invitations.models import Invitation, RetiredLink, SupportReference


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = (
        "email",
        "group",
        "inviter",
        "status",
        "display_status",
        "delivery_status",
        "sent_at",
        "expires_at",
        "accepted_at",
    )
    list_filter = ("status", "delivery_status", "sent_at")
    search_fields = ("email", "group__name", "inviter__username")
    list_select_related = ("group", "inviter")
    date_hierarchy = "sent_at"
    exclude = ("token_hash",)


@admin.register(SupportReference)
class SupportReferenceAdmin(ReadOnlyAdmin):
    list_display = ("number", "created_at", "kind", "rule_name", "exception_type", "group")
    list_filter = ("kind", "created_at")
    search_fields = ("number", "rule_name", "rule_message", "exception_type")
    list_select_related = ("group",)
    date_hierarchy = "created_at"


@admin.register(RetiredLink)
class RetiredLinkAdmin(ReadOnlyAdmin):
    list_display = ("invitation", "reason", "retired_at")
    list_filter = ("reason", "retired_at")
    search_fields = ("invitation__email",)
    list_select_related = ("invitation__group",)
    exclude = ("token_hash",)
