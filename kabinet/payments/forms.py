from decimal import Decimal, InvalidOperation

from django import forms
from django.conf import settings

from kabinet.core.formats import money


def parse_amount(text: str) -> Decimal:
    """«1 234,50», «1234.5», «1234,50 ₽» -> Decimal('1234.50'); ValueError for anything else."""
    cleaned = (
        text.replace("\u00a0", "").replace(" ", "").replace("₽", "").replace("руб.", "").replace("руб", "")
    )
    cleaned = cleaned.replace(",", ".")
    if not cleaned or cleaned.count(".") > 1:
        raise ValueError(text)
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(text) from None
    if not value.is_finite() or value.as_tuple().exponent < -2:
        raise ValueError(text)
    return value.quantize(Decimal("0.01"))


class PayForm(forms.Form):
    amount = forms.CharField(
        label="Сумма к оплате, ₽",
        max_length=20,
        error_messages={
            "required": "Введите сумму, которую хотите оплатить.",
            "max_length": "Слишком длинная сумма: введите её цифрами, например 1500,50.",
        },
        help_text="Можно изменить: например, 1500 или 1500,50.",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )

    def clean_amount(self) -> Decimal:
        text = self.cleaned_data["amount"].strip()
        try:
            value = parse_amount(text)
        except ValueError:
            raise forms.ValidationError(
                "Введите сумму цифрами, копейки — через запятую: например, 1500,50."
            ) from None
        low, high = Decimal(settings.PAYMENT_MIN_AMOUNT), Decimal(settings.PAYMENT_MAX_AMOUNT)
        if value < low:
            raise forms.ValidationError(f"Сумма должна быть не меньше {money(low)}.")
        if value > high:
            raise forms.ValidationError(f"Сумма должна быть не больше {money(high)} за один платёж.")
        return value
