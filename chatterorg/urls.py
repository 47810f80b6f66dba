from django.contrib import admin
from django.urls import include, path, re_path

from chatterorg import outbox, views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("setup/", include("setup.urls")),
    path("join/", include("invitations.join.urls")),
    path("invitations/", include("invitations.urls")),
    path("outbox/", outbox.outbox_list, name="outbox"),
    path("outbox/<str:name>/", outbox.outbox_message, name="outbox_message"),
    path("outbox/<str:name>/html/", outbox.outbox_message_html, name="outbox_message_html"),
    path("admin/", admin.site.urls),
    path("services/", include("api.urls")),
    # simple-salesforce builds its login URL as https://{domain}.salesforce.com/...:
    # domain="127.0.0.1:8443/login" reaches the same login endpoints.
    re_path(r"^(?:login|test)\.salesforce\.com/services/", include("api.urls_login")),
    path("", include("groups.urls")),
    # /<15- or 18-character ID> opens the record's page; last, so it shadows nothing.
    path("", include("api.urls_records")),
]
