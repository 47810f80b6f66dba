"""The login endpoints under ``/login.salesforce.com/services/`` (see chatterorg.urls)."""

from django.urls import re_path

from api.views import auth

app_name = "api_login"

urlpatterns = [
    re_path(r"^oauth2/token/?$", auth.oauth_token, name="oauth_token"),
    re_path(r"^Soap/u/(?P<version>\d+\.\d+)/?$", auth.soap_login, name="soap"),
]
