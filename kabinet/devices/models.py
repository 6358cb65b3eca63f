"""Devices (устройства): a resident's Wi-Fi pulse counter (waterius) and the meters it feeds.

A waterius wakes up once a day (by default), posts the values of its two inputs (`ch0`, `ch1`, in
m³) as JSON to the address the owner typed into its settings, and sleeps again. Kabinet gives each
paired device a token: only a keyed hash of it is stored (`token_hash`), the token itself is shown
once. What the device last said is kept on the device (battery, signal, firmware) and, for each
input that feeds a meter, on the input (`DeviceInput`: the value and when it came). In the reading
window that value becomes the month's reading once (`auto_submit`, the resident may turn it off).
Format and settings: docs/devices.md.
"""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils import timezone

from kabinet.core import formats
from kabinet.meters.models import Meter
from kabinet.residents.models import Resident

# A waterius has two inputs: ch0/serial0/delta0 and ch1/serial1/delta1 in its JSON.
CHANNELS = (0, 1)

# The firmware calls the battery good from 25 % up (its voltage sags under load by 50 mV at most);
# below, the sag is over 50 mV («батарейка начала разряжаться»); at 0 % (100 mV, or under 2.9 V)
# it sets `voltage_low` itself. Residents are told from the first sign: there are weeks to act.
LOW_BATTERY_PERCENT = 25
LOW_VOLTAGE = Decimal("2.9")
# The device posts once a day; three days without a word is not a missed Wi-Fi round any more.
SILENT_DAYS = 3


class Device(models.Model):
    """Устройство: a waterius counter a resident paired with their cabinet."""

    class Kind(models.TextChoices):
        WATERIUS = "waterius", "Ватериус"

    resident = models.ForeignKey(
        Resident, verbose_name="житель", on_delete=models.CASCADE, related_name="devices"
    )
    kind = models.CharField("вид", max_length=12, choices=Kind.choices, default=Kind.WATERIUS)
    name = models.CharField("название", max_length=60)
    token_hash = models.CharField("ключ (хеш)", max_length=64, unique=True, editable=False)
    token_hint = models.CharField("последние знаки ключа", max_length=4, editable=False)
    # The firmware sends its own key in `Waterius-Token`: the first post pins it (as a keyed hash),
    # so that an address copied elsewhere is refused for a device that is not this one.
    device_key_hash = models.CharField("ключ прибора (хеш)", max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField("подключено", default=timezone.now)
    last_seen_at = models.DateTimeField("последняя передача", null=True, blank=True)
    posts = models.PositiveIntegerField("передач", default=0)
    battery = models.PositiveSmallIntegerField("заряд батареи, %", null=True, blank=True)
    voltage = models.DecimalField("напряжение, В", max_digits=5, decimal_places=3, null=True, blank=True)
    voltage_low = models.BooleanField("прибор сообщил о разряде", default=False)
    rssi = models.SmallIntegerField("уровень Wi-Fi, дБм", null=True, blank=True)
    firmware = models.CharField("версия прошивки", max_length=40, blank=True)
    # What the inputs said last, for pairing: {"0": {"value": "123.456", "serial": "…"}, …}.
    reported = models.JSONField("последние значения входов", default=dict, blank=True)

    class Meta:
        verbose_name = "устройство"
        verbose_name_plural = "устройства"
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.name} (…{self.token_hint})"

    @property
    def battery_low(self) -> bool:
        if self.last_seen_at is None:
            return False
        if self.voltage_low or (self.battery is not None and self.battery < LOW_BATTERY_PERCENT):
            return True
        return self.battery is None and self.voltage is not None and self.voltage < LOW_VOLTAGE

    def silent(self, now=None) -> bool:
        """No post for SILENT_DAYS (or none yet, SILENT_DAYS after pairing)."""
        now = now or timezone.now()
        since = self.last_seen_at or self.created_at
        return (now - since).days >= SILENT_DAYS

    def reported_input(self, channel: int) -> dict:
        return self.reported.get(str(channel), {})

    @property
    def reported_shown(self) -> str:
        """«вход 0: 123,456 м³ (№ 21-123456); вход 1: 234,567 м³» as the device sent them."""
        lines = []
        for channel in CHANNELS:
            given = self.reported_input(channel)
            if "value" in given:
                line = f"вход {channel}: {formats.quantity(Decimal(given['value']))} м³"
                lines.append(line + (f" (№ {given['serial']})" if given.get("serial") else ""))
        return "; ".join(lines)


class DeviceInput(models.Model):
    """One input of a device (`ch0` or `ch1`) and the meter it feeds, with its latest value."""

    device = models.ForeignKey(
        Device, verbose_name="устройство", on_delete=models.CASCADE, related_name="inputs"
    )
    channel = models.PositiveSmallIntegerField("вход", choices=[(c, f"вход {c} (ch{c})") for c in CHANNELS])
    # One input per meter: two devices feeding one meter would race each other's readings.
    meter = models.OneToOneField(
        Meter, verbose_name="прибор учёта", on_delete=models.CASCADE, related_name="device_input"
    )
    auto_submit = models.BooleanField("передавать показание автоматически", default=True)
    value = models.DecimalField("последнее значение", max_digits=13, decimal_places=3, null=True, blank=True)
    value_at = models.DateTimeField("получено", null=True, blank=True)
    serial = models.CharField("номер, который сообщил прибор", max_length=16, blank=True)
    submitted_period = models.DateField("показание передано за период", null=True, blank=True)
    submitted_value = models.DecimalField(
        "переданное показание", max_digits=13, decimal_places=3, null=True, blank=True
    )
    submitted_at = models.DateTimeField("передано", null=True, blank=True)
    attempted_at = models.DateTimeField("последняя попытка", null=True, blank=True)
    refusal = models.TextField("почему не принято", blank=True)
    refusal_code = models.CharField("код отказа", max_length=30, blank=True)

    class Meta:
        verbose_name = "вход устройства"
        verbose_name_plural = "входы устройств"
        ordering = ["device_id", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["device", "channel"], name="one_meter_per_device_input"),
            models.CheckConstraint(condition=Q(channel__in=CHANNELS), name="device_input_channel"),
        ]

    def __str__(self) -> str:
        return f"{self.device}: вход {self.channel} → {self.meter}"

    @property
    def shown_value(self) -> str:
        return self.meter.shown(self.value)

    @property
    def value_text(self) -> str:
        """«по данным устройства на 5 декабря 2026, 10:15»."""
        if self.value is None or self.value_at is None:
            return ""
        return f"по данным устройства на {formats.date_time(self.value_at)}"
