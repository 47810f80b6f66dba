"""The catalogue of user permissions and the one question every view asks.

Salesforce grants permissions through a user's profile and any number of
permission sets; a user holds a permission when the profile or any assigned set
grants it. ``user_has_perm`` is the only place that rule lives.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from accounts.models import User


class Perm(StrEnum):
    """Permissions by Salesforce API name (without the ``Permissions`` prefix)."""

    INVITE_CUSTOMERS = "ChatterInviteExternalUsers"
    CUSTOMIZE_APPLICATION = "CustomizeApplication"
    MANAGE_USERS = "ManageUsers"
    CREATE_GROUPS = "ChatterOwnGroups"
    MODIFY_ALL_DATA = "ModifyAllData"
    API_ENABLED = "ApiEnabled"

    @property
    def label(self) -> str:
        return PERM_LABELS[self]

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(perm.value, perm.label) for perm in cls]


PERM_LABELS: dict[Perm, str] = {
    Perm.INVITE_CUSTOMERS: "Invite Customers To Chatter",
    Perm.CUSTOMIZE_APPLICATION: "Customize Application",
    Perm.MANAGE_USERS: "Manage Users",
    Perm.CREATE_GROUPS: "Create and Own New Chatter Groups",
    Perm.MODIFY_ALL_DATA: "Modify All Data",
    Perm.API_ENABLED: "API Enabled",
}

ALL_PERMS: frozenset[str] = frozenset(perm.value for perm in Perm)


def user_perms(user: User) -> frozenset[str]:
    """The permissions a user holds: profile ∪ every assigned permission set.

    Computed once per user object (so once per request for ``request.user``);
    an inactive or anonymous user holds none.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached: frozenset[str] | None = getattr(user, "_perm_cache", None)
    if cached is None:
        granted = set(user.profile.permissions)
        for perms in user.permission_sets.values_list("permissions", flat=True):
            granted.update(perms)
        cached = frozenset(granted & ALL_PERMS)
        user._perm_cache = cached  # type: ignore[attr-defined]
    return cached


def user_has_perm(user: User, perm: Perm) -> bool:
    """Whether ``user`` holds ``perm`` through the profile or a permission set."""
    return perm.value in user_perms(user)


def user_can_open_setup(user: User) -> bool:
    """Setup is for users who customize the org or manage its users."""
    perms = user_perms(user)
    return Perm.CUSTOMIZE_APPLICATION in perms or Perm.MANAGE_USERS in perms
