# The support reference of a failed sign-up belongs with the sign-up: its model
# moves from chatterorg to invitations. The table is kept, then renamed.

import django.db.models.deletion
from django.db import migrations, models

import invitations.models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_list_order_indexes"),
        ("chatterorg", "0003_list_order_indexes"),
        ("groups", "0004_list_order_index"),
        ("invitations", "0002_pending_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="SupportReference",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "number",
                            models.CharField(
                                default=invitations.models.new_support_number,
                                max_length=40,
                                unique=True,
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("validation_rule", "Validation rule"),
                                    ("exception", "Unexpected error"),
                                ],
                                max_length=20,
                            ),
                        ),
                        ("rule_name", models.CharField(blank=True, max_length=40)),
                        ("rule_formula", models.TextField(blank=True)),
                        ("rule_message", models.CharField(blank=True, max_length=255)),
                        ("exception_type", models.CharField(blank=True, max_length=200)),
                        ("traceback", models.TextField(blank=True)),
                        ("submitted", models.JSONField(blank=True, default=dict)),
                        (
                            "group",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="groups.group",
                            ),
                        ),
                        (
                            "invitation",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="invitations.invitation",
                            ),
                        ),
                        (
                            "rule",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="support_references",
                                to="accounts.validationrule",
                            ),
                        ),
                    ],
                    options={"ordering": ["-created_at"], "db_table": "chatterorg_supportreference"},
                ),
            ],
            database_operations=[],
        ),
    ]
