"""Setup: one URL namespace for every Setup page."""

from django.urls import path

from setup.views import apps, customers, fields, invitations, org, rules, support, users

app_name = "setup"

urlpatterns = [
    path("", org.setup_home, name="home"),
    path("chatter/settings/", org.chatter_settings, name="chatter_settings"),
    path("company/", org.company_information, name="company_information"),
    path("audit-trail/", org.audit_trail, name="audit_trail"),
    # Manage Users
    path("users/", users.users, name="users"),
    path("users/new/", users.user_new, name="user_new"),
    path("users/<int:user_id>/", users.user_detail, name="user_detail"),
    path("users/<int:user_id>/edit/", users.user_edit, name="user_edit"),
    path("users/<int:user_id>/unlock/", users.user_unlock, name="user_unlock"),
    path(
        "users/<int:user_id>/permission-sets/assign/",
        users.user_permission_set_assign,
        name="user_permission_set_assign",
    ),
    path(
        "users/<int:user_id>/permission-sets/<int:permission_set_id>/remove/",
        users.user_permission_set_unassign,
        name="user_permission_set_unassign",
    ),
    path("profiles/", users.profiles, name="profiles"),
    path("profiles/<int:profile_id>/", users.profile_detail, name="profile_detail"),
    path("permission-sets/", users.permission_sets, name="permission_sets"),
    path("permission-sets/new/", users.permission_set_new, name="permission_set_new"),
    path("permission-sets/<int:pk>/", users.permission_set_detail, name="permission_set_detail"),
    path("permission-sets/<int:pk>/edit/", users.permission_set_edit, name="permission_set_edit"),
    # Customize › Users › Validation Rules
    path("users/validation-rules/", rules.validation_rules, name="validation_rules"),
    path("users/validation-rules/new/", rules.validation_rule_new, name="validation_rule_new"),
    path(
        "users/validation-rules/<int:rule_id>/edit/",
        rules.validation_rule_edit,
        name="validation_rule_edit",
    ),
    path(
        "users/validation-rules/<int:rule_id>/active/",
        rules.validation_rule_toggle,
        name="validation_rule_toggle",
    ),
    path(
        "users/validation-rules/<int:rule_id>/test/",
        rules.validation_rule_test,
        name="validation_rule_test",
    ),
    # Object Manager › User › Fields & Relationships
    path("users/fields/", fields.user_fields_list, name="object_fields"),
    path("users/fields/new/", fields.user_field_new, name="object_field_new"),
    path(
        "users/fields/<int:field_id>/delete/",
        fields.user_field_delete_confirm,
        name="object_field_delete",
    ),
    path("support/lookup/", support.support_lookup, name="support_lookup"),
]

urlpatterns += [
    # Manage Users › Invitations
    path("invitations/", invitations.invitations, name="invitations"),
    path("invitations/bulk/", invitations.invitations_bulk, name="invitations_bulk"),
    path("invitations/export.csv", invitations.invitations_export, name="invitations_export"),
]

urlpatterns += [
    # Manage Users › Users › Customers
    path("users/customers/", customers.customers, name="customers"),
    path(
        "users/<int:user_id>/access/",
        customers.user_customer_access,
        name="user_customer_access",
    ),
]

# Apps › App Manager and Connected Apps OAuth Usage; Security › Network Access, Session Settings
urlpatterns += [
    path("apps/", apps.connected_apps, name="connected_apps"),
    path("apps/new/", apps.connected_app_new, name="connected_app_new"),
    path(
        "apps/<int:app_id>/delete/",
        apps.connected_app_delete_confirm,
        name="connected_app_delete",
    ),
    path("apps/oauth-usage/", apps.oauth_usage, name="oauth_usage"),
    path(
        "apps/oauth-usage/<int:session_id>/revoke/",
        apps.oauth_session_revoke,
        name="oauth_session_revoke",
    ),
    path("security/network-access/", apps.network_access, name="network_access"),
    path("security/session-settings/", apps.session_settings, name="session_settings"),
]
