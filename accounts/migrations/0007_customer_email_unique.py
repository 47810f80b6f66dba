# One customer per email address: User.email_key, filled for existing rows,
# then the partial unique constraint on customers' keys.

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
    """Every user gets the key of their email.

    Customers who already share an address (possible before this constraint;
    the demo has none) keep one key per address: the active one, else the
    oldest, keeps it, the others get NULL, which never matches an invitation
    and never conflicts. Setup refuses to save such a customer until its email
    is changed to an address no other customer has.
    """
    User = apps.get_model("accounts", "User")
    taken: set[str] = set()
    batch = []
    users = User.objects.order_by("-is_active", "pk").only("pk", "email", "user_type", "is_active")
    for user in users.iterator(chunk_size=BATCH):
        key = _email_key(user.email)
        if user.user_type == "ChatterGuest":
            if key in taken:
                key = None
            else:
                taken.add(key)
        user.email_key = key
        batch.append(user)
        if len(batch) >= BATCH:
            User.objects.bulk_update(batch, ["email_key"])
            batch = []
    if batch:
        User.objects.bulk_update(batch, ["email_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_reset_wrong_answers"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="email_key",
            field=models.CharField(blank=True, editable=False, max_length=320, null=True),
        ),
        migrations.RunPython(email_keys_fill, migrations.RunPython.noop, elidable=False),
        migrations.RemoveIndex(
            model_name="user",
            name="user_email_ci_idx",
        ),
        migrations.AddIndex(
            model_name="user",
            index=models.Index(fields=["email_key"], name="user_email_key_idx"),
        ),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(
                condition=models.Q(("user_type", "ChatterGuest")),
                fields=("email_key",),
                name="user_one_customer_per_email",
                violation_error_message="A customer with this email address already exists.",
            ),
        ),
    ]
