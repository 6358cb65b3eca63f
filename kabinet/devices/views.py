"""The devices page in the profile, and the address a waterius posts to.

The device's endpoint is a plain Django view (no API framework): it takes the firmware's JSON as it
is and answers JSON, 200 when the post is kept. The firmware counts only 200 as sent and tries
three times otherwise (senders/sender_http.h), so every refusal is a 4xx with a reason for its log.
"""

import logging

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from kabinet.core import ratelimit
from kabinet.core.clientip import client_ip
from kabinet.residents.cabinet import Cabinet, cabinet_page

from . import selectors, services, waterius
from .forms import InputsForm, PairForm
from .models import LOW_BATTERY_PERCENT, SILENT_DAYS, Device

log = logging.getLogger(__name__)

# The firmware keeps the address in `char http_url[64]`: 63 characters at most.
DEVICE_URL_MAX = 63


def device_url(token: str = "") -> str:
    """The address to type into the device: with the token in it (firmware 1.x), or without
    (older firmware, whose «Waterius ключ» takes the token)."""
    if token:
        return settings.SITE_URL.rstrip("/") + reverse("devices:waterius_token", args=[token])
    return settings.SITE_URL.rstrip("/") + reverse("devices:waterius")


def _page(
    request: HttpRequest,
    cabinet: Cabinet,
    *,
    pair_form: PairForm | None = None,
    bound: InputsForm | None = None,
    new_token: tuple[int, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    resident = cabinet.resident
    devices = selectors.resident_devices(resident)
    meters = selectors.meter_choices(resident)
    states = selectors.input_states(devices)
    cards = []
    for device in devices:
        form = bound if bound is not None and bound.device.pk == device.pk else None
        card = {
            "device": device,
            "form": form or InputsForm(device=device, meters=meters),
            "states": [states[i.pk] for i in device.inputs.all()],
            "silent": device.silent(),
        }
        if new_token and new_token[0] == device.pk:
            card["url"] = device_url(new_token[1])
            card["token"] = new_token[1]
            card["url_too_long"] = len(card["url"]) > DEVICE_URL_MAX
        cards.append(card)
    ctx = {
        "cards": cards,
        "pair_form": pair_form or PairForm(),
        "has_meters": bool(meters),
        "plain_url": device_url(),
        "url_max": DEVICE_URL_MAX,
        "low_battery": LOW_BATTERY_PERCENT,
        "silent_days": SILENT_DAYS,
    }
    response = render(request, "devices/devices.html", ctx, status=status)
    if new_token:
        response["Cache-Control"] = "no-store"  # the token is on this page once
    return response


@never_cache
@cabinet_page
def devices(request: HttpRequest, cabinet: Cabinet) -> HttpResponse:
    """«Счётчики с Wi-Fi»: pair a device (POST), see and set the paired ones."""
    if request.method != "POST":
        return _page(request, cabinet)
    form = PairForm(request.POST)
    if not form.is_valid():
        return _page(request, cabinet, pair_form=form, status=400)
    try:
        device, token = services.pair_device(
            resident=cabinet.resident, name=form.cleaned_data["name"], ip=client_ip(request)
        )
    except services.DeviceRefused as error:
        form.add_error(error.field, error.message)
        return _page(request, cabinet, pair_form=form, status=400)
    # Shown on this answer and never again: no redirect, so the token is kept nowhere.
    return _page(request, cabinet, new_token=(device.pk, token))


def _own_device(cabinet: Cabinet, device_id: int) -> Device:
    device = selectors.resident_device(cabinet.resident, device_id)
    if device is None:
        raise Http404  # another household's device
    return device


@never_cache
@require_POST
@cabinet_page
def device_inputs(request: HttpRequest, cabinet: Cabinet, device_id: int) -> HttpResponse:
    device = _own_device(cabinet, device_id)
    form = InputsForm(request.POST, device=device, meters=selectors.meter_choices(cabinet.resident))
    if form.is_valid():
        try:
            services.set_inputs(device=device, choices=form.choices(), ip=client_ip(request))
        except services.DeviceRefused as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, f"Настройки устройства «{device.name}» сохранены.")
            return redirect(reverse("devices:devices") + f"#device-{device.pk}")
    return _page(request, cabinet, bound=form, status=400)


@never_cache
@require_POST
@cabinet_page
def device_token(request: HttpRequest, cabinet: Cabinet, device_id: int) -> HttpResponse:
    device = _own_device(cabinet, device_id)
    token = services.renew_token(device=device, ip=client_ip(request))
    return _page(request, cabinet, new_token=(device.pk, token))


@never_cache
@require_POST
@cabinet_page
def device_remove(request: HttpRequest, cabinet: Cabinet, device_id: int) -> HttpResponse:
    device = _own_device(cabinet, device_id)
    name = device.name
    services.unpair_device(device=device, ip=client_ip(request))
    messages.success(request, f"Устройство «{name}» отключено: его адрес больше не принимает показания.")
    return redirect("devices:devices")


# --- The device's endpoint ----------------------------------------------------------------------


def _answer(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": code, "message": message}, status=status)


@csrf_exempt
@never_cache
def waterius_post(request: HttpRequest, token: str = "") -> HttpResponse:
    """A waterius's daily post: JSON as the firmware sends it, the token in the address or in the
    `Waterius-Token` header. 200 and {"status": "ok"} when kept."""
    if request.method != "POST":
        response = _answer(405, "method_not_allowed", "Этот адрес принимает данные устройства методом POST.")
        response["Allow"] = "POST"
        return response
    header = request.headers.get("Waterius-Token", "").strip()
    ip = client_ip(request)
    try:
        device = services.admit_post(token=token or header, device_key=header if token else "", ip=ip)
    except ratelimit.RateLimited as refusal:
        # The firmware tries twice more at once and then sleeps (a day by default): a refusal
        # costs a real device nothing, and the count it would take is not kept.
        log.warning("device post refused: %s", refusal.limit, extra={"limit": refusal.limit, "ip": ip})
        response = _answer(429, "rate_limited", refusal.message)
        response["Retry-After"] = str(refusal.retry_after)
        return response
    except services.UnknownDevice as error:
        if error.wrong_device:
            return _answer(
                403, "wrong_device",
                "Этот адрес выдан другому устройству. Выдайте новый адрес в личном кабинете.",
            )  # fmt: skip
        return _answer(401, "unknown_token", "Устройство с таким ключом не подключено к личному кабинету.")
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > waterius.MAX_BODY:
        return _answer(413, "too_large", "Слишком большое сообщение.")
    try:
        post = waterius.parse(request.body)
    except waterius.MalformedPost as error:
        log.info("device post refused", extra={"device": device.pk, "reason": error.code})
        return _answer(400, error.code, error.message)
    services.receive_post(device=device, post=post)
    return JsonResponse({"status": "ok"})
