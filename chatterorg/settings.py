"""Settings for Chatter Org, read from the environment (see .env.example)."""

from pathlib import Path
from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
# Django's technical error pages (URL patterns, tracebacks, settings) for a developer
# who asks; otherwise even DEBUG shows the app's own 404, 403 and 500 pages.
DEBUG_PAGES = env.bool("DJANGO_DEBUG_PAGES", default=False)
DEFAULT_EXCEPTION_REPORTER = "chatterorg.error_pages.AppErrorPageReporter"

# A development key exists only so that a fresh clone runs with DEBUG on; with
# DEBUG off the process refuses to start without a real one.
_DEV_SECRET_KEY = "django-insecure-chatter-org-development-only-key-do-not-use"
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off. "
            "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    SECRET_KEY = _DEV_SECRET_KEY

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
SITE_URL = env.str("DJANGO_SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "chatterorg.staticfiles.ChatterStaticFilesConfig",
    "django_tasks_db",
    "chatterorg",
    "accounts",
    "groups",
    "invitations",
    "setup",
    "demo",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "chatterorg.selectors.OrgPerRequestMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Under DEBUG too, the app's 404 and 500 pages unless DJANGO_DEBUG_PAGES asks for
    # Django's technical ones (chatterorg.error_pages).
    "chatterorg.error_pages.AppErrorPagesMiddleware",
]

ROOT_URLCONF = "chatterorg.urls"
WSGI_APPLICATION = "chatterorg.wsgi.application"
ASGI_APPLICATION = "chatterorg.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "chatterorg.context_processors.org",
                "setup.context_processors.setup_link",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'chatterorg.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # var/ is git-ignored: a fresh clone has none until something creates it.
    if DATABASES["default"]["NAME"] != ":memory:":
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL and a busy timeout let the web server and the task worker share the
    # file without "database is locked" errors; IMMEDIATE makes writers queue
    # at BEGIN instead of failing half-way through a transaction.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A connection pool per process (psycopg_pool): runserver's thread per request
    # and gunicorn's threads borrow a connection for one request and give it back,
    # so a process never holds more than DJANGO_DB_POOL_MAX connections; a request
    # beyond that waits up to DJANGO_DB_POOL_TIMEOUT seconds for one. (Persistent
    # connections, CONN_MAX_AGE, belong to the thread that opened them: runserver's
    # threads die and leave theirs open.) DJANGO_DB_POOL_MAX=0 turns the pool off.
    _pool_max = env.int("DJANGO_DB_POOL_MAX", default=10)
    if _pool_max > 0:
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": min(env.int("DJANGO_DB_POOL_MIN", default=2), _pool_max),
            "max_size": _pool_max,
            "timeout": env.float("DJANGO_DB_POOL_TIMEOUT", default=10.0),
        }
        DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool refuses persistent connections
    else:
        DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DJANGO_CONN_MAX_AGE", default=0))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DJANGO_CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)

# Caches: the group page's feed and members fragments (chatterorg.fragments). Their
# keys hold versions read from the database, so each process may keep its own
# local-memory cache (the default) and still never show a stale fragment; in
# production CACHE_URL=redis://127.0.0.1:6379/0 shares one Redis cache between the
# processes (Django's own Redis backend, the "redis" package).
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://chatterorg")}
if CACHES["default"]["BACKEND"].endswith("RedisCache"):
    CACHES["default"]["BACKEND"] = "django.core.cache.backends.redis.RedisCache"
CACHES["default"].setdefault("KEY_PREFIX", "chatterorg")
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache":
    CACHES["default"].setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 5000)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
