from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.templatetags.static import static as static_url
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    # Browsers ask for /favicon.ico on every site, back-office pages included.
    path("favicon.ico", RedirectView.as_view(url=static_url("core/favicon.svg"), permanent=True)),
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
