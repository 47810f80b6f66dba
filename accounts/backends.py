"""How a session finds its user: Django's model backend, with the user's profile.

Nearly every page asks a permission (``accounts.permissions.user_perms``), which
reads the profile; loading it with the user saves that query on each request.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from accounts.models import User


class UserBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        try:
            user = User.objects.select_related("profile").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
