from django.db import migrations

ALL = [
    "ChatterInviteExternalUsers",
    "CustomizeApplication",
    "ManageUsers",
    "ChatterOwnGroups",
    "ModifyAllData",
]
PROFILES = [
    ("System Administrator", "Salesforce", ALL, "All permissions."),
    ("Standard User", "Salesforce", ["ChatterOwnGroups"], "Can create and own groups."),
    ("Chatter Free User", "Chatter Free", [], "Chatter only."),
    ("Chatter External User", "Chatter External", [], "Customers invited to groups."),
]


def create(apps, schema_editor):
    Licence = apps.get_model("chatterorg", "Licence")
    Profile = apps.get_model("accounts", "Profile")
    for name, licence, perms, description in PROFILES:
        Profile.objects.get_or_create(
            name=name,
            defaults={
                "licence": Licence.objects.get(name=licence),
                "permissions": perms,
                "description": description,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_initial"), ("chatterorg", "0002_standard_licences")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
