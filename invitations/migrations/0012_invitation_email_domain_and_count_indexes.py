# Setup › Invitations reads its counts per status and its domain filter off indexes:
# the address's domain is kept in a column, filled here for the existing rows.

from django.conf import settings
from django.db import migrations, models

BATCH = 1000


def _domain(invitation):
    """The domain of the row's ``email_key`` (as ``Invitation.address_keys_fill`` derives it);
    for a row without a key, of its address, IDNA-encoded and lower-cased when it can be."""
    if invitation.email_key:
        return invitation.email_key.rpartition("@")[2]
    domain = invitation.email.strip().rpartition("@")[2]
    try:
        return domain.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return domain.lower()


def email_domains_fill(apps, schema_editor):
    Invitation = apps.get_model("invitations", "Invitation")
    rows = Invitation.objects.order_by("pk").only("pk", "email", "email_key")
    if schema_editor.connection.vendor == "postgresql":
        # One statement for the rows with a key (what follows its last "@"); row by row,
        # 200,000 invitations take minutes.
        schema_editor.execute(
            "UPDATE invitations_invitation SET email_domain = substring(email_key from '[^@]*$') "
            "WHERE email_key IS NOT NULL"
        )
        rows = rows.filter(email_key__isnull=True)
    batch = []
    for invitation in rows.iterator(chunk_size=BATCH):
        invitation.email_domain = _domain(invitation)
        batch.append(invitation)
        if len(batch) >= BATCH:
            Invitation.objects.bulk_update(batch, ["email_domain"])
            batch = []
    if batch:
        Invitation.objects.bulk_update(batch, ["email_domain"])


class Migration(migrations.Migration):

    dependencies = [
        ('groups', '0006_post_group_index_in_feed_index'),
        ('invitations', '0011_retired_links'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='invitation',
            name='email_domain',
            field=models.CharField(blank=True, editable=False, max_length=320),
        ),
        migrations.RunPython(email_domains_fill, migrations.RunPython.noop, elidable=False),
        migrations.AddIndex(
            model_name='invitation',
            index=models.Index(fields=['status', 'expires_at'], name='invitation_status_expires_idx'),
        ),
        migrations.AddIndex(
            model_name='invitation',
            index=models.Index(fields=['email_domain', 'status', 'expires_at'], name='invitation_domain_idx'),
        ),
    ]
