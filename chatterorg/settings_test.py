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
