from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.templatetags.static import static


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without its protective token: usually a page left open too long."""
    return render(request, "core/csrf_failure.html", status=403)


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on every site. The address of the icon is looked up when
    asked, not when the URLs load: with DEBUG off it is the hashed name `collectstatic` wrote."""
    return HttpResponsePermanentRedirect(static("core/favicon.svg"))
