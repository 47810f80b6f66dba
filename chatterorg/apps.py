from django.apps import AppConfig


class ChatterOrgConfig(AppConfig):
    name = "chatterorg"
    verbose_name = "Organization"
