from pathlib import Path

from django import forms

from kabinet.core import normalize

from . import identifiers
from .models import Account, ImportJob, UnmatchedPayment


class AccountForm(forms.ModelForm):
    """The back-office form: the same normalising as the import, so both store one spelling."""

    class Meta:
        model = Account
        fields = (
            "number",
            "holder_name",
            "address",
            "area",
            "phone",
            "email",
            "unified_number",
            "service_id",
        )

    def clean_unified_number(self) -> str:
        text = self.cleaned_data["unified_number"]
        try:
            return identifiers.check_unified_number(text) if text.strip() else ""
        except ValueError as exc:
            raise forms.ValidationError(_sentence(exc)) from None

    def clean_service_id(self) -> str:
        text = self.cleaned_data["service_id"]
        try:
            return identifiers.check_service_id(text) if text.strip() else ""
        except ValueError as exc:
            raise forms.ValidationError(_sentence(exc)) from None

    def clean(self) -> dict:
        data = super().clean()
        unified, service = data.get("unified_number"), data.get("service_id")
        if unified and service and not service.startswith(unified + "-"):
            self.add_error("service_id", f"Идентификатор ЖКУ {service} не начинается с ЕЛС {unified}.")
        return data

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


def _sentence(exc: ValueError) -> str:
    text = str(exc)
    return text[:1].upper() + text[1:] + "."


class ImportUploadForm(forms.ModelForm):
    """The back-office upload of a billing file: what is in it, the file, skip bad rows or not."""

    upload = forms.FileField(
        label="Файл",
        help_text="CSV (UTF-8 или Windows-1251, разделитель «;» или «,») или XLSX; реестр платежей "
        "банка или выписка в формате 1С (TXT). Форматы описаны в docs/billing-formats.md и "
        "docs/bank-formats.md.",
    )

    class Meta:
        model = ImportJob
        fields = ("kind", "profile", "skip_bad")
        labels = {"kind": "Что в файле", "profile": "Профиль"}
        help_texts = {
            "skip_bad": "Без этой отметки файл со строками с ошибками не загружается совсем: "
            "ничего не меняется, а отчёт называет каждую такую строку.",
        }
        widgets = {"kind": forms.Select(choices=[]), "profile": forms.Select(choices=[])}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from .imports import KINDS

        self.fields["kind"].widget.choices = [(k, kind.title) for k, kind in KINDS.items()]
        profiles = [
            (name, title) for kind in KINDS.values() if kind.profiles for name, title in kind.profiles()
        ]
        self.fields["profile"].widget.choices = [("", "определить по файлу"), *profiles]
        self.fields["profile"].help_text = (
            "Для файлов, формат которых бывает разным (реестр платежей банка). "
            "Для остальных оставьте «определить по файлу»."
        )

    def clean_kind(self) -> str:
        from .imports import KINDS

        kind = self.cleaned_data["kind"]
        if kind not in KINDS:
            raise forms.ValidationError("Выберите, что в файле: лицевые счета, начисления или оплаты.")
        return kind

    def clean(self):
        from .imports import KINDS

        cleaned = super().clean()
        kind, profile = KINDS.get(cleaned.get("kind", "")), cleaned.get("profile", "")
        if kind is not None and profile:
            names = [name for name, _ in kind.profiles()] if kind.profiles else []
            if profile not in names:
                self.add_error(
                    "profile",
                    f"У вида «{kind.title}» нет такого профиля: выберите «определить по файлу»"
                    + (f" или один из: {', '.join(names)}." if names else "."),
                )
        return cleaned

    def clean_upload(self):
        from .imports.jobs import UPLOAD_SUFFIXES

        upload = self.cleaned_data["upload"]
        if Path(upload.name).suffix.lower() not in UPLOAD_SUFFIXES:
            raise forms.ValidationError(
                "Нужен файл CSV, XLSX или TXT (имя оканчивается на .csv, .xlsx или .txt)."
            )
        if upload.size == 0:
            raise forms.ValidationError("Файл пуст.")
        return upload


class AssignUnmatchedForm(forms.ModelForm):
    """The operator's choice of the account (and month) an unmatched bank payment goes to."""

    account_number = forms.CharField(
        label="Лицевой счёт",
        max_length=30,
        help_text="Номер лицевого счёта, на который зачислить платёж.",
    )
    period_text = forms.CharField(
        label="Период",
        max_length=10,
        required=False,
        help_text="Месяц, за который платёж, например 11.2026. Пусто — как в файле банка, "
        "а если там не указан — последний месяц с начислениями.",
    )

    class Meta:
        model = UnmatchedPayment
        fields = ()

    def clean_account_number(self) -> Account:
        number = normalize.account_number(self.cleaned_data["account_number"])
        account = Account.objects.filter(number=number).first() if number else None
        if account is None:
            raise forms.ValidationError(f"Лицевой счёт «{self.cleaned_data['account_number']}» не найден.")
        return account

    def clean_period_text(self):
        from .imports.fields import FieldError, parse_period

        text = self.cleaned_data["period_text"].strip()
        if not text:
            return None
        try:
            return parse_period(text)
        except FieldError:
            raise forms.ValidationError("Укажите месяц, например 11.2026.") from None
