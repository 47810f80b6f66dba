"""Join Now: /join/<token>/ opens an emailed link, /join/signup/ is the token-free form."""

from django.urls import path

from invitations.join import views

app_name = "join"

urlpatterns = [
    # Listed first: a token is 43 random characters and can never be "signup" or "accept".
    path("signup/", views.join_signup, name="signup"),
    path("accept/", views.join_accept, name="accept"),
    path("<str:token>/", views.join_open, name="open"),
]
