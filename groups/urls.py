from django.urls import path

from groups import views

app_name = "groups"

urlpatterns = [
    path("groups/", views.group_list, name="list"),
    path("groups/new/", views.group_create, name="create"),
    path("groups/<int:group_id>/", views.group_detail, name="detail"),
    path("groups/<int:group_id>/edit/", views.group_edit, name="edit"),
    path("groups/<int:group_id>/delete/", views.group_delete, name="delete"),
    path("groups/<int:group_id>/members/", views.group_members, name="members"),
    path("groups/<int:group_id>/members/add/", views.member_add, name="member_add"),
    path("groups/<int:group_id>/members/remove/", views.member_remove, name="member_remove"),
    path(
        "groups/<int:group_id>/members/remove/confirm/",
        views.member_remove_confirm,
        name="member_remove_confirm",
    ),
    path("groups/<int:group_id>/roles/", views.group_roles, name="roles"),
    path("groups/<int:group_id>/roles/set/", views.role_set, name="role_set"),
    path("groups/<int:group_id>/owner/", views.owner_transfer, name="owner_transfer"),
    path(
        "groups/<int:group_id>/owner/confirm/",
        views.owner_transfer_confirm,
        name="owner_transfer_confirm",
    ),
    path("groups/<int:group_id>/join/", views.group_join, name="join"),
    path("groups/<int:group_id>/leave/", views.group_leave, name="leave"),
    path("groups/<int:group_id>/ask/", views.join_request_create, name="ask_to_join"),
    path(
        "groups/<int:group_id>/requests/<int:request_id>/accept/",
        views.join_request_accept,
        name="accept",
    ),
    path(
        "groups/<int:group_id>/requests/<int:request_id>/decline/",
        views.join_request_decline,
        name="decline",
    ),
    path("groups/<int:group_id>/posts/", views.post_create, name="post"),
    path("posts/<int:post_id>/comments/", views.comment_create, name="comment"),
    path("posts/<int:post_id>/delete/", views.post_delete, name="post_delete"),
    path("people/", views.people, name="people"),
    path("search/", views.search, name="search"),
    path("people/<int:user_id>/", views.profile, name="profile"),
]
