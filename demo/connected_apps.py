"""The demo org's connected app, "Demo Integration", for the API clients."""

from __future__ import annotations

from django.conf import settings

from accounts.models import ConnectedApp
from accounts.oauth import connected_app_create

DEMO_APP_NAME = "Demo Integration"


def seed_connected_app() -> ConnectedApp:
    """ "Demo Integration" with the key and secret of DEMO_CLIENT_ID / DEMO_CLIENT_SECRET
    (created once; a later run with other values leaves it as it is)."""
    existing = ConnectedApp.objects.filter(name=DEMO_APP_NAME).first()
    if existing is not None:
        return existing
    app, _key, _secret = connected_app_create(
        actor=None,
        name=DEMO_APP_NAME,
        contact_email="admin@acme.example",
        callback_url="http://localhost:1717/OauthRedirect",
        consumer_key=settings.DEMO_CLIENT_ID,
        consumer_secret=settings.DEMO_CLIENT_SECRET,
    )
    return app
