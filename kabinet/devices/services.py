"""Device actions: pairing a waterius, choosing the meters its inputs feed, taking its posts,
and passing the latest value as the month's reading in the window.

Each is one function with keyword-only arguments. A device's value becomes a reading through
`kabinet.meters.services.submit_reading` with the channel «устройство»: the same window, the same
checks as a reading typed in the cabinet.
"""

import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from kabinet.audit.models import AuditEntry
from kabinet.audit.services import record
from kabinet.core import ratelimit, stamps
from kabinet.core.errors import Refusal
from kabinet.meters import selectors as meters
from kabinet.meters.models import Meter, Reading
from kabinet.meters.services import NeedsConfirmation, ReadingRefused, submit_reading
from kabinet.residents.models import Resident

from .models import SILENT_DAYS, Device, DeviceInput
from .waterius import WateriusPost

# 12 random bytes: 16 characters, so that the whole address fits the 63 characters a waterius
# keeps for it (`http_url[64]` in the firmware's settings).
TOKEN_BYTES = 12
MAX_DEVICES = 5


class DeviceRefused(Refusal):
    """A device action refused; `message` says why, `field` where."""


class UnknownDevice(Exception):
    """No device has this token (401), or the token is another device's (403: `wrong_device`)."""

    def __init__(self, *, wrong_device: bool = False) -> None:
        super().__init__("wrong device" if wrong_device else "unknown token")
        self.wrong_device = wrong_device


def token_hash(token: str) -> str:
    return salted_hmac("kabinet.devices.token", token, algorithm="sha256").hexdigest()


def _key_hash(key: str) -> str:
    return salted_hmac("kabinet.devices.device-key", key, algorithm="sha256").hexdigest()


def _new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def _touch(meter_ids) -> None:
    # The readings pages of the accounts show the device's values: kept copies are outdated.
    account_ids = set(Meter.objects.filter(pk__in=list(meter_ids)).values_list("account_id", flat=True))
    if account_ids:
        stamps.changed(*stamps.accounts(account_ids))


# --- The resident's side ----------------------------------------------------------------------


@transaction.atomic
def pair_device(*, resident: Resident, name: str, ip: str | None = None) -> tuple[Device, str]:
    """A new device of the resident; returns it with its token, which is never shown again."""
    if resident.devices.count() >= MAX_DEVICES:
        raise DeviceRefused(
            f"К кабинету можно подключить не больше {MAX_DEVICES} устройств. Отключите ненужное.",
            field="name",
        )
    token = _new_token()
    device = Device.objects.create(
        resident=resident,
        name=name.strip()[:60] or "Ватериус",
        token_hash=token_hash(token),
        token_hint=token[-4:],
    )
    record(
        action=AuditEntry.Action.DEVICE_PAIRED, actor=resident.user, ip=ip, target=str(device),
        details={"device": device.pk},
    )  # fmt: skip
    return device, token


@transaction.atomic
def renew_token(*, device: Device, ip: str | None = None) -> str:
    """A new token (and address) for the device: the old one stops working at once."""
    token = _new_token()
    device.token_hash, device.token_hint, device.device_key_hash = token_hash(token), token[-4:], ""
    device.save(update_fields=["token_hash", "token_hint", "device_key_hash"])
    record(
        action=AuditEntry.Action.DEVICE_TOKEN, actor=device.resident.user, ip=ip, target=str(device),
        details={"device": device.pk},
    )  # fmt: skip
    return token


@dataclass(frozen=True)
class InputChoice:
    """What the resident chose for one input: the meter (None: not used) and automatic sending."""

    channel: int
    meter: Meter | None
    auto_submit: bool = True


