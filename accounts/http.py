"""The request type of views that only signed-in users reach."""

from django.http import HttpRequest

from accounts.models import User


class AuthenticatedRequest(HttpRequest):
    """A request behind ``login_required``: ``request.user`` is a ``User``, never anonymous."""

    user: User  # type: ignore[assignment]
