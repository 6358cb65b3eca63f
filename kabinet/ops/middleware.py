import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from kabinet.core.middleware import route_of

from . import metrics


class MetricsMiddleware:
    """Counts every answer for `/metrics`, by route (never the path as typed: one series per
    page, not per account number or key in a URL)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.monotonic()
        response = self.get_response(request)
        metrics.observe(
            method=request.method if request.method in _METHODS else "other",
            route=route_of(request),
            status=response.status_code,
            seconds=time.monotonic() - started,
        )
        return response


_METHODS = {"GET", "POST", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS"}
