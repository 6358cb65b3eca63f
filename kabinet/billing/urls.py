from django.urls import path

from . import views

app_name = "billing"

urlpatterns = [
    path("cabinet/charges/", views.charges, name="charges"),
    path("cabinet/receipts/", views.receipts, name="receipts"),
    path("cabinet/receipts/<int:year>-<int:month>.pdf", views.receipt_pdf, name="receipt_pdf"),
]
