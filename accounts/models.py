"""Users, profiles, permission sets, validation rules and password resets."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Concat, Lower
from django.utils import timezone

from accounts.permissions import ALL_PERMS, Perm, user_has_perm

# Room for an address of 240 characters whose domain grows when IDNA-encoded.
EMAIL_KEY_LENGTH = 320


def email_key(address: str) -> str:
    """The form in which two addresses are the same person's: compared, never shown or mailed.

    The local part lower-cased, the domain IDNA-encoded (Python's IDNA 2003
    codec, which also folds case) and lower-cased: ``Jane@BÜCHER.example`` and
    ``jane@xn--bcher-kva.example`` have one key. Computed in Python, not with
    the database's ``LOWER()``, so SQLite (ASCII-only) and PostgreSQL agree.
    Raises ``ValueError`` for a domain that is not a valid IDN (an empty or too
    long label, a broken ``xn--`` label).
    """
    local, at, domain = address.strip().rpartition("@")
    if not at or not local or not domain:
        raise ValueError(f"Not an email address: {address!r}")
    try:
        ascii_domain = domain.encode("idna").decode("ascii").lower()
        # The codec passes ``xn--`` labels through unchecked: decoding checks them.
        ascii_domain.encode("ascii").decode("idna")
    except UnicodeError as exc:
        raise ValueError(f"Not a valid domain: {domain!r}") from exc
    return f"{local.lower()}@{ascii_domain}"


def _email_key_or_lower(address: str) -> str:
    # A user saved with an address that is no valid IDN (the actions refuse
    # those) still gets a key: the address itself, lower-cased.
    try:
        return email_key(address)
    except ValueError:
        return address.strip().lower()


def _validate_permissions(value: Any) -> None:
    if not isinstance(value, list) or any(p not in ALL_PERMS for p in value):
        raise ValidationError("Unknown permission in %(value)s.", params={"value": value})


class Profile(models.Model):
    """Every user has exactly one profile; its licence is the user's licence."""

    SYSTEM_ADMINISTRATOR = "System Administrator"
    STANDARD_USER = "Standard User"
    CHATTER_FREE_USER = "Chatter Free User"
    CHATTER_EXTERNAL_USER = "Chatter External User"

    name = models.CharField("Profile Name", max_length=80, unique=True)
    licence = models.ForeignKey(
        "chatterorg.Licence",
        on_delete=models.PROTECT,
        related_name="profiles",
        verbose_name="User License",
    )
    description = models.CharField(max_length=255, blank=True)
    permissions = models.JSONField(default=list, blank=True, validators=[_validate_permissions])

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PermissionSet(models.Model):
    """Extra permissions on top of a profile, assigned to any number of users."""

    label = models.CharField("Label", max_length=80)
    api_name = models.CharField("API Name", max_length=80, unique=True)
    description = models.CharField("Description", max_length=255, blank=True)
    permissions = models.JSONField(default=list, blank=True, validators=[_validate_permissions])

    class Meta:
        ordering = ["label"]

    def __str__(self) -> str:
        return self.label


def user_search_q(query: str, *, via: str = "", email: bool = False) -> Q:
    """The search boxes' rule: every word of ``query`` in the user's name or username
    (``email``: or their email address), ignoring case; ``via`` reaches the user from
    another model (``"inviter__"``). An empty query matches everyone."""
    found = Q()
    for word in query.split():
        word_q = Q(**{f"{via}search_name__icontains": word})
        if email:
            word_q |= Q(**{f"{via}email__icontains": word})
        found &= word_q
    return found


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def with_username(self, username: str | None) -> models.QuerySet[User]:
        """Users whose username is ``username``, ignoring case as Salesforce does.

        Compares ``LOWER(username)``, which the unique index covers, so a login
        is an index lookup however many users the org has.
        """
        return self.alias(username_lower=Lower("username")).filter(
            username_lower=Lower(models.Value(username or ""))
        )

    def get_by_natural_key(self, username: str | None) -> User:
        return self.with_username(username).get()

    def create_superuser(self, username: str, password: str | None = None, **extra: Any) -> User:
        """For ``createsuperuser``: a System Administrator."""
        # Imported here because the actions import this module: the manager is the
        # one place Django's createsuperuser calls, and users are created by the action.
        from accounts.actions import user_create_internal

        profile = Profile.objects.get(name=Profile.SYSTEM_ADMINISTRATOR)
        return user_create_internal(
            actor=None,
            username=username,
            email=extra.get("email") or username,
            first_name=extra.get("first_name", ""),
            last_name=extra.get("last_name") or "Admin",
            profile=profile,
            password=password,
        )


