"""Views that fail the way production fails, for the error page tests."""

from django.db import OperationalError
from django.urls import path


def broken_db(request):
    raise OperationalError("server closed the connection unexpectedly")


def broken_code(request):
    return 1 / 0


urlpatterns = [path("broken-db/", broken_db), path("broken-code/", broken_code)]
handler500 = "kabinet.ops.views.server_error"
