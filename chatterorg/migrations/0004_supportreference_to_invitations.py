# SupportReference now belongs to the invitations app (its state moved there in
# invitations 0003); the table stays and is renamed by invitations 0004.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("chatterorg", "0003_list_order_indexes"),
        ("invitations", "0003_supportreference_from_chatterorg"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="SupportReference")],
            database_operations=[],
        ),
    ]
