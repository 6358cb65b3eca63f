"""The second step of the back-office sign-in: the code, its first set-up, the recovery codes.

These pages are for a member of staff who has given the right password but has not yet given
the second factor: the rest of the back-office refuses them until they do (sites.py).
"""

from base64 import b32encode
from functools import wraps

import django_otp
import segno
from django.contrib import admin, messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from kabinet.core import ratelimit
from kabinet.core.clientip import client_ip

from . import services
from .forms import CodeForm
from .policy import requires_second_factor

SESSION_NEW_CODES = "staff_new_recovery_codes"


def staff_signed_in(view):
    """Signed in with a password as active staff; the second factor may still be missing."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user = request.user
        if not (user.is_authenticated and user.is_active and user.is_staff):
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        return view(request, *args, **kwargs)

    return wrapper


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure())
    return target if safe else reverse("admin:index")


def _page(request: HttpRequest, template: str, title: str, **ctx) -> TemplateResponse:
    return TemplateResponse(
        request,
        f"staff/{template}",
        {**admin.site.each_context(request), "title": title, "next": _next(request), **ctx},
    )


@staff_signed_in
def verify(request: HttpRequest) -> HttpResponse:
    user = request.user
    if services.confirmed_app(user) is None:
        return redirect(reverse("admin:otp_setup") + "?" + urlencode({"next": _next(request)}))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.verify(user=user, token=form.cleaned_data["code"], ip=client_ip(request))
        except (services.SecondFactorError, ratelimit.RateLimited) as error:
            form.add_error("code", error.message)
        else:
            django_otp.login(request, device)
            left = services.recovery_codes_left(user)
            if left <= 3:
                messages.warning(
                    request, f"Осталось резервных кодов: {left}. Выпустите новые на странице «Второй фактор»."
                )
            return redirect(_next(request))
    return _page(request, "verify.html", "Подтверждение входа", form=form)


@staff_signed_in
def setup(request: HttpRequest) -> HttpResponse:
    """First sign-in: scan the QR code, type the first code. Replacing a set-up app needs a
    session already confirmed with it, so that a stolen password cannot swap the factor."""
    user = request.user
    if services.confirmed_app(user) is not None and not user.is_verified():
        return redirect(reverse("admin:otp_verify") + "?" + urlencode({"next": _next(request)}))
    device = services.pending_app(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token = form.cleaned_data["code"]
            device, codes = services.confirm_app(user=user, token=token, ip=client_ip(request))
        except (services.SecondFactorError, ratelimit.RateLimited) as error:
            form.add_error("code", error.message)
        else:
            django_otp.login(request, device)
            request.session[SESSION_NEW_CODES] = codes
            return redirect(reverse("admin:otp_recovery") + "?" + urlencode({"next": _next(request)}))
    qr = segno.make(device.config_url, error="m").png_data_uri(scale=5, border=2)
    secret = _grouped(b32encode(device.bin_key).decode())  # for typing in by hand
    return _page(request, "setup.html", "Второй фактор: подключение", form=form, qr=qr, secret=secret)


def _grouped(text: str, size: int = 4) -> str:
    return " ".join(text[i : i + size] for i in range(0, len(text), size))


@staff_signed_in
def recovery(request: HttpRequest) -> HttpResponse:
    """The recovery codes, shown once after they are issued; new ones replace the old."""
    user = request.user
    if requires_second_factor(user) and not user.is_verified():
        return redirect(reverse("admin:otp_verify") + "?" + urlencode({"next": request.get_full_path()}))
    if request.method == "POST":
        request.session[SESSION_NEW_CODES] = services.renew_recovery_codes(user=user, ip=client_ip(request))
        messages.success(request, "Выпущены новые резервные коды. Старые больше не действуют.")
        return redirect(reverse("admin:otp_recovery"))
    codes = request.session.pop(SESSION_NEW_CODES, None)
    ctx = {
        "codes": [_grouped(code) for code in codes or []],
        "left": services.recovery_codes_left(user),
        "has_app": services.confirmed_app(user) is not None,
    }
    return _page(request, "recovery.html", "Второй фактор", **ctx)
