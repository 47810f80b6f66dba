from django.apps import AppConfig


class SetupConfig(AppConfig):
    """Every Setup page; no models of its own (it calls the other apps' actions)."""

    name = "setup"
    verbose_name = "Setup"
