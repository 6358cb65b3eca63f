"""The site's URLs and handlers, with views that fail outside the API's views the ways a
request can: under the API's prefix and, to show the site's pages unchanged, beside it."""

from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from django.http import Http404, HttpResponse
from django.urls import path

from kabinet import urls as site


def refused(request):
    raise PermissionDenied


def missing(request):
    raise Http404


def broken(request):
    return 1 / 0


def database_gone(request):
    raise OperationalError("server closed the connection unexpectedly")


def form(request):
    """A plain Django view, so not exempt from CSRF as the API's views are; it reads the form."""
    return HttpResponse(request.POST.get("value", ""))


urlpatterns = [
    *(
        path(f"{prefix}failing/{name}/", view)
        for prefix in ("api/v1/", "")
        for name, view in [
            ("refused", refused),
            ("missing", missing),
            ("broken", broken),
            ("database-gone", database_gone),
            ("form", form),
        ]
    ),
    *site.urlpatterns,
]
handler400, handler403, handler500 = site.handler400, site.handler403, site.handler500
handler404 = getattr(site, "handler404", "django.views.defaults.page_not_found")  # Django's, if none
