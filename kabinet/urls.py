from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("captcha/", include("captcha.urls")),
    path("", include("kabinet.residents.urls")),
    path("", include("kabinet.billing.urls")),
    path("", include("kabinet.payments.urls")),
    path("", include("kabinet.meters.urls")),
    path("", include("kabinet.appeals.urls")),
    path("", include("kabinet.messaging.urls")),
    path("", include("kabinet.public.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
