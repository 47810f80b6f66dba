"""Setup › Manage Users (included by chatterorg.setup_urls, namespace "setup")."""

from django.urls import path

from accounts import setup_views as views

urlpatterns = [
    path("users/", views.users, name="users"),
    path("users/new/", views.user_new, name="user_new"),
    path("users/<int:user_id>/", views.user_detail, name="user_detail"),
    path("users/<int:user_id>/edit/", views.user_edit, name="user_edit"),
    path(
        "users/<int:user_id>/permission-sets/assign/",
        views.user_permission_set_assign,
        name="user_permission_set_assign",
    ),
    path(
        "users/<int:user_id>/permission-sets/<int:permission_set_id>/remove/",
        views.user_permission_set_unassign,
        name="user_permission_set_unassign",
    ),
    path("profiles/", views.profiles, name="profiles"),
    path("profiles/<int:profile_id>/", views.profile_detail, name="profile_detail"),
    path("permission-sets/", views.permission_sets, name="permission_sets"),
    path("permission-sets/new/", views.permission_set_new, name="permission_set_new"),
    path("permission-sets/<int:pk>/", views.permission_set_detail, name="permission_set_detail"),
    path("permission-sets/<int:pk>/edit/", views.permission_set_edit, name="permission_set_edit"),
]
