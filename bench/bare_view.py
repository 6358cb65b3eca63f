"""The reference for bench/pages.py: a bare Django view, no middleware, no database, no template.

Served by gunicorn with the same layout as Kabinet (`gunicorn bare_view:application` with
`--pythonpath bench`), it answers with a body as large as a cabinet page, so the difference to
Kabinet is what Kabinet does per request, not what Django, gunicorn and the sockets cost.
"""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse
from django.urls import path

BODY = ("<!doctype html><html lang='ru'><body>" + "Личный кабинет. " * 1200 + "</body></html>").encode()


def page(request, anything: str = ""):
    return HttpResponse(BODY, content_type="text/html; charset=utf-8")


urlpatterns = [path("", page), path("<path:anything>", page)]

if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY=os.getenv("SECRET_KEY", "bare-view-reference-only"),
        ALLOWED_HOSTS=["*"],
        ROOT_URLCONF=__name__,
        MIDDLEWARE=[],
        INSTALLED_APPS=[],
        DATABASES={},
        USE_I18N=False,
    )
application = get_wsgi_application()
