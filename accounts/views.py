from django.contrib.auth import views as auth_views
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from accounts.forms import LoginForm


@method_decorator([sensitive_post_parameters("password"), never_cache], name="dispatch")
class LoginView(auth_views.LoginView):
    """Log in with username and password; Django rotates the session key on success."""

    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass
