"""HTTP helpers shared by the apps."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse


def referrer_same_origin(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Never send these URLs to another site in a Referer header.

    For the pages opened from emailed links (Join Now, password reset): the
    first URL carries the token, and the pages after it must not leak where
    the visitor came from either.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response.headers["Referrer-Policy"] = "same-origin"
        return response

    return wrapped
