from django.urls import path

from invitations import views

app_name = "invitations"
urlpatterns = [
    path("groups/<int:group_id>/invite/", views.invite, name="invite"),
    path("groups/<int:group_id>/invitations/", views.invitation_list, name="list"),
    path("<int:invitation_id>/resend/", views.invitation_resend_view, name="resend"),
    path("<int:invitation_id>/cancel/", views.invitation_cancel_view, name="cancel"),
    path(
        "<int:invitation_id>/cancel/confirm/",
        views.invitation_cancel_confirm,
        name="cancel_confirm",
    ),
]

urlpatterns += [
    path("groups/<int:group_id>/invitations/history/", views.invitation_history, name="history"),
]

urlpatterns += [
    path("groups/<int:group_id>/invite/bulk/", views.invite_bulk, name="invite_bulk"),
]

urlpatterns += [
    path("coworkers/invite/", views.invite_coworkers, name="invite_coworkers"),
    path(
        "coworkers/<int:invitation_id>/resend/",
        views.coworker_invitation_resend_view,
        name="coworker_resend",
    ),
    path(
        "coworkers/<int:invitation_id>/cancel/",
        views.coworker_invitation_cancel_view,
        name="coworker_cancel",
    ),
    path(
        "coworkers/<int:invitation_id>/cancel/confirm/",
        views.coworker_invitation_cancel_confirm,
        name="coworker_cancel_confirm",
    ),
]
