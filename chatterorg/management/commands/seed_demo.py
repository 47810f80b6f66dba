"""Create the demo org. Idempotent: a second run changes nothing."""

import os

from django.core.management.base import BaseCommand
from django.db import transaction

DEFAULT_DEMO_PASSWORD = "Chatter-Demo-2026!"


class Command(BaseCommand):
    help = "Create the demo org (Acme Corporation), its users, groups and validation rule."

    def handle(self, *args: object, **options: object) -> None:
        from accounts.demo import seed_rules, seed_users
        from chatterorg.selectors import org_get
        from groups.demo import seed_groups

        password = os.environ.get("DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD
        with transaction.atomic():
            org_get()  # "Allow Customer Invitations" starts off, as in a new org.
            users = seed_users(password=password)
            seed_groups(users=users)
            seed_rules()
        self.stdout.write(self.style.SUCCESS(f"Demo org ready: {len(users)} users."))
