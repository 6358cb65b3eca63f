"""The JSON a waterius posts, read as it comes (docs/devices.md).

The firmware (github.com/dontsovcmc/waterius, ESP8266/src/json.cpp) serialises one flat object
with ArduinoJson: `ch0`, `ch1` (values in m³ as the owner set them, counted on by pulses),
`delta0`, `delta1` (litres since the last post), `serial0`, `serial1` (meter numbers typed into the
device), `voltage` (V), `voltage_low`, `battery` (%), `rssi` (dBm), `version` (the counting
chip's), `version_esp` (the firmware's), `timestamp`, `key`, `email`, `mac` and some forty more
about Wi-Fi and settings. Only the fields below are read; every other one is ignored, whatever it
holds, so a newer firmware with more fields posts as well as an old one.
"""

import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from .models import CHANNELS

# A post is some 700 bytes (the firmware's own note: 727 for 1.0.1); far more is not a waterius.
MAX_BODY = 16 * 1024
# Larger than any meter's drums (9 digits before the point at most).
MAX_VALUE = Decimal(10) ** 9


class MalformedPost(Exception):
    """The body is not a waterius post: `code` for the device's log, `message` for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class WateriusPost:
    values: dict[int, Decimal] = field(default_factory=dict)  # channel → value, m³
    serials: dict[int, str] = field(default_factory=dict)
    battery: int | None = None
    voltage: Decimal | None = None
    voltage_low: bool = False
    rssi: int | None = None
    firmware: str = ""


def _no_constants(name: str):
    raise ValueError(f"{name} is not a number")  # NaN, Infinity: json accepts them by default


def parse(body: bytes) -> WateriusPost:
    """The post's values; `MalformedPost` when the body is not a JSON object with a value."""
    if len(body) > MAX_BODY:
        raise MalformedPost("too_large", "Слишком большое сообщение: Ватериус присылает меньше 1 КБ.")
    try:
        data = json.loads(body, parse_float=Decimal, parse_constant=_no_constants)
    except (ValueError, RecursionError):
        raise MalformedPost("malformed_json", "Тело запроса — не JSON.") from None
    if not isinstance(data, dict):
        raise MalformedPost("malformed_json", "Ожидается JSON-объект, как его присылает Ватериус.")
    post = WateriusPost()
    for channel in CHANNELS:
        name = f"ch{channel}"
        if data.get(name) is not None:
            post.values[channel] = _value(name, data[name])
        serial = data.get(f"serial{channel}")
        if isinstance(serial, str | int) and not isinstance(serial, bool):
            post.serials[channel] = str(serial).strip()[:16]
    if not post.values:
        raise MalformedPost("no_values", "В сообщении нет показаний ch0 и ch1.")
    post.battery = _small_int(data.get("battery"), 0, 100)
    post.rssi = _small_int(data.get("rssi"), -150, 10)
    post.voltage = _decimal(data.get("voltage"), Decimal(0), Decimal(10))
    post.voltage_low = data.get("voltage_low") is True
    firmware = data.get("version_esp") or data.get("version")
    if isinstance(firmware, str | int | Decimal) and not isinstance(firmware, bool):
        post.firmware = str(firmware)[:40]
    return post


def _value(name: str, raw) -> Decimal:
    value = _decimal(raw, Decimal(0), MAX_VALUE)
    if value is None:
        raise MalformedPost("bad_value", f"{name}: ожидается неотрицательное число (м³).")
    return value


def _decimal(raw, low: Decimal, high: Decimal) -> Decimal | None:
    """A number from JSON (or a numeric string) within [low, high), else None."""
    if isinstance(raw, bool) or not isinstance(raw, int | Decimal | str):
        return None
    try:
        value = Decimal(str(raw).strip().replace(",", "."))
    except InvalidOperation:
        return None
    if not value.is_finite() or not low <= value < high:
        return None
    return value


def _small_int(raw, low: int, high: int) -> int | None:
    value = _decimal(raw, Decimal(low), Decimal(high + 1))
    return None if value is None else int(value)
