from django.db import migrations

# Salesforce gives every org 500 Chatter External licences free.
LICENCES = {"Salesforce": 1000, "Chatter Free": 5000, "Chatter External": 500}


def create(apps, schema_editor):
    Licence = apps.get_model("chatterorg", "Licence")
    Organization = apps.get_model("chatterorg", "Organization")
    for name, total in LICENCES.items():
        Licence.objects.get_or_create(name=name, defaults={"total": total})
    Organization.objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("chatterorg", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
