"""Read-only admin for users, profiles, permission sets and validation rules.

Password hashes, security answer hashes and reset token hashes are never shown.
"""

from django.contrib import admin

from accounts.models import (
    ApiSession,
    ConnectedApp,
    LoginThrottle,
    PasswordForgotThrottle,
    PasswordResetRequest,
    PermissionSet,
    PermissionSetAssignment,
    Profile,
    User,
    UserField,
    UsernameReminder,
    ValidationRule,
)
from chatterorg.admin import ReadOnlyAdmin, ReadOnlyInline


class PermissionSetAssignmentInline(ReadOnlyInline):
    model = PermissionSetAssignment
    fields = ("permission_set", "assigned_at")
    readonly_fields = fields


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    list_display = (
        "username",
        "last_name",
        "first_name",
        "email",
        "profile",
        "user_type",
        "is_active",
        "date_joined",
        "last_login",
    )
    list_filter = ("is_active", "user_type", "profile")
    search_fields = ("username", "email", "first_name", "last_name", "company_name")
    list_select_related = ("profile",)
    # Everything except the password and security answer hashes.
    fields = (
        "username",
        "email",
        "first_name",
        "last_name",
        "company_name",
        "department",
        "title",
        "profile",
        "user_type",
        "is_active",
        "security_question",
        "date_joined",
        "last_login",
    )
    inlines = [PermissionSetAssignmentInline]


@admin.register(Profile)
class ProfileAdmin(ReadOnlyAdmin):
    list_display = ("name", "licence", "permissions", "description")
    list_filter = ("licence",)
    search_fields = ("name", "description")
    list_select_related = ("licence",)


@admin.register(PermissionSet)
class PermissionSetAdmin(ReadOnlyAdmin):
    list_display = ("label", "api_name", "permissions", "description")
    search_fields = ("label", "api_name", "description")


@admin.register(PermissionSetAssignment)
class PermissionSetAssignmentAdmin(ReadOnlyAdmin):
    list_display = ("user", "permission_set", "assigned_at")
    list_filter = ("permission_set",)
    search_fields = ("user__username", "permission_set__label", "permission_set__api_name")
    list_select_related = ("user", "permission_set")


@admin.register(ValidationRule)
class ValidationRuleAdmin(ReadOnlyAdmin):
    list_display = ("name", "active", "error_location", "error_message", "updated_at")
    list_filter = ("active", "error_location")
    search_fields = ("name", "description", "formula", "error_message")


@admin.register(PasswordResetRequest)
class PasswordResetRequestAdmin(ReadOnlyAdmin):
    list_display = ("user", "created_at", "expires_at", "used_at")
    list_filter = ("created_at", "used_at")
    search_fields = ("user__username", "user__email")
    list_select_related = ("user",)
    fields = ("user", "created_at", "expires_at", "used_at")


@admin.register(LoginThrottle)
class LoginThrottleAdmin(ReadOnlyAdmin):
    list_display = ("username", "client_address", "failures", "window_started_at", "locked_until")
    list_filter = ("locked_until",)
    search_fields = ("username", "client_address")


@admin.register(PasswordForgotThrottle)
class PasswordForgotThrottleAdmin(ReadOnlyAdmin):
    list_display = ("client_address", "requests", "window_started_at")
    search_fields = ("client_address",)


@admin.register(UserField)
class UserFieldAdmin(ReadOnlyAdmin):
    list_display = ("label", "api_name", "type", "required", "created_at")
    list_filter = ("type", "required")
    search_fields = ("label", "api_name")


@admin.register(ConnectedApp)
class ConnectedAppAdmin(ReadOnlyAdmin):
    list_display = ("name", "contact_email", "oauth_enabled", "client_credentials_enabled")
    search_fields = ("name", "contact_email")
    # The consumer key and secret exist only as hashes; even those stay out of sight.
    exclude = ("consumer_key_hash", "consumer_secret_hash")


@admin.register(ApiSession)
class ApiSessionAdmin(ReadOnlyAdmin):
    list_display = ("user", "app", "kind", "created_at", "last_used_at", "expires_at", "revoked_at")
    list_filter = ("kind", "created_at")
    search_fields = ("user__username", "app__name", "client_address")
    list_select_related = ("user", "app")
    exclude = ("access_token_hash", "refresh_token_hash")


@admin.register(UsernameReminder)
class UsernameReminderAdmin(ReadOnlyAdmin):
    list_display = ("email_key", "sent_at")
    list_filter = ("sent_at",)
    search_fields = ("email_key",)
