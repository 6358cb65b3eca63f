"""The devices page's forms: a new device's name, and the meter each input feeds."""

from django import forms

from kabinet.meters.models import Meter

from .models import CHANNELS, Device
from .services import InputChoice

NOT_USED = ""


class PairForm(forms.Form):
    name = forms.CharField(
        label="Название устройства",
        max_length=60,
        initial="Ватериус",
        help_text="Чтобы отличать устройства, если их несколько: например, «Ватериус в ванной».",
        error_messages={
            "required": "Назовите устройство, например «Ватериус».",
            "max_length": "Не длиннее 60 знаков.",
        },
    )


def _meter_label(meter: Meter, several_accounts: bool) -> str:
    label = meter.name_for_resident
    if meter.place:
        label += f", {meter.place}"
    if several_accounts:
        label += f" (счёт {meter.account.number})"
    return label


class InputsForm(forms.Form):
    """Two inputs: for each, a meter of the resident's own accounts (or none) and whether its
    value is passed as the reading automatically."""

    def __init__(self, *args, device: Device, meters: list[Meter], **kwargs) -> None:
        self.device = device
        self.meters = {str(m.pk): m for m in meters}
        current = {i.channel: i for i in device.inputs.all()}
        initial = {}
        for channel in CHANNELS:
            if channel in current:
                initial[f"meter_{channel}"] = str(current[channel].meter_id)
                initial[f"auto_{channel}"] = current[channel].auto_submit
            else:
                initial[f"auto_{channel}"] = True
        kwargs.setdefault("initial", initial)
        kwargs.setdefault("prefix", f"device-{device.pk}")
        super().__init__(*args, **kwargs)
        several = len({m.account_id for m in meters}) > 1
        choices = [(NOT_USED, "не подключён")] + [
            (pk, _meter_label(m, several)) for pk, m in self.meters.items()
        ]
        for channel in CHANNELS:
            reported = device.reported_input(channel)
            hint = f"В сообщении устройства — ch{channel} и serial{channel}."
            if reported.get("serial"):
                hint += f" Устройство называет номер прибора: {reported['serial']}."
            self.fields[f"meter_{channel}"] = forms.ChoiceField(
                label=f"Вход {channel}: прибор учёта",
                choices=choices,
                required=False,
                help_text=hint,
                error_messages={"invalid_choice": "Выберите прибор учёта из списка."},
            )
            self.fields[f"auto_{channel}"] = forms.BooleanField(
                label=f"Передавать показание входа {channel} автоматически в дни приёма",
                required=False,
            )

    def choices(self) -> list[InputChoice]:
        return [
            InputChoice(
                channel=channel,
                meter=self.meters.get(self.cleaned_data[f"meter_{channel}"] or "-"),
                auto_submit=self.cleaned_data[f"auto_{channel}"],
            )
            for channel in CHANNELS
        ]

    def pairs(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"meter_{c}"], self[f"auto_{c}"]) for c in CHANNELS]