@transaction.atomic
def set_inputs(*, device: Device, choices: list[InputChoice], ip: str | None = None) -> None:
    """Which meter each input feeds. Only meters of the resident's own accounts (the form offers
    no other); a meter another input feeds is refused beside the field."""
    own = set(meters.account_meters(device.resident.accounts.all()).values_list("pk", flat=True))
    chosen = [c for c in choices if c.meter is not None]
    for choice in chosen:
        if choice.meter.pk not in own:
            raise DeviceRefused("Выберите прибор учёта из списка.", field=f"meter_{choice.channel}")
        if choice.meter.tariffs != 1:
            raise DeviceRefused(
                "Многотарифный прибор не может получать показания от счётчика импульсов.",
                field=f"meter_{choice.channel}",
            )
    if len({c.meter.pk for c in chosen}) != len(chosen):
        raise DeviceRefused("Один прибор учёта нельзя подключить к двум входам.", field="meter_1")
    taken = DeviceInput.objects.filter(meter__in=[c.meter for c in chosen]).exclude(device=device)
    for other in taken.select_related("device"):
        channel = next(c.channel for c in chosen if c.meter.pk == other.meter_id)
        raise DeviceRefused(
            f"Этот прибор уже получает показания от устройства «{other.device.name}». "
            "Сначала отключите его там.",
            field=f"meter_{channel}",
        )
    before = {i.channel: i for i in device.inputs.all()}
    touched = {i.meter_id for i in before.values()}
    for choice in choices:
        current = before.get(choice.channel)
        if choice.meter is None:
            if current is not None:
                current.delete()
            continue
        touched.add(choice.meter.pk)
        if current is not None and current.meter_id == choice.meter.pk:
            if current.auto_submit != choice.auto_submit:
                current.auto_submit = choice.auto_submit
                current.save(update_fields=["auto_submit"])
            continue
        if current is not None:
            current.delete()
        DeviceInput.objects.create(
            device=device, channel=choice.channel, meter=choice.meter, auto_submit=choice.auto_submit,
            **_from_reported(device, choice.channel, choice.meter),
        )  # fmt: skip
    record(
        action=AuditEntry.Action.DEVICE_CHANGED, actor=device.resident.user, ip=ip, target=str(device),
        details={f"ch{c.channel}": (c.meter.serial_number if c.meter else None) for c in choices},
    )  # fmt: skip
    _touch(touched)


def _from_reported(device: Device, channel: int, meter: Meter) -> dict:
    """An input paired after the device posted starts with what it said (no day's wait)."""
    reported = device.reported_input(channel)
    if "value" not in reported or device.last_seen_at is None:
        return {}
    return {
        "value": Decimal(reported["value"]).quantize(meter.step, rounding=ROUND_HALF_UP),
        "value_at": device.last_seen_at,
        "serial": reported.get("serial", ""),
    }


@transaction.atomic
def unpair_device(*, device: Device, ip: str | None = None) -> None:
    """Forget the device: its token stops working, its inputs no longer feed any meter."""
    touched = list(device.inputs.values_list("meter_id", flat=True))
    record(
        action=AuditEntry.Action.DEVICE_REMOVED, actor=device.resident.user, ip=ip, target=str(device),
        details={"device": device.pk},
    )  # fmt: skip
    device.delete()
    _touch(touched)


# --- The device's side ------------------------------------------------------------------------


def device_for(*, token: str, device_key: str = "") -> Device:
    """The device a post comes from. `token` is Kabinet's (in the address, or in `Waterius-Token`
    when the firmware lets its key be typed); `device_key` is the `Waterius-Token` the device
    sent beside a token in the address: the first post pins it, a different one is refused."""
    if not token or len(token) > 64:
        raise UnknownDevice
    device = Device.objects.filter(token_hash=token_hash(token)).first()
    if device is None:
        raise UnknownDevice
    if device_key and device_key != token:
        pinned = _key_hash(device_key)
        if device.device_key_hash and not constant_time_compare(device.device_key_hash, pinned):
            raise UnknownDevice(wrong_device=True)
        if not device.device_key_hash:
            # Pinned by the first post only: a conditional update, so that two first posts at once
            # cannot pin two keys.
            Device.objects.filter(pk=device.pk, device_key_hash="").update(device_key_hash=pinned)
            device.refresh_from_db(fields=["device_key_hash"])
            if not constant_time_compare(device.device_key_hash, pinned):
                raise UnknownDevice(wrong_device=True)
    return device


def admit_post(*, token: str, device_key: str = "", ip: str | None) -> Device:
    """`device_for` within the limits (settings.RATE_LIMITS, `device_*`): every post is counted per
    IP and per address before the key is looked up, and as a failure per IP until its key turns out
    to be a device's. Raises `ratelimit.RateLimited` (nothing looked up) or `UnknownDevice`."""
    ticket = ratelimit.hit(
        ("device_ip_failures", ip or "-"),
        ("device_ip", ip or "-"),
        ("device_token", token),  # the guard keeps a digest of it, never the token
    )
    device = device_for(token=token, device_key=device_key)
    # A device's own post: no guess. Its count per IP and per address stays (floods).
    ticket.refund("device_ip_failures")
    return device


