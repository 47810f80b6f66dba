"""Create the demo org. Idempotent: a second run changes nothing."""

import os

from django.core.management.base import BaseCommand
from django.db import transaction

from chatterorg.selectors import org_get
from demo.connected_apps import seed_connected_app
from demo.groups import seed_groups
from demo.users import seed_rules, seed_users

DEFAULT_DEMO_PASSWORD = "Chatter-Demo-2026!"


class Command(BaseCommand):
    help = "Create the demo org (Acme Corporation), its users, groups and validation rule."

    def handle(self, *args: object, **options: object) -> None:
        password = os.environ.get("DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD
        with transaction.atomic():
            org_get()  # "Allow Customer Invitations" starts off, as in a new org.
            users = seed_users(password=password)
            seed_groups(users=users)
            seed_rules()
            seed_connected_app()
        self.stdout.write(self.style.SUCCESS(f"Demo org ready: {len(users)} users."))
