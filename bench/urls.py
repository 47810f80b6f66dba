"""The app's URLs plus two floors: bare Django views returning a short text.

``_floor/`` is Django itself (the issue's floor). ``_floor/signed-in/`` adds
what every page of the app pays before its own work: the session read from
the database and the signed-in user loaded, so the report can show how much
of the gap to the floor is the app's and how much is signing in.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def floor(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


@login_required
def floor_signed_in(request: HttpRequest) -> HttpResponse:
    return HttpResponse(f"ok {request.user.pk}", content_type="text/plain")


urlpatterns = [
    path("_floor/", floor),
    path("_floor/signed-in/", floor_signed_in),
    path("", include("chatterorg.urls")),
]
