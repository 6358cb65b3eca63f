from django import forms

from .services import KINDS


class ExportForm(forms.Form):
    """What to send to ГИС ЖКХ and for which month."""

    kind = forms.ChoiceField(
        label="Что выгрузить",
        choices=[(code, title.capitalize()) for code, title in KINDS.items()],
        widget=forms.RadioSelect,
        initial="payment-documents",
        error_messages={"required": "Выберите, что выгрузить.", "invalid_choice": "Выберите, что выгрузить."},
    )
    period = forms.DateField(
        label="Период",
        input_formats=["%Y-%m", "%m.%Y"],
        help_text="Месяц, например 2026-03.",
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        error_messages={"invalid": "Укажите месяц в виде 2026-03.", "required": "Укажите месяц."},
    )

    def clean_period(self):
        return self.cleaned_data["period"].replace(day=1)
