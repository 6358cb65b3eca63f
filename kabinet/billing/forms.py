from django import forms

from kabinet.core import normalize

from .models import Account


class AccountForm(forms.ModelForm):
    """The back-office form: the same normalising as the import, so both store one spelling."""

    class Meta:
        model = Account
        fields = ("number", "holder_name", "address", "area", "phone", "email")

    def clean_number(self) -> str:
        number = normalize.account_number(self.cleaned_data["number"])
        if not normalize.is_valid_account_number(number):
            raise forms.ValidationError("Допустимы цифры, буквы, «-» и «/», не больше 30 знаков.")
        return number

    def clean_holder_name(self) -> str:
        return normalize.clean_text(self.cleaned_data["holder_name"])

    def clean_address(self) -> str:
        return normalize.clean_text(self.cleaned_data["address"])

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if not phone:
            return ""
        try:
            return normalize.phone_e164(phone, mobile_only=False)
        except normalize.InvalidPhone:
            raise forms.ValidationError("Номер не распознан. Например: +7 912 345-67-89.") from None
