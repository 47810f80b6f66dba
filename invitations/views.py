from django.http import Http404, HttpRequest, HttpResponse


def invite(request: HttpRequest, group_id: int) -> HttpResponse:
    raise Http404


def invitation_resend(request: HttpRequest, invitation_id: int) -> HttpResponse:
    raise Http404


def invitation_cancel(request: HttpRequest, invitation_id: int) -> HttpResponse:
    raise Http404


def invitation_list(request: HttpRequest, group_id: int) -> HttpResponse:
    raise Http404
