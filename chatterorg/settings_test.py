"""Settings for the test suite: the real settings with test-friendly services."""

import os

# Development-style static files and no HTTPS redirect inside the test client.
os.environ.setdefault("DJANGO_DEBUG", "1")

from chatterorg.settings import *  # noqa: F403

DEV_OUTBOX_DIR = None
# Static files come from the finders; no collectstatic before tests.
WHITENOISE_AUTOREFRESH = True
# Tasks run in-process at once; tests that need a queue switch to the dummy backend.
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
# No connection pool in the suite: the sign-up races hold one connection per thread at
# once, and pytest-django wraps tests in transactions on a single connection. The pool
# is checked against a real server (tests/chatterorg/test_db_connections.py).
if DATABASES["default"].get("OPTIONS", {}).pop("pool", None) is not None:  # noqa: F405
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
