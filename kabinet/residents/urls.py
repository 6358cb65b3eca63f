from django.urls import path

from .views import access, cabinet, registration

app_name = "residents"

urlpatterns = [
    path("registration/", registration.register, name="register"),
    path("registration/sent/", registration.request_sent, name="request_sent"),
    path("registration/code/", registration.confirm_code, name="confirm_code"),
    path("registration/code/new/", registration.resend_code, name="resend_code"),
    path("registration/done/", registration.registration_done, name="registration_done"),
    # After the fixed addresses above: the page of one request, named in the rejection SMS.
    path("registration/<slug:token>/", registration.request_status, name="request_status"),
    path("documents/<slug:kind>/", registration.policy, name="policy"),
    path("login/", access.login_view, name="login"),
    path("logout/", access.logout_view, name="logout"),
    path("password/", access.password_reset, name="password_reset"),
    path("password/code/", access.password_reset_code, name="password_reset_code"),
    path("cabinet/", cabinet.overview, name="cabinet"),
    path("cabinet/profile/", cabinet.profile, name="profile"),
    path("cabinet/profile/accounts/add/", cabinet.profile_account_add, name="profile_account_add"),
    path("cabinet/profile/accounts/<str:number>/remove/", cabinet.account_remove, name="account_remove"),
    path("cabinet/profile/email/", cabinet.profile_email, name="profile_email"),
    path("cabinet/profile/phone/", access.profile_phone, name="profile_phone"),
    path("cabinet/profile/phone/code/", access.profile_phone_code, name="profile_phone_code"),
    path("cabinet/profile/password/", access.profile_password, name="profile_password"),
    path("cabinet/profile/notifications/", cabinet.profile_notifications, name="profile_notifications"),
    path("cabinet/profile/sessions/", access.profile_sessions, name="profile_sessions"),
    path("cabinet/profile/close/", cabinet.close_cabinet, name="close_cabinet"),
]
