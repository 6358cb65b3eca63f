from decimal import Decimal

from django import forms

from kabinet.billing.imports.fields import FieldError

from . import parsing
from .models import Meter


class ReadingForm(forms.Form):
    """One meter's reading: a value per tariff, and the confirmation asked for an unusual one."""

    confirm = forms.BooleanField(label="Показание верное, расход действительно такой", required=False)

    def __init__(self, meter: Meter, *args, optional: bool = False, **kwargs) -> None:
        kwargs.setdefault("prefix", f"m{meter.pk}")
        super().__init__(*args, **kwargs)
        self.meter = meter
        self.asks_confirmation = False
        # In the one form for all meters a meter left blank is simply not submitted this time.
        self.optional = optional
        names = meter.tariff_names
        for index, name in enumerate(names, start=1):
            label = f"Показание {name}, {meter.unit}" if name else f"Показание, {meter.unit}"
            self.fields[f"value_{index}"] = forms.CharField(
                label=label,
                max_length=20,
                required=not optional,
                help_text=self._hint(),
                error_messages={"required": "Введите показание."},
                widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
            )
        self.order_fields([f"value_{i}" for i in range(1, len(names) + 1)] + ["confirm"])

    def _hint(self) -> str:
        meter = self.meter
        if meter.digits_after:
            example = "123," + "456"[: meter.digits_after]
            return f"Цифры счётчика через запятую, после неё не больше {meter.digits_after}: {example}"
        return "Целое число, без запятой, например 12345"

    def _clean_value(self, name: str) -> Decimal:
        try:
            return parsing.parse_reading(
                self.cleaned_data.get(name, ""),
                digits_before=self.meter.digits_before,
                digits_after=self.meter.digits_after,
            )
        except FieldError as exc:
            raise forms.ValidationError(str(exc)) from None

    @property
    def left_blank(self) -> bool:
        """Nothing typed for this meter (the one form for all meters skips it)."""
        return self.is_bound and not any(
            (self.data.get(self.add_prefix(f"value_{i}")) or "").strip()
            for i in range(1, self.meter.tariffs + 1)
        )

    def clean(self) -> dict:
        data = super().clean()
        if self.optional and self.left_blank:
            return data
        for index in range(1, self.meter.tariffs + 1):
            if self.optional and not data.get(f"value_{index}"):
                self.add_error(f"value_{index}", "Введите показание по этому тарифу тоже.")
                continue
            name = f"value_{index}"
            if name in data:
                try:
                    data[name] = self._clean_value(name)
                except forms.ValidationError as exc:
                    self.add_error(name, exc)
        return data

    def values(self) -> tuple[Decimal, ...]:
        return tuple(self.cleaned_data[f"value_{i}"] for i in range(1, self.meter.tariffs + 1))

    def ask_confirmation(self, message: str) -> None:
        self.asks_confirmation = True
        self.add_error("confirm", message)


class ExportForm(forms.Form):
    period = forms.DateField(
        label="Период",
        input_formats=["%Y-%m", "%m.%Y"],
        help_text="Месяц, за который выгрузить показания, например 2026-11.",
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        error_messages={"invalid": "Укажите месяц в виде 2026-11.", "required": "Укажите месяц."},
    )
    file_format = forms.ChoiceField(
        label="Формат файла", choices=[("csv", "CSV (для 1С)"), ("xlsx", "XLSX (Excel)")], initial="csv"
    )

    def clean_period(self):
        return self.cleaned_data["period"].replace(day=1)
