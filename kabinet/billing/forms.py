import re
from pathlib import Path

from django import forms

from kabinet.core import normalize

from . import identifiers
from .models import Account, ImportJob, ImportProfile, UnmatchedPayment

KABINET_LAYOUT = ""
NEW_LAYOUT = "new"


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
        help_text="CSV или текст (UTF-8, Windows-1251 или DOS), XLSX или DBF; реестр платежей "
        "банка или выписка в формате 1С (TXT). Форматы описаны в docs/billing-formats.md и "
        "docs/bank-formats.md.",
    )

    layout = forms.ChoiceField(
        label="Формат файла",
        required=False,
        help_text="«Формат Кабинета» — столбцы, как в docs/billing-formats.md. Файл из системы начислений "
        "с её собственными столбцами (1С, КВАДО, DBF): выберите сохранённый профиль или «Другой» — после "
        "загрузки покажем первые строки файла, и вы укажете, какой столбец что значит. Сопоставление "
        "сохранится для следующих файлов.",
    )

    class Media:
        js = ("billing/upload.js",)

    class Meta:
        model = ImportJob
        fields = ("kind", "profile", "skip_bad")
        labels = {"kind": "Что в файле", "profile": "Профиль реестра банка"}
        help_texts = {
            "skip_bad": "Без этой отметки файл со строками с ошибками не загружается совсем: "
            "ничего не меняется, а отчёт называет каждую такую строку.",
        }
        widgets = {"kind": forms.Select(choices=[]), "profile": forms.Select(choices=[])}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from .imports import KINDS

        self.fields["kind"].widget.choices = [(k, kind.title) for k, kind in KINDS.items()]
        # For billing/upload.js: which kinds take a bank's profile, which a column format.
        self.fields["kind"].widget.attrs.update(
            {
                "data-bank-kinds": " ".join(code for code, kind in KINDS.items() if kind.profiles),
                "data-column-kinds": " ".join(code for code, kind in KINDS.items() if kind.columns),
            }
        )
        profiles = [
            (name, title) for kind in KINDS.values() if kind.profiles for name, title in kind.profiles()
        ]
        self.fields["profile"].widget.choices = [("", "определить по файлу"), *profiles]
        saved: dict[str, list[tuple[str, str]]] = {}
        for column_profile in ImportProfile.objects.order_by("title"):
            kind = KINDS.get(column_profile.kind)
            if kind is not None:
                saved.setdefault(kind.title, []).append((f"p{column_profile.pk}", column_profile.title))
        self.fields["layout"].choices = [
            (KABINET_LAYOUT, "Формат Кабинета"),
            (NEW_LAYOUT, "Другой — сопоставить столбцы"),
            *saved.items(),
        ]
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
        cleaned["column_profile"] = self._column_profile(
            kind, cleaned.get("layout", ""), cleaned.get("kind", "")
        )
        return cleaned

    def _column_profile(self, kind, layout: str, code: str) -> ImportProfile | None:
        if not layout or kind is None:
            return None
        if not kind.columns:
            self.add_error(
                "layout",
                f"У файла вида «{kind.title}» свой формат банка: выберите его в поле "
                "«Профиль реестра банка», а здесь оставьте «Формат Кабинета».",
            )
            return None
        if layout == NEW_LAYOUT:
            return None
        from .imports import KINDS

        chosen = ImportProfile.objects.filter(pk=layout.removeprefix("p")).first()
        if chosen is not None and chosen.kind != code:
            other = KINDS.get(chosen.kind)
            self.add_error(
                "layout",
                f"Профиль «{chosen.title}» — для файлов вида «{other.title if other else chosen.kind}», "
                f"а выбрано «{kind.title}»: выберите другой профиль или другой вид файла.",
            )
        return chosen

    def clean_upload(self):
        from .imports.jobs import UPLOAD_SUFFIXES

        upload = self.cleaned_data["upload"]
        if Path(upload.name).suffix.lower() not in UPLOAD_SUFFIXES:
            raise forms.ValidationError(
                "Нужен файл CSV, XLSX, DBF или TXT (имя оканчивается на .csv, .xlsx, .dbf или .txt)."
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


_GUESSES = {
    "account_number": ("лс", "л/с", "лицевой счет", "лицевой счёт", "номер лс", "lchet", "ls", "account"),
    "full_name": ("фио", "владелец", "плательщик", "собственник", "fio"),
    "address": ("адрес", "adres", "adr"),
    "area": ("площадь", "общая площадь"),
    "phone": ("телефон",),
    "email": ("e-mail", "почта", "email"),
    "period": ("период", "месяц"),
    "service_code": ("код услуги", "код"),
    "service_name": ("услуга", "наименование услуги"),
    "tariff": ("тариф",),
    "volume": ("объем", "объём", "расход"),
    "accrued": ("начислено", "сумма начисления"),
    "recalculation": ("перерасчет", "перерасчёт"),
    "benefit": ("льгота",),
    "to_pay": ("к оплате", "итого"),
    "paid_on": ("дата оплаты", "дата платежа", "дата"),
    "amount": ("сумма", "сумма оплаты", "оплачено"),
    "serial_number": ("заводской номер", "номер прибора", "номер счетчика", "номер счётчика"),
    "service": ("ресурс", "услуга"),
}


def guess_columns(fields: list[tuple[str, str, bool]], header: list[str]) -> dict[str, str]:
    """A first guess of the columns, for the operator to check: a column named as the field
    (as Kabinet's layout or its label names it) or by a name billing systems use for it."""
    by_name = {name.strip().lower().replace("ё", "е"): name for name in header if name.strip()}
    guess: dict[str, str] = {}
    for exact in (True, False):  # names as they are first, then names within longer ones
        for field, label, _ in fields:
            if field in guess:
                continue
            for candidate in (field, label.lower(), *_GUESSES.get(field, ())):
                candidate = candidate.replace("ё", "е")
                found = by_name.get(candidate) if exact else _containing(by_name, candidate)
                if found and found not in guess.values():
                    guess[field] = found
                    break
    return guess


def _containing(by_name: dict[str, str], candidate: str) -> str | None:
    if len(candidate) < 5:
        return None  # «код», «лс»: inside other names too often to be a guess
    return next(
        (name for key, name in by_name.items() if re.search(rf"\b{re.escape(candidate)}\b", key)), None
    )


class ColumnsForm(forms.Form):
    """The «Столбцы файла» page: how to read the file, which column is each of Kabinet's fields,
    and the name the mapping is kept under."""

    encoding = forms.ChoiceField(
        label="Кодировка",
        required=False,
        choices=[("", "определить по файлу"), *ImportProfile.Encoding.choices],
        help_text="Если в строках ниже вместо букв непонятные знаки, выберите другую кодировку "
        "и нажмите «Показать снова».",
    )
    separator = forms.ChoiceField(
        label="Разделитель",
        required=False,
        choices=[
            ("", "определить по файлу"),
            (";", "точка с запятой «;»"),
            (",", "запятая «,»"),
            ("\\t", "табуляция"),
            ("|", "вертикальная черта «|»"),
        ],
        help_text="Для файлов CSV и текстовых.",
    )
    header_row = forms.IntegerField(
        label="Строка заголовка",
        min_value=0,
        max_value=1000,
        initial=1,
        help_text="Номер строки с названиями столбцов. "
        "0 — заголовка нет: столбцы называются номерами 1, 2, 3…",
    )
    title = forms.CharField(
        label="Название профиля",
        max_length=150,
        help_text="Под этим названием сопоставление появится в поле «Формат файла» при следующей "
        "загрузке, например «1С: начисления».",
    )

    def __init__(self, *args, fields: list[tuple[str, str, bool]], header: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "— нет в файле —"), *((name, name) for name in dict.fromkeys(header) if name.strip())]
        self.column_fields = []
        for name, label, required in fields:
            self.fields[f"col_{name}"] = forms.ChoiceField(
                label=label,
                required=required,
                choices=choices,
                error_messages={"required": "Это поле Кабинету нужно: выберите столбец файла."},
            )
            self.column_fields.append(f"col_{name}")

    def settings_fields(self):
        return [self[name] for name in ("encoding", "separator", "header_row")]

    def mapping_fields(self):
        return [self[name] for name in self.column_fields]

    def mapping(self) -> dict[str, str]:
        return {
            name.removeprefix("col_"): self.cleaned_data[name]
            for name in self.column_fields
            if self.cleaned_data.get(name)
        }


