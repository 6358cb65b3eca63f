from django.urls import path

from . import views

app_name = "residents"

urlpatterns = [
    path("registration/", views.register, name="register"),
    path("registration/sent/", views.request_sent, name="request_sent"),
    path("registration/code/", views.confirm_code, name="confirm_code"),
    path("registration/code/new/", views.resend_code, name="resend_code"),
    path("registration/done/", views.registration_done, name="registration_done"),
    path("documents/<slug:kind>/", views.policy, name="policy"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_help, name="password_reset"),
    path("cabinet/", views.cabinet, name="cabinet"),
]
