"""/api/v1/: the resident's cabinet for apps and scripts (docs/api.md)."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerSplitView

from . import errors
from .views import appeals, auth, cabinet, meters, money

app_name = "api"

NUMBER = r"(?P<number>[^/]+)"  # any other household's number, or none at all, is a 404 of the view
PERIOD = r"(?P<period>[0-9]{4}-[0-9]{2})"

urlpatterns = [
    path("v1/openapi.json", SpectacularJSONAPIView.as_view(), name="openapi"),
    path(
        "v1/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:openapi", template_name="api/swagger_ui.html"),
        name="docs",
    ),
    path("v1/auth/password/", auth.PasswordSignInView.as_view(), name="signin_password"),
    path("v1/auth/sms/", auth.CodeRequestView.as_view(), name="signin_code_request"),
    path("v1/auth/sms/token/", auth.CodeSignInView.as_view(), name="signin_code"),
    path("v1/auth/token/", auth.CurrentTokenView.as_view(), name="token"),
    path("v1/tokens/", auth.TokenListView.as_view(), name="tokens"),
    path("v1/tokens/<int:pk>/", auth.TokenDetailView.as_view(), name="token_detail"),
    path("v1/dashboard/", cabinet.DashboardView.as_view(), name="dashboard"),
    path("v1/news/", cabinet.NewsListView.as_view(), name="news"),
    path("v1/profile/", cabinet.ProfileView.as_view(), name="profile"),
    path("v1/meters/", meters.MeterListView.as_view(), name="meters"),
    path("v1/meters/<int:pk>/", meters.MeterDetailView.as_view(), name="meter"),
    path("v1/readings/", meters.ReadingsView.as_view(), name="readings"),
    re_path(rf"^v1/accounts/{NUMBER}/charges/$", money.ChargeMonthsView.as_view(), name="charge_months"),
    re_path(rf"^v1/accounts/{NUMBER}/charges/{PERIOD}/$", money.ChargesView.as_view(), name="charges"),
    re_path(rf"^v1/accounts/{NUMBER}/receipts/$", money.ReceiptListView.as_view(), name="receipts"),
    re_path(
        rf"^v1/accounts/{NUMBER}/receipts/{PERIOD}\.pdf$", money.ReceiptPdfView.as_view(), name="receipt_pdf"
    ),
    re_path(rf"^v1/accounts/{NUMBER}/payments/$", money.PaymentsView.as_view(), name="payments"),
    re_path(
        # The UUID's own shape (Django's uuid converter): 36 characters of hex and dashes anywhere
        # pass a looser pattern and fail in the query.
        rf"^v1/accounts/{NUMBER}/payments/(?P<key>[0-9a-f]{{8}}-[0-9a-f]{{4}}-[0-9a-f]{{4}}-[0-9a-f]{{4}}-[0-9a-f]{{12}})/$",
        money.OnlinePaymentView.as_view(),
        name="online_payment",
    ),
    path("v1/appeal-categories/", appeals.CategoryListView.as_view(), name="appeal_categories"),
    path("v1/appeals/", appeals.AppealListView.as_view(), name="appeals"),
    path("v1/appeals/<int:pk>/", appeals.AppealDetailView.as_view(), name="appeal"),
    path("v1/appeals/<int:pk>/messages/", appeals.AppealMessageView.as_view(), name="appeal_messages"),
    path("v1/appeals/<int:pk>/reopen/", appeals.AppealReopenView.as_view(), name="appeal_reopen"),
    path(
        "v1/appeals/<int:appeal_pk>/attachments/<int:pk>/",
        appeals.AttachmentView.as_view(),
        name="appeal_attachment",
    ),
    # Anything else under /api/ answers JSON too, never the site's HTML page.
    re_path(r"^.*$", errors.not_found),
]
