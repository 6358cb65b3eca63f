from django.urls import path

from . import views

app_name = "payments"

urlpatterns = [
    path("cabinet/pay/", views.pay, name="pay"),
    path("cabinet/pay/history/", views.history, name="history"),
    path("cabinet/pay/<uuid:key>/", views.result, name="result"),
    path("payments/yookassa/notify/", views.notification, name="notification"),
    path("payments/dev/<str:provider_id>/", views.dev_confirm, name="dev_confirm"),
]
