from django.db import migrations

from chatterorg.search_indexes import trigram_index_operations


class Migration(migrations.Migration):
    """The Groups tab searches group names with icontains."""

    dependencies = [
        ("groups", "0004_list_order_index"),
    ]

    operations = trigram_index_operations("groups_group", {"group_name_trgm": "name"})
