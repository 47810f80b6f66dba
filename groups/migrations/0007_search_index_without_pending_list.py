from django.db import migrations

from chatterorg.search_indexes import trigram_pending_list_off_operations


class Migration(migrations.Migration):
    """The group name search index takes new entries at once (``fastupdate = off``)."""

    dependencies = [
        ("groups", "0006_post_group_index_in_feed_index"),
    ]

    operations = trigram_pending_list_off_operations(["group_name_trgm"])
