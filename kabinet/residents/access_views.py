"""«Забыли пароль?» and the profile: HTTP only, the actions are in access.py."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from kabinet.core import ratelimit
from kabinet.core.clientip import client_ip
from kabinet.core.normalize import phone_masked

from . import access
from .access_forms import (
    CloseCabinetForm,
    EmailForm,
    NotificationsForm,
    PasswordChangeForm,
    PhoneCodeForm,
    PhoneForm,
    ResetCodeForm,
    ResetRequestForm,
)
from .cabinet import Cabinet, cabinet_page

SESSION_RESET_LOGIN = "password_reset_login"


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


def _profile(request: HttpRequest, cabinet: Cabinet, status: int = 200, **bound) -> HttpResponse:
    resident, user = cabinet.resident, cabinet.resident.user
    pending = access.pending_phone(resident)
    ctx = {
        "resident": resident,
        "phone": phone_masked(resident.phone) if resident.phone else "",
        "pending_phone": phone_masked(pending) if pending else "",
        "email_form": bound.get("email_form") or EmailForm(initial={"email": user.email}),
        "phone_form": bound.get("phone_form") or PhoneForm(),
        "phone_code_form": bound.get("phone_code_form") or PhoneCodeForm(),
        "password_form": bound.get("password_form") or PasswordChangeForm(user=user),
        "notifications_form": bound.get("notifications_form")
        or NotificationsForm(initial={"reminder_channel": resident.reminder_channel}),
    }
    return render(request, "residents/profile.html", ctx, status=status)


@cabinet_page
def profile(request: HttpRequest, cabinet: Cabinet) -> HttpResponse:
    return _profile(request, cabinet)


@require_POST
@cabinet_page
def profile_email(request: HttpRequest, cabinet: Cabinet) -> HttpResponse:
    form = EmailForm(request.POST)
    if not form.is_valid():
        return _profile(request, cabinet, email_form=form)
    access.change_email(resident=cabinet.resident, email=form.cleaned_data["email"], ip=client_ip(request))
    messages.success(request, "Адрес электронной почты сохранён.")
    return redirect(reverse("residents:profile") + "#email")


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
    return _profile(request, cabinet, phone_form=form)


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
    return _profile(request, cabinet, phone_code_form=form)


@require_POST
@cabinet_page
def profile_password(request: HttpRequest, cabinet: Cabinet) -> HttpResponse:
    user = cabinet.resident.user
    form = PasswordChangeForm(request.POST, user=user, request=request)
    if not form.is_valid():
        return _profile(request, cabinet, password_form=form)
    access.change_password(
        resident=cabinet.resident, password=form.cleaned_data["password1"], ip=client_ip(request)
    )
    update_session_auth_hash(request, user)  # this session stays; every other one ends
    messages.success(request, "Пароль изменён. На других устройствах войдите с новым паролем.")
    return redirect(reverse("residents:profile") + "#password")


@require_POST
@cabinet_page
def profile_notifications(request: HttpRequest, cabinet: Cabinet) -> HttpResponse:
    form = NotificationsForm(request.POST)
    if not form.is_valid():
        return _profile(request, cabinet, notifications_form=form)
    channel = form.cleaned_data["reminder_channel"]
    access.set_reminder_channel(resident=cabinet.resident, channel=channel, ip=client_ip(request))
    messages.success(request, "Настройки напоминаний сохранены.")
    return redirect(reverse("residents:profile") + "#notifications")


@require_POST
@cabinet_page
def profile_sessions(request: HttpRequest, cabinet: Cabinet) -> HttpResponse:
    access.end_all_sessions(resident=cabinet.resident, ip=client_ip(request))
    logout(request)
    messages.success(
        request, "Вы вышли из личного кабинета на всех устройствах. Войдите снова, чтобы продолжить."
    )
    return redirect("residents:login")


@cabinet_page
def close_cabinet(request: HttpRequest, cabinet: Cabinet) -> HttpResponse:
    form = CloseCabinetForm(request.POST or None, user=cabinet.resident.user, request=request)
    if request.method == "POST" and form.is_valid():
        access.close_cabinet(resident=cabinet.resident, ip=client_ip(request))
        logout(request)
        messages.success(
            request,
            "Личный кабинет закрыт, согласие на обработку персональных данных отозвано, ваши данные удалены.",
        )
        return redirect("public:home")
    return render(request, "residents/close_cabinet.html", {"form": form})