# The model backend, loading the user with their profile (accounts/backends.py).
AUTHENTICATION_BACKENDS = ["accounts.backends.UserBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {
            "user_attributes": ("username", "first_name", "last_name", "email", "company_name")
        },
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("DJANGO_TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS: list[Path | tuple[str, Path]] = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG


# Email: EMAIL_URL (smtp://user:pass@host:port, smtp+tls://, smtp+ssl://,
# consolemail://, dummymail://) becomes Django's MAILERS["default"].
def _mailer_from_url(url: str) -> dict[str, Any]:
    config = environ.Env.email_url_config(url)
    backend = config["EMAIL_BACKEND"]
    options: dict[str, Any] = {}
    if backend == "django.core.mail.backends.smtp.EmailBackend":
        options = {
            "host": config.get("EMAIL_HOST") or "localhost",
            "port": config.get("EMAIL_PORT") or 25,
            "username": config.get("EMAIL_HOST_USER") or "",
            "password": config.get("EMAIL_HOST_PASSWORD") or "",
            "use_tls": bool(config.get("EMAIL_USE_TLS")),
            "use_ssl": bool(config.get("EMAIL_USE_SSL")),
            "timeout": env.int("EMAIL_TIMEOUT", default=20),
        }
    return {"BACKEND": backend, "OPTIONS": options}


EMAIL_URL = env.str("EMAIL_URL", default="consolemail://")
MAILERS = {"default": _mailer_from_url(EMAIL_URL)}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Chatter <noreply@chatter.acme.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# With DEBUG on, every email the app sends is also kept as a file here, so the
# demo's "Outbox" page can show it without an SMTP server.
DEV_OUTBOX_DIR = Path(env.str("DEV_OUTBOX_DIR", default=str(VAR_DIR / "outbox"))) if DEBUG else None

# Background work: Django's tasks framework. The database backend (with the
# `db_worker` command) is what `make run` uses; tests swap in the immediate one.
TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
    }
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_AGE", default=60 * 60 * 12)
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

from django.utils.csp import CSP  # noqa: E402

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Every record goes to the root's handler, and the handler redacts Join Now and
# password-reset tokens (see chatterorg.logging). "django" is named so that Django's
# default handlers, which know nothing of tokens, are taken off it (under DEBUG they
# also printed every request error twice); "django.server" is runserver's access log.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_tokens": {"()": "chatterorg.logging.RedactTokensFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_tokens"]},
    },
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": [], "level": "INFO", "propagate": True},
    },
}

# The Salesforce-compatible API (api/, /services/...). The org's API settings:
# "Trusted IP Ranges" (logins from these may omit the security token), the daily API
# request limit, and the session timeout of API sessions (seconds after last use).
API_TRUSTED_IP_RANGES = env.list("API_TRUSTED_IP_RANGES", default=["127.0.0.0/8", "::1/128"])
API_DAILY_REQUEST_LIMIT = env.int("API_DAILY_REQUEST_LIMIT", default=15000)
API_SESSION_TIMEOUT = env.int("API_SESSION_TIMEOUT", default=SESSION_COOKIE_AGE)
# Request bodies above this are refused (413) before they are parsed; JSON deeper than
# API_MAX_JSON_DEPTH is refused as JSON_PARSER_ERROR.
API_MAX_BODY_BYTES = 10 * 1024 * 1024
API_MAX_JSON_DEPTH = 32
# `make run` serves the API over HTTPS with a certificate of the local CA in var/tls/.
TLS_DIR = Path(env.str("TLS_DIR", default=str(VAR_DIR / "tls")))
DEMO_CLIENT_ID = env.str("DEMO_CLIENT_ID", default="3MVG9DemoIntegrationChatterOrgConsumerKey")
DEMO_CLIENT_SECRET = env.str("DEMO_CLIENT_SECRET", default="demo-integration-consumer-secret")

# The Salesforce Lightning Design System (npm: @salesforce-ux/design-system, pinned in
# package.json, installed by `npm ci`), served by WhiteNoise from /static/slds/: its CSS,
# the images its CSS refers to, and the two icon sprites the templates use. No CDN.
SLDS_ASSETS = BASE_DIR / "node_modules" / "@salesforce-ux" / "design-system" / "assets"
STATICFILES_DIRS += [
    ("slds/styles", SLDS_ASSETS / "styles"),
    ("slds/images", SLDS_ASSETS / "images"),
    ("slds/icons/utility-sprite", SLDS_ASSETS / "icons" / "utility-sprite"),
    ("slds/icons/standard-sprite", SLDS_ASSETS / "icons" / "standard-sprite"),
]
