"""Production-like settings for the benchmark server (DEBUG off, plain HTTP on loopback)."""

import os

os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")

from chatterorg.settings import *  # noqa: F403
from chatterorg.settings import MIDDLEWARE

ROOT_URLCONF = "bench.urls"
# Cookies travel over plain HTTP on loopback during the benchmark.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# Report the SQL queries of each request in a response header.
MIDDLEWARE = ["bench.middleware.QueryCountMiddleware", *MIDDLEWARE]
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
