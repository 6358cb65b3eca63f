from django.urls import path

from . import views

app_name = "appeals"

urlpatterns = [
    path("cabinet/appeals/", views.appeal_list, name="list"),
    path("cabinet/appeals/new/", views.new_appeal, name="new"),
    path("cabinet/appeals/<int:pk>/", views.appeal_detail, name="detail"),
    path("cabinet/appeals/<int:pk>/write/", views.write_to_company, name="write"),
    path("cabinet/appeals/<int:pk>/reopen/", views.reopen, name="reopen"),
    path("cabinet/appeals/files/<int:pk>/", views.attachment, name="attachment"),
]
