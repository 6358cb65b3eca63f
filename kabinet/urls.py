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

# A database that went away answers «временно недоступно» (503), not an error (kabinet.ops).
handler500 = "kabinet.ops.views.server_error"
# In Russian, in the layout of whoever asked: the site's for residents, the back-office's for staff.
handler400 = "kabinet.core.views.bad_request"
handler403 = "kabinet.core.views.permission_denied"
