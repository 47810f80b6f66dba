from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("chatterorg", "0004_supportreference_to_invitations"),
        ("invitations", "0003_supportreference_from_chatterorg"),
    ]

    operations = [
        migrations.AlterModelTable(name="supportreference", table=None),
    ]