def receive_post(*, device: Device, post: WateriusPost, now=None) -> list[DeviceInput]:
    """Keep what the device said: its state, and the value of each input that feeds a meter;
    in the window, a value not yet passed this period becomes the reading (`submit_due`)."""
    now = now or timezone.now()
    device.last_seen_at = now
    device.posts += 1
    device.battery, device.voltage, device.voltage_low = post.battery, post.voltage, post.voltage_low
    device.rssi, device.firmware = post.rssi, post.firmware or device.firmware
    device.reported = {
        str(c): {"value": str(v), "serial": post.serials.get(c, "")} for c, v in post.values.items()
    }
    device.save(
        update_fields=[
            "last_seen_at", "posts", "battery", "voltage", "voltage_low", "rssi", "firmware", "reported"
        ]
    )  # fmt: skip
    inputs = [i for i in device.inputs.select_related("meter__building") if i.channel in post.values]
    for device_input in inputs:
        meter = device_input.meter
        device_input.value = post.values[device_input.channel].quantize(meter.step, rounding=ROUND_HALF_UP)
        device_input.value_at = now
        device_input.serial = post.serials.get(device_input.channel, "")
        device_input.save(update_fields=["value", "value_at", "serial"])
    for device_input in inputs:
        submit_due(device_input=device_input, now=now)
    _touch([i.meter_id for i in device.inputs.all()])
    return inputs


# --- Passing the value as the month's reading --------------------------------------------------


def submit_due(*, device_input: DeviceInput, today: date | None = None, now=None) -> Reading | None:
    """Pass the input's latest value as its meter's reading, once per period, while the window is
    open. Nothing when sending is off, the window closed, the period's reading already given (the
    resident's own reading stays), or the value older than SILENT_DAYS. A refusal is kept on the
    input for the resident; a newer value is tried again."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    meter = device_input.meter
    if not device_input.auto_submit or device_input.value is None or device_input.value_at is None:
        return None
    if not meter.is_active or now - device_input.value_at > timedelta(days=SILENT_DAYS):
        return None
    window = meters.meter_window(meter, today=today)
    if not window.is_open or device_input.submitted_period == window.period:
        return None
    if device_input.attempted_at and device_input.attempted_at >= device_input.value_at:
        return None  # this value was refused already: wait for a newer one
    if (
        Reading.objects.filter(meter=meter, period=window.period)
        .exclude(source=Reading.Source.DEVICE)
        .exists()
    ):
        # The resident (or an operator) gave this period's reading: the device does not replace it.
        _claim(device_input, window.period, now, values={"refusal": "", "refusal_code": ""})
        return None
    if not _claim(device_input, window.period, now):
        return None  # another worker (or the device's own post) is passing it
    try:
        reading = submit_reading(
            meter=meter, values=(device_input.value,), today=today, channel=Reading.Source.DEVICE
        )
    except ReadingRefused as error:
        _refused(device_input, error.message, error.code, now)
        return None
    except NeedsConfirmation:
        message = (
            "Расход намного больше обычного, и устройство не передаёт такое показание само. "
            "Проверьте показание на приборе и передайте его на странице «Показания приборов учёта»."
        )
        _refused(device_input, message, "needs_confirmation", now)
        return None
    DeviceInput.objects.filter(pk=device_input.pk).update(
        submitted_value=device_input.value, submitted_at=now, refusal="", refusal_code=""
    )
    device_input.submitted_value, device_input.submitted_at = device_input.value, now
    device_input.refusal = device_input.refusal_code = ""
    return reading


def _claim(device_input: DeviceInput, period: date, now, values: dict | None = None) -> bool:
    """Take the period for this input (a conditional update): one submission however many
    workers and posts come at once."""
    not_yet = Q(submitted_period__isnull=True) | ~Q(submitted_period=period)
    claimed = DeviceInput.objects.filter(not_yet, pk=device_input.pk).update(
        submitted_period=period, attempted_at=now, **(values or {})
    )
    if claimed:
        device_input.submitted_period, device_input.attempted_at = period, now
        for name, value in (values or {}).items():
            setattr(device_input, name, value)
    return bool(claimed)


def _refused(device_input: DeviceInput, message: str, code: str, now) -> None:
    DeviceInput.objects.filter(pk=device_input.pk).update(
        submitted_period=None, refusal=message, refusal_code=code, attempted_at=now
    )
    device_input.submitted_period, device_input.refusal, device_input.refusal_code = None, message, code
    device_input.attempted_at = now


@dataclass
class SubmissionRound:
    submitted: int = 0
    looked_at: int = 0

    def summary(self) -> str:
        return f"Показания устройств: передано {self.submitted}, просмотрено входов {self.looked_at}."


def submit_due_readings(*, today: date | None = None, now=None) -> SubmissionRound:
    """One round of the schedule: every input whose value waits for the window to open."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    round_ = SubmissionRound()
    waiting = (
        DeviceInput.objects.filter(auto_submit=True, value__isnull=False, meter__is_active=True)
        .filter(value_at__gte=now - timedelta(days=SILENT_DAYS))
        .select_related("meter__building", "meter__account")
        .order_by("pk")
    )
    for device_input in waiting.iterator(chunk_size=500):
        round_.looked_at += 1
        if submit_due(device_input=device_input, today=today, now=now) is not None:
            round_.submitted += 1
    return round_
