from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.csrf import requires_csrf_token

from .logs import current_request_id


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without its protective token: usually a page left open too long."""
    return _error_page(
        request, "core/csrf_failure.html", "core/csrf_failure_staff.html", "Форма устарела", 403
    )


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400: a request Django could not take (a form of too many fields, a broken upload,
    an address for another host). Django's own page is English; this one says what happened
    and where to go, in the layout of whoever asked."""
    return _error_page(request, "400.html", "core/400_staff.html", "Запрос не принят", 400)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler403: a page the user may not open."""
    return _error_page(request, "403.html", "core/403_staff.html", "Нет доступа к этой странице", 403)


def _error_page(
    request: HttpRequest, template: str, staff_template: str, title: str, status: int
) -> HttpResponse:
    """Staff get the back-office's layout, with its header and the way back to their work;
    everyone else the site's. (A request refused before the log-in was looked at has no user:
    the site's layout then.)"""
    user = getattr(request, "user", None)
    if user is not None and user.is_active and user.is_staff:
        context = {**admin.site.each_context(request), "title": title, "request_id": current_request_id()}
        return render(request, staff_template, context, status=status)
    return render(request, template, status=status)


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on every site. The address of the icon is looked up when
    asked, not when the URLs load: with DEBUG off it is the hashed name `collectstatic` wrote."""
    return HttpResponsePermanentRedirect(static("core/favicon.svg"))
