from django.db import migrations

from chatterorg.search_indexes import trigram_index_operations


class Migration(migrations.Migration):
    """People, "Add/Remove Members" and Setup › Users search these columns with icontains."""

    dependencies = [
        ("accounts", "0011_api_enabled"),
    ]

    operations = trigram_index_operations(
        "accounts_user",
        {
            "user_first_name_trgm": "first_name",
            "user_last_name_trgm": "last_name",
            "user_username_trgm": "username",
            "user_email_trgm": "email",
        },
    )