def _profile_form_fields() -> dict[str, forms.Field]:
    from .imports.mapping import LABELS

    return {
        f"col_{name}": forms.CharField(
            label=label,
            required=False,
            max_length=200,
            widget=forms.TextInput(attrs={"class": "vTextField"}),
            error_messages={"required": "Это поле Кабинету нужно: укажите столбец файла."},
        )
        for name, label in LABELS.items()
    }


class ImportProfileForm(forms.ModelForm):
    """A saved profile in the back-office: its name, how its files are read, and the file's
    column for each of Kabinet's fields (the kind's fields are shown; admin.get_fieldsets)."""

    class Meta:
        model = ImportProfile
        fields = ("title", "name", "file_format", "encoding", "separator", "header_row")

    def __init__(self, *args, **kwargs) -> None:
        from .imports.mapping import REQUIRED

        super().__init__(*args, **kwargs)
        blanks = {"file_format": "по расширению файла", "encoding": "определить по файлу"}
        for name, blank in blanks.items():
            if name in self.fields:
                self.fields[name].choices = [("", blank), *list(self.fields[name].choices)[1:]]
        for name in REQUIRED.get(self.instance.kind, ()):
            self.fields[f"col_{name}"].required = True
        for name, value in (self.instance.mapping or {}).items():
            if f"col_{name}" in self.fields:
                self.initial[f"col_{name}"] = " + ".join(value) if isinstance(value, list) else value

    def clean_name(self) -> str:
        name = self.cleaned_data["name"]
        others = ImportProfile.objects.filter(kind=self.instance.kind, name=name).exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(
                "Профиль с таким именем для файлов этого вида уже есть: выберите другое имя."
            )
        return name

    def clean(self):
        from .imports import KINDS
        from .imports.mapping import LABELS, REQUIRED

        cleaned = super().clean()
        kind = KINDS.get(self.instance.kind)
        built: dict[str, str | list[str]] = {}
        for name in LABELS:
            parts = [part.strip() for part in cleaned.get(f"col_{name}", "").split("+") if part.strip()]
            if parts:
                built[name] = parts if len(parts) > 1 else parts[0]
        if kind is not None:
            for name in REQUIRED.get(self.instance.kind, ()):
                if name not in built and f"col_{name}" not in self.errors:
                    self.add_error(f"col_{name}", "Это поле Кабинету нужно: укажите столбец файла.")
        cleaned["mapping"] = built
        return cleaned

    def save(self, commit: bool = True) -> ImportProfile:
        self.instance.mapping = self.cleaned_data["mapping"]
        return super().save(commit)


for _name, _field in _profile_form_fields().items():
    ImportProfileForm.base_fields[_name] = _field
    ImportProfileForm.declared_fields[_name] = _field
