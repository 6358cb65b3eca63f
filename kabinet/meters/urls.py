from django.urls import path

from . import views

app_name = "meters"

urlpatterns = [
    path("cabinet/meters/", views.readings, name="readings"),
    path("cabinet/meters/<int:meter_id>/", views.submit, name="submit"),
    path("cabinet/meters/<int:meter_id>/history/", views.history, name="history"),
]
