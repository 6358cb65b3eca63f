from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without its protective token: usually a page left open too long."""
    return render(request, "core/csrf_failure.html", status=403)
