from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from kabinet.core import views as core_views

urlpatterns = [
    # Browsers ask for /favicon.ico on every site, back-office pages included.
    path("favicon.ico", core_views.favicon),
    path("", include("kabinet.ops.urls")),
    path("admin/", admin.site.urls),
    path("captcha/", include("captcha.urls")),
    path("api/", include("kabinet.api.urls")),
    path("", include("kabinet.api.profile")),
    path("", include("kabinet.residents.urls")),
    path("", include("kabinet.billing.urls")),
    path("", include("kabinet.payments.urls")),
    path("", include("kabinet.meters.urls")),
    path("", include("kabinet.devices.urls")),
    path("", include("kabinet.appeals.urls")),
    path("", include("kabinet.messaging.urls")),
    path("", include("kabinet.public.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Under /api/ the API's JSON (code, message) with the same status; elsewhere the site's pages:
# in Russian, in the layout of whoever asked (kabinet.core.views: the site's for residents, the
# back-office's for staff), and for a database that went away «временно недоступно» (503), not
# an error (kabinet.ops.views). kabinet/api/errors.py sends each request to its answer.
handler400 = "kabinet.api.errors.bad_request"
handler403 = "kabinet.api.errors.permission_denied"
handler404 = "kabinet.api.errors.page_not_found"
handler500 = "kabinet.api.errors.server_error"
