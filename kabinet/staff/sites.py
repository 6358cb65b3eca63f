"""The back-office site: Django's admin, closed to staff who still owe their second factor."""

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.http import urlencode

from .forms import StaffLoginForm
from .policy import requires_second_factor


def owes_second_factor(request: HttpRequest) -> bool:
    user = request.user
    # OTPMiddleware gives the request's user is_verified(); the user that a log-in has just put
    # on the request has no second factor yet.
    verified = getattr(user, "is_verified", None)
    return requires_second_factor(user) and not (verified and verified())


class KabinetAdminSite(admin.AdminSite):
    site_header = "Личный кабинет жителя — администрирование"
    site_title = "Кабинет: администрирование"
    index_title = "Рабочее место сотрудника"
    login_form = StaffLoginForm
    # The start page lists every section; a sidebar repeating it on every page took a third of a
    # 1280 px screen from the lists operators work in.
    enable_nav_sidebar = False
    # The start page opens with what waits for the member of staff (kabinet/staff/dashboard.py).
    index_template = "staff/index.html"

    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and not owes_second_factor(request)

    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        # The password is right but the second factor is still owed: straight to that step.
        if not owes_second_factor(request):
            response = super().login(request, extra_context)
            if not owes_second_factor(request):
                return response
        target = request.POST.get("next") or request.GET.get("next") or reverse("admin:index")
        return redirect(reverse("admin:otp_verify") + "?" + urlencode({"next": target}))

    def index(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        from .dashboard import my_actions_url, waiting

        context = {"waiting": waiting(request), "my_actions_url": my_actions_url(request)}
        return super().index(request, {**context, **(extra_context or {})})

    def get_urls(self):
        from . import views

        own = [
            path("otp/", views.verify, name="otp_verify"),
            path("otp/setup/", views.setup, name="otp_setup"),
            path("otp/recovery/", views.recovery, name="otp_recovery"),
        ]
        return own + super().get_urls()
