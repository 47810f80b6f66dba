import django.db.models.functions.text
from django.db import migrations, models

from chatterorg.search_indexes import trigram_index_operations


class Migration(migrations.Migration):
    """The search boxes match one column, ``search_name`` (first name, last name and
    username), so one trigram index answers them instead of three read together."""

    dependencies = [
        ("accounts", "0014_username_reminders"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="search_name",
            field=models.GeneratedField(
                db_persist=True,
                expression=django.db.models.functions.text.Concat(
                    "first_name", models.Value(" "), "last_name", models.Value(" "), "username"
                ),
                output_field=models.CharField(max_length=202),
            ),
        ),
        *trigram_index_operations(
            "accounts_user",
            {"user_search_name_trgm": "search_name"},
            replaces={
                "user_first_name_trgm": "first_name",
                "user_last_name_trgm": "last_name",
                "user_username_trgm": "username",
            },
        ),
    ]
