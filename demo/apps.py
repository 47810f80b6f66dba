from django.apps import AppConfig


class DemoConfig(AppConfig):
    """``manage.py seed_demo``: the demo org, built through the apps' own actions."""

    name = "demo"
    verbose_name = "Demo org"
