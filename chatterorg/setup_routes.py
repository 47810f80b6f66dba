"""Setup pages of the org (included by chatterorg.setup_urls, namespace "setup")."""

from django.urls import path

from chatterorg import setup_views

urlpatterns = [
    path("", setup_views.setup_home, name="home"),
    path("chatter/settings/", setup_views.chatter_settings, name="chatter_settings"),
    path("company/", setup_views.company_information, name="company_information"),
    path("audit-trail/", setup_views.audit_trail, name="audit_trail"),
]
