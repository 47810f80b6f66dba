"""The app's URLs plus the floor: a bare Django view returning a short text."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def floor(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("_floor/", floor),
    path("", include("chatterorg.urls")),
]
