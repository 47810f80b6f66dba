"""Setup: one namespace, pages contributed by the org, users and validation rules."""

from django.urls import include, path

app_name = "setup"

urlpatterns = [
    path("", include("chatterorg.setup_routes")),
    path("", include("accounts.setup_routes")),
    path("", include("accounts.rules_routes")),
]
