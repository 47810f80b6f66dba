"""``/<id>`` (see ``api.views.records``), included last by ``chatterorg.urls``."""

from django.urls import re_path

from api.views import records

app_name = "records"

urlpatterns = [
    re_path(
        r"^(?P<record_id>[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?)/?$",
        records.record_redirect,
        name="record",
    ),
]
