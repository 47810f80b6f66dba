"""Read-only admin for invitations; the token hash is never shown."""

from django.contrib import admin

from chatterorg.admin import ReadOnlyAdmin
from invitations.models import Invitation


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
