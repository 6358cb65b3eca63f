from datetime import date

from django.urls import path, register_converter

from . import views


class PeriodConverter:
    """«2026-09» in a URL is the period of September 2026 (a month that does not exist is a 404)."""

    regex = r"\d{4}-\d{2}"

    def to_python(self, value: str) -> date:
        year, month = value.split("-")
        return date(int(year), int(month), 1)  # ValueError -> the URL does not match

    def to_url(self, value: date) -> str:
        return f"{value:%Y-%m}"


register_converter(PeriodConverter, "period")

app_name = "billing"

urlpatterns = [
    path("cabinet/charges/", views.charges, name="charges"),
    # The paths keep the residents' word «receipts» that bookmarks and printed links already carry.
    path("cabinet/receipts/", views.payment_document_list, name="payment_documents"),
    path("cabinet/receipts/<period:period>.pdf", views.payment_document_pdf, name="payment_document_pdf"),
]
