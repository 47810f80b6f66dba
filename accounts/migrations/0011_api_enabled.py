""""API Enabled" for the standard internal profiles (Salesforce grants it to both)."""

from django.db import migrations

PROFILES = ("System Administrator", "Standard User")
PERM = "ApiEnabled"


def grant(apps, schema_editor):
    Profile = apps.get_model("accounts", "Profile")
    for profile in Profile.objects.filter(name__in=PROFILES):
        if PERM not in profile.permissions:
            profile.permissions = sorted([*profile.permissions, PERM])
            profile.save(update_fields=["permissions"])


def revoke(apps, schema_editor):
    Profile = apps.get_model("accounts", "Profile")
    for profile in Profile.objects.filter(name__in=PROFILES):
        profile.permissions = [p for p in profile.permissions if p != PERM]
        profile.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0010_api_access")]
    operations = [migrations.RunPython(grant, revoke)]
