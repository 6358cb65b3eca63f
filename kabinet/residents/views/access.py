"""Signing in and out, «Забыли пароль?», the profile's password, phone and sessions: HTTP only,
the actions are in services/access.py."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from kabinet.core import ratelimit
from kabinet.core.clientip import client_ip
from kabinet.core.normalize import phone_masked

from ..cabinet import Cabinet, cabinet_page
from ..forms.access import (
    LoginForm,
    PasswordChangeForm,
    PhoneCodeForm,
    PhoneForm,
    ResetCodeForm,
    ResetRequestForm,
)
from ..services import access
from .cabinet import render_profile

SESSION_RESET_LOGIN = "password_reset_login"


class KabinetLoginView(LoginView):
    form_class = LoginForm
    template_name = "residents/login.html"
    redirect_authenticated_user = True

    def get_initial(self) -> dict:
        return {"username": self.request.GET.get("login", "")[:40]}


login_view = KabinetLoginView.as_view()


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, "Вы вышли из личного кабинета.")
    return redirect("public:home")


def password_reset(request: HttpRequest) -> HttpResponse:
    """Step 1: the login. The answer is the same whether or not a cabinet has it."""
    form = ResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        login = form.cleaned_data["login"]
        try:
            access.request_password_reset(login=login, ip=client_ip(request))
        except ratelimit.RateLimited as refusal:
            form.add_error(None, refusal.message)
        else:
            request.session[SESSION_RESET_LOGIN] = login
            return redirect("residents:password_reset_code")
    return render(request, "residents/password_reset.html", {"form": form})


def password_reset_code(request: HttpRequest) -> HttpResponse:
    """Step 2: the code from the SMS and the new password."""
    login = request.session.get(SESSION_RESET_LOGIN)
    if not login:
        return redirect("residents:password_reset")
    form = ResetCodeForm(request.POST or None, login=login)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            access.reset_password(
                login=login, code=data["code"], password=data["password1"], ip=client_ip(request)
            )
        except ratelimit.RateLimited as refusal:
            form.add_error(None, refusal.message)
        except access.AccessError as error:
            form.add_error(error.field, error.message)
        else:
            request.session.pop(SESSION_RESET_LOGIN, None)
            if request.user.is_authenticated:
                logout(request)
            messages.success(request, "Пароль изменён. Войдите с новым паролем.")
            return redirect(reverse("residents:login"))
    ctx = {"form": form, "login": login, "ttl": settings.PASSWORD_RESET_CODE_TTL_MINUTES}
    return render(request, "residents/password_reset_code.html", ctx)


@require_POST
@cabinet_page
def profile_phone(request: HttpRequest, cabinet: Cabinet) -> HttpResponse:
    form = PhoneForm(request.POST)
    if form.is_valid():
        phone = form.cleaned_data["phone"]
        try:
            access.request_phone_change(resident=cabinet.resident, phone=phone, ip=client_ip(request))
        except ratelimit.RateLimited as refusal:
            form.add_error("phone", refusal.message)
        except access.AccessError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(
                request, f"Код отправлен в SMS на номер {phone_masked(phone)}. Введите его ниже."
            )
            return redirect(reverse("residents:profile") + "#phone")
    return render_profile(request, cabinet, phone_form=form)


@require_POST
@cabinet_page
def profile_phone_code(request: HttpRequest, cabinet: Cabinet) -> HttpResponse:
    form = PhoneCodeForm(request.POST)
    if form.is_valid():
        try:
            phone = access.confirm_phone_change(
                resident=cabinet.resident, code=form.cleaned_data["code"], ip=client_ip(request)
            )
        except ratelimit.RateLimited as refusal:
            form.add_error("code", refusal.message)
        except access.AccessError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, f"Номер телефона изменён на {phone_masked(phone)}.")
            return redirect(reverse("residents:profile") + "#phone")
    return render_profile(request, cabinet, phone_code_form=form)


@require_POST
@cabinet_page
def profile_password(request: HttpRequest, cabinet: Cabinet) -> HttpResponse:
    user = cabinet.resident.user
    form = PasswordChangeForm(request.POST, user=user, request=request)
    if not form.is_valid():
        return render_profile(request, cabinet, password_form=form)
    access.change_password(
        resident=cabinet.resident, password=form.cleaned_data["password1"], ip=client_ip(request)
    )
    update_session_auth_hash(request, user)  # this session stays; every other one ends
    messages.success(request, "Пароль изменён. На других устройствах войдите с новым паролем.")
    return redirect(reverse("residents:profile") + "#password")


@require_POST
@cabinet_page
def profile_sessions(request: HttpRequest, cabinet: Cabinet) -> HttpResponse:
    access.end_all_sessions(resident=cabinet.resident, ip=client_ip(request))
    logout(request)
    messages.success(
        request, "Вы вышли из личного кабинета на всех устройствах. Войдите снова, чтобы продолжить."
    )
    return redirect("residents:login")
