from django.db import migrations

from chatterorg.search_indexes import trigram_pending_list_off_operations


class Migration(migrations.Migration):
    """The user search indexes take new entries at once (``fastupdate = off``), so a
    search never reads a pending list that grows until the next vacuum."""

    dependencies = [
        ("accounts", "0015_user_search_name"),
    ]

    operations = trigram_pending_list_off_operations(["user_search_name_trgm", "user_email_trgm"])
