"""Join Now: /join/<token>/ opens an emailed link, /join/signup/ is the token-free form."""

from django.urls import path

from invitations import join_views

app_name = "join"

urlpatterns = [
    # Listed first: a token is 43 random characters and can never be "signup".
    path("signup/", join_views.join_signup, name="signup"),
    path("<str:token>/", join_views.join_open, name="open"),
]
