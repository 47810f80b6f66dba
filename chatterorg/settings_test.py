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
# No connection pool in the suite: the sign-up races hold a connection per thread at
# once, more than a pool would lend. The pool is checked against a real server
# (tests/chatterorg/test_db_connections.py).
DATABASES["default"].get("OPTIONS", {}).pop("pool", None)  # noqa: F405
