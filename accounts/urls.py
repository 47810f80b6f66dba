from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("security-token/reset/", views.security_token_reset, name="security_token_reset"),
    # Forgot Your Password? (the token path is redacted in logs: chatterorg.logging)
    path("password/forgot/", views.password_forgot, name="password_forgot"),
    path("password/forgot/sent/", views.password_forgot_sent, name="password_forgot_sent"),
    path("password/reset/", views.password_reset, name="password_reset"),
    path("username/forgot/", views.username_forgot, name="username_forgot"),
    path("username/forgot/sent/", views.username_forgot_sent, name="username_forgot_sent"),
    path(
        "password/reset/<str:token>/",
        views.password_reset_open,
        name="password_reset_open",
    ),
]
