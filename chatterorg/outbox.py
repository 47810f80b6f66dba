from django.http import Http404, HttpRequest, HttpResponse


def outbox_list(request: HttpRequest) -> HttpResponse:
    raise Http404


def outbox_message(request: HttpRequest, name: str) -> HttpResponse:
    raise Http404
