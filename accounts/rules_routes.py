"""Setup › Customize › Users › Validation Rules (namespace "setup")."""

from django.urls import path

from accounts import rules_views as views
from chatterorg import support_views

urlpatterns = [
    path("users/validation-rules/", views.validation_rules, name="validation_rules"),
    path("users/validation-rules/new/", views.validation_rule_new, name="validation_rule_new"),
    path(
        "users/validation-rules/<int:rule_id>/edit/",
        views.validation_rule_edit,
        name="validation_rule_edit",
    ),
    path(
        "users/validation-rules/<int:rule_id>/active/",
        views.validation_rule_toggle,
        name="validation_rule_toggle",
    ),
    path("support/lookup/", support_views.support_lookup, name="support_lookup"),
]