class User(AbstractBaseUser):
    """A user of the org, internal or customer, with a Salesforce-style username."""

    class UserType(models.TextChoices):
        STANDARD = "Standard", "Standard"
        CHATTER_FREE = "ChatterFree", "Chatter Free"
        CHATTER_GUEST = "ChatterGuest", "Chatter Guest"

    class SecurityQuestion(models.TextChoices):
        BIRTH_CITY = "birth_city", "In what city were you born?"
        FIRST_SCHOOL = "first_school", "What was the name of your first school?"
        FIRST_PET = "first_pet", "What was the name of your first pet?"
        MOTHER_MAIDEN = "mother_maiden", "What is your mother's maiden name?"
        FAVOURITE_BOOK = "favourite_book", "What is your favorite book?"
        FIRST_CAR = "first_car", "What was the make of your first car?"

    username = models.CharField("Username", max_length=80, unique=True)
    email = models.EmailField("Email", max_length=240)
    # ``email_key(email)``, kept by ``save``: the address as invitations and the
    # one-customer-per-address constraint compare it. NULL only for a duplicate
    # customer that existed before the constraint (see migration 0007).
    email_key = models.CharField(max_length=EMAIL_KEY_LENGTH, null=True, blank=True, editable=False)
    first_name = models.CharField("First Name", max_length=40, blank=True)
    last_name = models.CharField("Last Name", max_length=80)
    company_name = models.CharField("Company Name", max_length=80, blank=True)
    department = models.CharField("Department", max_length=80, blank=True)
    title = models.CharField("Title", max_length=80, blank=True)
    profile = models.ForeignKey(
        Profile, on_delete=models.PROTECT, related_name="users", verbose_name="Profile"
    )
    user_type = models.CharField(
        "User Type", max_length=20, choices=UserType.choices, default=UserType.STANDARD
    )
    is_active = models.BooleanField("Active", default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    permission_sets = models.ManyToManyField(
        PermissionSet, through="PermissionSetAssignment", related_name="users", blank=True
    )
    security_question = models.CharField(
        "Security Question", max_length=30, choices=SecurityQuestion.choices, blank=True
    )
    # Only a hash of the normalised answer is kept (see accounts.security).
    security_answer_hash = models.CharField(max_length=255, blank=True)
    # Values of the custom fields (``UserField``), keyed by API name, stored as JSON so
    # that defining a field needs no migration; ``accounts.validation`` checks them.
    custom_fields = models.JSONField("Custom Fields", default=dict, blank=True)
    # SHA-256 of the security token appended to the password for API logins from
    # outside the org's trusted IP ranges ("Reset My Security Token" emails a new one).
    security_token_hash = models.CharField(max_length=64, blank=True)
    # Customers: who answers for them (the inviter; admins reassign), and the day their
    # access ends (the scheduled job deactivates them then; empty: no end).
    sponsor = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sponsored",
        verbose_name="Sponsor",
    )
    access_ends_on = models.DateField("Access ends on", null=True, blank=True)
    # The ``access_ends_on`` the sponsor was warned of (a week before): a new date re-arms it.
    access_end_warned_for = models.DateField(null=True, blank=True, editable=False)
    # What the search boxes match (``user_search_q``): the first name, last name and
    # username in one column the database keeps, so one trigram index answers a search
    # (chatterorg/search_indexes.py). The words searched have no spaces, so a word never
    # matches across two of the parts.
    search_name = models.GeneratedField(
        expression=Concat("first_name", Value(" "), "last_name", Value(" "), "username"),
        output_field=models.CharField(max_length=202),
        db_persist=True,
    )

    objects = UserManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["email"]

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        constraints = [
            models.UniqueConstraint(Lower("username"), name="user_username_ci_unique"),
            # One customer per address: a second invitation adds a group, not an account.
            models.UniqueConstraint(
                fields=["email_key"],
                condition=Q(user_type="ChatterGuest"),
                name="user_one_customer_per_email",
                violation_error_message="A customer with this email address already exists.",
            ),
        ]
        indexes = [
            # People and Setup's Users list by name: a page is read off the index.
            models.Index(fields=["last_name", "first_name", "id"], name="user_name_order_idx"),
            # Invitations match existing users by address (``email_key``).
            models.Index(fields=["email_key"], name="user_email_key_idx"),
            # The scheduled job finds the customers whose access ends soon.
            models.Index(
                fields=["access_ends_on"],
                condition=Q(access_ends_on__isnull=False, is_active=True),
                name="user_access_ends_idx",
            ),
            # The few inactive users: a group's active members are its members less these
            # (groups.selectors.active_member_count), without reading every member's user.
            models.Index(fields=["id"], condition=Q(is_active=False), name="user_inactive_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Keep ``email_key`` in step with ``email`` on every save that writes the email."""
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "email" in update_fields:
            self.email_key = _email_key_or_lower(self.email)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "email_key"}
        super().save(*args, **kwargs)

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.first_name or self.last_name

    @property
    def is_customer(self) -> bool:
        return self.user_type == self.UserType.CHATTER_GUEST

    # The Django admin is for users who may touch all data.
    @property
    def is_staff(self) -> bool:
        return self.is_active and user_has_perm(self, Perm.MODIFY_ALL_DATA)

    @property
    def is_superuser(self) -> bool:
        return self.is_staff

    def has_perm(self, perm: str, obj: object = None) -> bool:
        return self.is_staff

    def has_module_perms(self, app_label: str) -> bool:
        return self.is_staff


class PermissionSetAssignment(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="assignments")
    permission_set = models.ForeignKey(
        PermissionSet, on_delete=models.CASCADE, related_name="assignments"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "permission_set"], name="permission_set_assignment_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.permission_set} → {self.user}"


class ValidationRule(models.Model):
    """A User validation rule: when its formula is TRUE, the save is refused."""

    TOP_OF_PAGE = "TopOfPage"

    name = models.CharField("Rule Name", max_length=40, unique=True)
    active = models.BooleanField("Active", default=False)
    description = models.CharField("Description", max_length=255, blank=True)
    formula = models.TextField("Error Condition Formula", max_length=3900)
    error_message = models.CharField("Error Message", max_length=255)
    error_location = models.CharField("Error Location", max_length=40, default=TOP_OF_PAGE)
    # Salesforce's "Treat blank fields as zeroes" (True) or "... as blanks" (False).
    blank_as_zero = models.BooleanField("Treat blank fields as zeroes", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PasswordResetRequest(models.Model):
    """A single-use emailed reset link; only the SHA-256 of its token is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="reset_requests")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    # Wrong answers to the security question on this link (see accounts.password_reset).
    wrong_answers = models.PositiveSmallIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["user", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="reset_expires_after_created",
            )
        ]

    def __str__(self) -> str:
        return f"Password reset for {self.user_id} at {self.created_at:%Y-%m-%d %H:%M}"


class LoginThrottle(models.Model):
    """Failed logins of one username, from one client address or, blank, from any.

    The username is normalised (see ``accounts.throttle``) and need not belong
    to a user: unknown usernames are counted the same way, so a lockout tells
    nothing about which usernames exist. Counts are changed only by
    conditional UPDATEs in ``accounts.throttle``.
    """

    username = models.CharField(max_length=150)
    # Blank: the row that counts this username's failures from every address.
    client_address = models.CharField(max_length=45, blank=True)
    failures = models.PositiveIntegerField(default=0)
    window_started_at = models.DateTimeField(default=timezone.now)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["username", "client_address"], name="login_throttle_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.username} from {self.client_address or 'any address'}: {self.failures}"


class PasswordForgotThrottle(models.Model):
    """Forgot Your Password? requests from one client address in the current hour."""

    client_address = models.CharField(max_length=45, unique=True)
    requests = models.PositiveIntegerField(default=0)
    window_started_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.client_address}: {self.requests}"


class UserField(models.Model):
    """A custom field on User (Object Manager › User › Fields & Relationships).

    Its values live in ``User.custom_fields`` under ``api_name``; the type decides how a
    value is checked, stored (JSON) and seen by formulas.
    """

    class Type(models.TextChoices):
        TEXT = "text", "Text"
        NUMBER = "number", "Number"
        CHECKBOX = "checkbox", "Checkbox"
        DATE = "date", "Date"
        PICKLIST = "picklist", "Picklist"

    MAX_TEXT_LENGTH = 255
    MAX_PRECISION = 18

    label = models.CharField("Field Label", max_length=40)
    api_name = models.CharField("Field Name", max_length=43, unique=True)
    type = models.CharField("Data Type", max_length=20, choices=Type.choices)
    description = models.CharField("Description", max_length=255, blank=True)
    help_text = models.CharField("Help Text", max_length=255, blank=True)
    # Text: the maximum length.
    length = models.PositiveSmallIntegerField("Length", null=True, blank=True)
    # Number: digits in all (precision) and after the point (decimal places).
    precision = models.PositiveSmallIntegerField("Length", null=True, blank=True)
    scale = models.PositiveSmallIntegerField("Decimal Places", null=True, blank=True)
    picklist_values = models.JSONField("Values", default=list, blank=True)
    required = models.BooleanField("Required", default=False)
    # The default as stored in ``User.custom_fields`` (a JSON value), or None.
    default = models.JSONField("Default Value", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["label", "id"]
        constraints = [
            models.UniqueConstraint(Lower("api_name"), name="user_field_api_name_ci_unique"),
            models.CheckConstraint(
                condition=Q(api_name__endswith="__c"), name="user_field_api_name_custom"
            ),
        ]

    def __str__(self) -> str:
        return self.label


class ConnectedApp(models.Model):
    """An API client the admin registered (App Manager › New Connected App).

    The consumer key and secret are shown once, when the app is created; only
    their SHA-256 hashes are kept (``chatterorg.tokens``). With "Enable Client
    Credentials Flow" the app logs in as its run-as user without a password.
    """

    name = models.CharField("Connected App Name", max_length=80, unique=True)
    contact_email = models.EmailField("Contact Email", max_length=240)
    oauth_enabled = models.BooleanField("Enable OAuth Settings", default=True)
    callback_url = models.CharField("Callback URL", max_length=1000, blank=True)
    consumer_key_hash = models.CharField(max_length=64, unique=True)
    consumer_secret_hash = models.CharField(max_length=64)
    client_credentials_enabled = models.BooleanField(
        "Enable Client Credentials Flow", default=False
    )
    run_as = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="Run As",
    )
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(client_credentials_enabled=False) | Q(run_as__isnull=False),
                name="connected_app_client_credentials_run_as",
                violation_error_message="The Client Credentials Flow needs a run-as user.",
            )
        ]

    def __str__(self) -> str:
        return self.name


class ApiSession(models.Model):
    """One API login: an access token (and, for OAuth, a refresh token), stored as hashes.

    A session is usable while it is not revoked, its user is active, and it was
    used within the org's session timeout (``expires_at`` moves with use).
    """

    class Kind(models.TextChoices):
        OAUTH = "oauth", "OAuth"
        SOAP = "soap", "SOAP login"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_sessions")
    app = models.ForeignKey(
        ConnectedApp, null=True, blank=True, on_delete=models.CASCADE, related_name="sessions"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    access_token_hash = models.CharField(max_length=64, unique=True)
    # The refresh token outlives access tokens: a refresh replaces the access token only.
    refresh_token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    client_address = models.CharField(max_length=45, blank=True)

    class Meta:
        ordering = ["-last_used_at", "-id"]
        indexes = [models.Index(fields=["user", "revoked_at"], name="api_session_user_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} session of {self.user_id}"


class UsernameReminder(models.Model):
    """One "Forgot Your Username?" email sent to an address (by ``email_key``), for its limit."""

    email_key = models.CharField(max_length=EMAIL_KEY_LENGTH)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["email_key", "sent_at"], name="username_reminder_idx")]

    def __str__(self) -> str:
        return f"Username reminder at {self.sent_at:%Y-%m-%d %H:%M}"
