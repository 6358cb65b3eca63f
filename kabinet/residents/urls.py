from django.urls import path

from . import access_views, views

app_name = "residents"

urlpatterns = [
    path("registration/", views.register, name="register"),
    path("registration/sent/", views.request_sent, name="request_sent"),
    path("registration/code/", views.confirm_code, name="confirm_code"),
    path("registration/code/new/", views.resend_code, name="resend_code"),
    path("registration/done/", views.registration_done, name="registration_done"),
    # After the fixed addresses above: the page of one request, named in the rejection SMS.
    path("registration/<slug:token>/", views.request_status, name="request_status"),
    path("documents/<slug:kind>/", views.policy, name="policy"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", access_views.password_reset, name="password_reset"),
    path("password/code/", access_views.password_reset_code, name="password_reset_code"),
    path("cabinet/", views.cabinet, name="cabinet"),
    path("cabinet/profile/", access_views.profile, name="profile"),
    path("cabinet/profile/email/", access_views.profile_email, name="profile_email"),
    path("cabinet/profile/phone/", access_views.profile_phone, name="profile_phone"),
    path("cabinet/profile/phone/code/", access_views.profile_phone_code, name="profile_phone_code"),
    path("cabinet/profile/password/", access_views.profile_password, name="profile_password"),
    path("cabinet/profile/notifications/", access_views.profile_notifications, name="profile_notifications"),
    path("cabinet/profile/sessions/", access_views.profile_sessions, name="profile_sessions"),
    path("cabinet/profile/close/", access_views.close_cabinet, name="close_cabinet"),
]
