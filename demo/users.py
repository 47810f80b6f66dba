"""The demo org's users, permission set and validation rule (see ``seed_demo``)."""

from __future__ import annotations

from accounts.actions import permission_set_assign, permission_set_create, user_create_internal
from accounts.models import PermissionSet, Profile, User, ValidationRule
from accounts.permissions import Perm

DEMO_USERS = [
    # username, first, last, title, department, profile
    (
        "admin@acme.example",
        "Avery",
        "Admin",
        "Salesforce Administrator",
        "IT",
        Profile.SYSTEM_ADMINISTRATOR,
    ),
    (
        "morgan@acme.example",
        "Morgan",
        "Lee",
        "Customer Success Director",
        "Customer Success",
        Profile.STANDARD_USER,
    ),
    ("nora@acme.example", "Nora", "Patel", "Account Manager", "Sales", Profile.STANDARD_USER),
    ("casey@acme.example", "Casey", "Nguyen", "Support Engineer", "Support", Profile.STANDARD_USER),
]
INVITERS_SET = "Chatter_Customer_Inviters"


def seed_users(*, password: str) -> dict[str, User]:
    """Create the demo users once; a second run changes nothing."""
    users: dict[str, User] = {}
    for username, first, last, title, department, profile_name in DEMO_USERS:
        user = User.objects.with_username(username).first()
        if user is None:
            user = user_create_internal(
                actor=None,
                username=username,
                email=username,
                first_name=first,
                last_name=last,
                title=title,
                department=department,
                company_name="Acme Corporation",
                profile=Profile.objects.get(name=profile_name),
                password=password,
            )
        users[username.split("@")[0]] = user
    inviters = PermissionSet.objects.filter(api_name=INVITERS_SET).first()
    if inviters is None:
        inviters = permission_set_create(
            actor=None,
            label="Chatter Customer Inviters",
            api_name=INVITERS_SET,
            description="May invite customers to private groups that allow customers.",
            permissions=[Perm.INVITE_CUSTOMERS],
        )
    permission_set_assign(actor=None, user=users["morgan"], permission_set=inviters)
    return users


def seed_rules() -> None:
    """An inactive rule that, once activated, blocks customer sign-up (the seed's story)."""
    ValidationRule.objects.get_or_create(
        name="Require Department",
        defaults={
            "active": False,
            "description": "Every user must have a department.",
            "formula": "ISBLANK(Department)",
            "error_message": "Department is required.",
            "error_location": ValidationRule.TOP_OF_PAGE,
        },
    )
