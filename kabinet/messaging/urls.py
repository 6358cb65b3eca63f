from django.urls import path

from . import views

app_name = "messaging"

urlpatterns = [
    path("messaging/kannel/dlr/<str:token>/<int:message_id>/", views.kannel_dlr, name="kannel_dlr"),
]
