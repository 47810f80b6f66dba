"""The Django admin: a read-only window on every model, for users with "Modify All Data".

Writes go through Setup and the actions modules, never through the admin: each
action keeps licence counts, runs validation rules and writes the audit trail,
which a plain admin save would skip.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from chatterorg.models import AuditEvent, Licence, Organization, ShownVersion

admin.site.site_header = "Chatter Org administration"
admin.site.site_title = "Chatter Org admin"
admin.site.index_title = "Records (read-only; make changes in Setup)"


class ReadOnlyAdmin(admin.ModelAdmin):
    """Lists, search, filters and detail views; no add, change or delete."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Organization)
class OrganizationAdmin(ReadOnlyAdmin):
    list_display = (
        "name",
        "allow_customer_invitations",
        "allow_coworker_invitations",
        "enable_unlisted_groups",
        "invitation_expiry_days",
        "invitations_per_day",
        "show_validation_errors_to_customers",
        "updated_at",
    )


@admin.register(Licence)
class LicenceAdmin(ReadOnlyAdmin):
    list_display = ("name", "total", "used", "remaining")
    search_fields = ("name",)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "actor", "section", "action", "display", "old_value", "new_value")
    list_filter = ("section", "action", "created_at")
    search_fields = ("display", "actor__username", "old_value", "new_value", "target_id")
    list_select_related = ("actor",)
    date_hierarchy = "created_at"


@admin.register(ShownVersion)
class ShownVersionAdmin(ReadOnlyAdmin):
    list_display = ("key", "value")
    search_fields = ("key",)
