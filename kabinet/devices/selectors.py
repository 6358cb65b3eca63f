"""Reads for the devices page and the readings page's device lines."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from kabinet.core import formats
from kabinet.meters import selectors as meters
from kabinet.meters.models import Meter
from kabinet.meters.window import Window
from kabinet.residents.models import Resident

from .models import Device, DeviceInput


def resident_devices(resident: Resident) -> list[Device]:
    """The resident's devices with their inputs and the meters they feed (three queries)."""
    return list(
        resident.devices.prefetch_related("inputs__meter__building", "inputs__meter__account").order_by(
            "created_at", "pk"
        )
    )


def resident_device(resident: Resident, device_id: int) -> Device | None:
    """One of the resident's own devices, or None: another household's device id is not found."""
    return resident.devices.filter(pk=device_id).first()


def meter_choices(resident: Resident) -> list[Meter]:
    """Meters in work of the resident's own accounts that a pulse counter can feed (one tariff)."""
    accounts = list(resident.accounts.all())
    return list(
        meters.account_meters(accounts)
        .filter(tariffs=1)
        .order_by("account__number", "service", "serial_number")
    )


@dataclass(frozen=True)
class InputState:
    """What the resident is told about one input: the latest value, whether it was sent."""

    device_input: DeviceInput
    window_open: bool
    window_text: str
    period: date

    @property
    def device(self) -> Device:
        return self.device_input.device

    @property
    def sent_this_period(self) -> bool:
        i = self.device_input
        return i.submitted_period == self.period and i.submitted_at is not None

    @property
    def kept_by_resident(self) -> bool:
        # Claimed for the period without a submission of its own: the period's reading was given
        # another way (the cabinet, an operator), and the device left it as it was.
        i = self.device_input
        return i.submitted_period == self.period and i.submitted_at is None and not i.refusal

    @property
    def status(self) -> str:
        """One sentence for the readings page and the devices page."""
        i = self.device_input
        if self.sent_this_period:
            return (
                f"Показание {i.meter.shown(i.submitted_value)} {i.meter.unit} передано устройством "
                f"автоматически {formats.date_time(i.submitted_at)}."
            )
        if self.kept_by_resident:
            return "Показание за этот месяц уже передано, устройство его не меняет."
        if i.refusal:
            return f"Устройство не смогло передать показание: {i.refusal}"
        if not i.auto_submit:
            return "Автоматическая передача выключена: передайте показание сами."
        if i.value is None:
            return "Устройство ещё не присылало значений по этому входу."
        if not self.window_open:
            return (
                f"Последнее значение будет передано автоматически, когда откроется приём. {self.window_text}"
            )
        return "Значение будет передано автоматически после следующей передачи устройства."


def _state(device_input: DeviceInput, today: date, window=None) -> InputState:
    window = window or meters.meter_window(device_input.meter, today=today)
    return InputState(
        device_input=device_input, window_open=window.is_open, window_text=window.text(), period=window.period
    )


def input_states(devices: Iterable[Device], *, today: date | None = None) -> dict[int, InputState]:
    """By input id, for the inputs of `devices` (already prefetched)."""
    today = today or timezone.localdate()
    return {i.pk: _state(i, today) for d in devices for i in d.inputs.all()}


def meter_device_states(meter_list: list[Meter], *, window: Window) -> dict[int, InputState]:
    """By meter id: the device input feeding each of these meters, if any (one query). The meters
    are one account's, in one house: `window` is theirs (the readings page has it already)."""
    by_id = {m.pk: m for m in meter_list}
    inputs = DeviceInput.objects.filter(meter_id__in=list(by_id)).select_related("device")
    states = {}
    for device_input in inputs:
        device_input.meter = by_id[device_input.meter_id]
        states[device_input.meter_id] = _state(device_input, window.today, window)
    return states
