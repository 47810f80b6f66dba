# One pending invitation per group and address, addresses compared by their
# email_key (case, IDN spellings) as users are.

from django.db import migrations, models

BATCH = 1000


def _email_key(address):
    """A copy of ``accounts.models.email_key`` as it was when this migration was written."""
    local, at, domain = address.strip().rpartition("@")
    try:
        if not at or not local or not domain:
            raise ValueError(address)
        ascii_domain = domain.encode("idna").decode("ascii").lower()
        ascii_domain.encode("ascii").decode("idna")
    except (ValueError, UnicodeError):
        return address.strip().lower()
    return f"{local.lower()}@{ascii_domain}"


def email_keys_fill(apps, schema_editor):
    """Every invitation gets the key of its email.

    Two pending invitations of one group whose addresses differ only in an IDN
    spelling or a non-ASCII case (the old constraint compared ``LOWER(email)``)
    would break the new constraint: the newest keeps the key, the older gets
    NULL. Both links keep working until they are accepted, canceled or expire.
    """
    Invitation = apps.get_model("invitations", "Invitation")
    pending: set[tuple[int, str]] = set()
    batch = []
    rows = Invitation.objects.order_by("-sent_at", "-pk").only("pk", "group_id", "email", "status")
    for invitation in rows.iterator(chunk_size=BATCH):
        key = _email_key(invitation.email)
        if invitation.status == "Sent":
            if (invitation.group_id, key) in pending:
                key = None
            else:
                pending.add((invitation.group_id, key))
        invitation.email_key = key
        batch.append(invitation)
        if len(batch) >= BATCH:
            Invitation.objects.bulk_update(batch, ["email_key"])
            batch = []
    if batch:
        Invitation.objects.bulk_update(batch, ["email_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("invitations", "0004_supportreference_table"),
    ]

    operations = [
        migrations.AddField(
            model_name="invitation",
            name="email_key",
            field=models.CharField(blank=True, editable=False, max_length=320, null=True),
        ),
        migrations.RunPython(email_keys_fill, migrations.RunPython.noop, elidable=False),
        migrations.RemoveConstraint(
            model_name="invitation",
            name="invitation_one_pending_per_address",
        ),
        migrations.AddConstraint(
            model_name="invitation",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "Sent")),
                fields=("group", "email_key"),
                name="invitation_one_pending_per_address",
            ),
        ),
    ]
