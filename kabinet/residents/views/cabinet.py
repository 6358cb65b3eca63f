"""The cabinet's overview and the profile page with its own settings (the accounts, e-mail,
reminders, closing the cabinet): HTTP only, the actions are in services/accounts.py,
services/cabinet.py and services/access.py."""

from django.contrib import messages
from django.contrib.auth import logout
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from kabinet.api.selectors import live_tokens
from kabinet.billing.selectors import account_summary
from kabinet.core import keptpages, ratelimit
from kabinet.core.clientip import client_ip
from kabinet.core.normalize import phone_masked
from kabinet.meters import selectors as meter_selectors
from kabinet.public.selectors import latest_news_until

from .. import selectors
from ..cabinet import Cabinet, cabinet_page
from ..forms.access import PasswordChangeForm, PhoneCodeForm, PhoneForm
from ..forms.cabinet import AddAccountForm, CloseCabinetForm, EmailForm, NotificationsForm
from ..models import RegistrationRequest
from ..services import accounts
from ..services import cabinet as cabinet_services


@cabinet_page(kept=())
def overview(request: HttpRequest, cabinet: Cabinet) -> HttpResponse:
    # The overview: one card per section, each read by its app's selector. Kept until something
    # it shows changes (the reading window by the day; a news item dated later when it comes due).
    news, news_due = latest_news_until(limit=3)
    keptpages.until(request, news_due)
    ctx = {
        "resident": cabinet.resident,
        "billing_summary": account_summary(cabinet.account) if cabinet.account else None,
        "meters_window": meter_selectors.account_window(cabinet.account) if cabinet.account else None,
        "latest_news": news,
    }
    return render(request, "residents/cabinet.html", ctx)


def render_profile(request: HttpRequest, cabinet: Cabinet, status: int = 200, **bound) -> HttpResponse:
    """The profile page; a form sent back with an error is passed in `bound` by its name."""
    resident, user = cabinet.resident, cabinet.resident.user
    pending = selectors.pending_phone(resident)
    ctx = {
        "resident": resident,
        "account_form": bound.get("account_form")
        or AddAccountForm(initial={"full_name": resident.full_name}),
        "account_requests": selectors.account_requests(resident),
        "phone": phone_masked(resident.phone) if resident.phone else "",
        "pending_phone": phone_masked(pending) if pending else "",
        "email_form": bound.get("email_form") or EmailForm(initial={"email": user.email}),
        "phone_form": bound.get("phone_form") or PhoneForm(),
        "phone_code_form": bound.get("phone_code_form") or PhoneCodeForm(),
        "password_form": bound.get("password_form") or PasswordChangeForm(user=user),
        "notifications_form": bound.get("notifications_form")
        or NotificationsForm(initial={"reminder_channel": resident.reminder_channel}),
        "app_tokens": live_tokens(resident),  # «Приложения и устройства» (kabinet/api)
    }
    return render(request, "residents/profile.html", ctx, status=status)


@cabinet_page
def profile(request: HttpRequest, cabinet: Cabinet) -> HttpResponse:
    return render_profile(request, cabinet)


@cabinet_page
def profile_account_add(request: HttpRequest, cabinet: Cabinet) -> HttpResponse:
    if request.method != "POST":
        # The form lives in the profile; a refreshed or bookmarked address leads there, not to a
        # blank «405».
        return redirect(reverse("residents:profile") + "#accounts")
    form = AddAccountForm(request.POST)
    if form.is_valid():
        number = form.cleaned_data["account_number"]
        try:
            filed = accounts.add_account(
                resident=cabinet.resident,
                account_number=number,
                full_name=form.cleaned_data["full_name"],
                ip=client_ip(request),
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
            )
        except ratelimit.RateLimited as refusal:
            form.add_error(None, refusal.message)
        except accounts.RegistrationError as error:
            form.add_error(error.field, error.message)
        else:
            if filed.status == RegistrationRequest.Status.COMPLETED:
                messages.success(
                    request,
                    f"Лицевой счёт {number} подключён к кабинету. Переключиться на него можно в списке "
                    "счетов вверху страницы.",
                )
            else:
                messages.success(
                    request,
                    f"Заявка на подключение лицевого счёта {number} передана на проверку сотруднику "
                    "управляющей компании. Проверка занимает от нескольких минут до трёх суток; о решении "
                    "сообщим по электронной почте.",
                )
            return redirect(reverse("residents:profile") + "#accounts")
    return render_profile(request, cabinet, account_form=form)


@cabinet_page
def account_remove(request: HttpRequest, cabinet: Cabinet, number: str) -> HttpResponse:
    """A confirmation page, then the account leaves the cabinet (the last one never does)."""
    account = next((a for a in cabinet.accounts if a.number == number), None)
    if account is None:
        raise Http404  # not one of this resident's accounts
    error = ""
    if request.method == "POST":
        try:
            accounts.remove_account(resident=cabinet.resident, account_number=number, ip=client_ip(request))
        except accounts.RegistrationError as refusal:
            error = refusal.message
        else:
            messages.success(request, f"Лицевой счёт {number} убран из кабинета.")
            return redirect(reverse("residents:profile") + "#accounts")
    ctx = {"account": account, "only": len(cabinet.accounts) == 1, "error": error}
    return render(request, "residents/account_remove.html", ctx, status=400 if error else 200)


@require_POST
@cabinet_page
def profile_email(request: HttpRequest, cabinet: Cabinet) -> HttpResponse:
    form = EmailForm(request.POST)
    if not form.is_valid():
        return render_profile(request, cabinet, email_form=form)
    cabinet_services.change_email(
        resident=cabinet.resident, email=form.cleaned_data["email"], ip=client_ip(request)
    )
    messages.success(request, "Адрес электронной почты сохранён.")
    return redirect(reverse("residents:profile") + "#email")


@require_POST
@cabinet_page
def profile_notifications(request: HttpRequest, cabinet: Cabinet) -> HttpResponse:
    form = NotificationsForm(request.POST)
    if not form.is_valid():
        return render_profile(request, cabinet, notifications_form=form)
    channel = form.cleaned_data["reminder_channel"]
    cabinet_services.set_reminder_channel(resident=cabinet.resident, channel=channel, ip=client_ip(request))
    messages.success(request, "Настройки напоминаний сохранены.")
    return redirect(reverse("residents:profile") + "#notifications")


@cabinet_page
def close_cabinet(request: HttpRequest, cabinet: Cabinet) -> HttpResponse:
    form = CloseCabinetForm(request.POST or None, user=cabinet.resident.user, request=request)
    if request.method == "POST" and form.is_valid():
        cabinet_services.close_cabinet(resident=cabinet.resident, ip=client_ip(request))
        logout(request)
        messages.success(
            request,
            "Личный кабинет закрыт, согласие на обработку персональных данных отозвано, ваши данные удалены.",
        )
        return redirect("public:home")
    return render(request, "residents/close_cabinet.html", {"form": form})
