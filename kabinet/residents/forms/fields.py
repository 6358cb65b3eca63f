"""Fields that several residents' forms ask for, each defined once with its messages.

A form names its own label and hint (the registration says «Пароль», the profile «Новый
пароль»); the widget, the limits and what is said when the value is wrong are the same everywhere.
"""

import re

from django import forms
from django.contrib.auth import password_validation
from django.utils.html import format_html

from kabinet.core import normalize
from kabinet.core.models import User

from ..codes import CODE_DIGITS, clean_code
from ..validators import plain_password_message

NAME_RE = re.compile(r"^[A-Za-zА-Яа-яЁё][A-Za-zА-Яа-яЁё' .\-‐–]*$")
ACCOUNT_NUMBER_INVALID = (
    "Номер лицевого счета указан неверно. Перепишите его из квитанции, например 1000123456."
)
PHONE_EXAMPLE = "Укажите номер мобильного телефона, например 8-912-345-67-89 или +7 912 345-67-89."
EMAIL_INVALID = "Адрес электронной почты указан неверно. Пример: ivanov@mail.ru"
PASSWORDS_DIFFER = "Пароли не совпадают. Введите один и тот же пароль дважды."
CODE_LENGTH = f"Введите код из SMS: {CODE_DIGITS} цифр."


def hint(text: str, purpose: str = "") -> str:
    """The seed's hint under a field, and why we ask for it."""
    if not purpose:
        return format_html('<span class="hint">{}</span>', text)
    return format_html('<span class="hint">{}</span> <span class="purpose">{}</span>', text, purpose)


def password_pair(label: str, help_text: str) -> tuple[forms.CharField, forms.CharField]:
    """A new password and its repetition: «Пароль» and «Пароль (повторно)»."""
    first = forms.CharField(
        label=label,
        strip=False,
        max_length=128,
        help_text=help_text,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": f"Придумайте {label.lower()}."},
    )
    second = forms.CharField(
        label=f"{label} (повторно)",
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": f"Введите {label.lower()} ещё раз."},
    )
    return first, second


class NewPasswordMixin:
    """For a form with `password_pair` fields: two equal passwords that the validators accept
    for `self.password_user` (the user the password is for, or a stand-in with their data)."""

    password_user: User | None = None

    def clean(self) -> dict:
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", PASSWORDS_DIFFER)
        elif first:
            try:
                password_validation.validate_password(first, self.password_user)
            except forms.ValidationError as error:
                self.add_error("password1", plain_password_message(error))
        return data


def phone_field(label: str, help_text: str) -> forms.CharField:
    """A mobile phone in any spelling; clean it with `clean_phone`."""
    return forms.CharField(
        label=label,
        max_length=40,
        help_text=help_text,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
        error_messages={"required": f"Укажите {label[0].lower()}{label[1:]}."},
    )


def clean_phone(value: str) -> str:
    """The phone as +7XXXXXXXXXX."""
    try:
        return normalize.phone_e164(value)
    except normalize.InvalidPhone:
        raise forms.ValidationError(PHONE_EXAMPLE) from None


def email_field(help_text: str) -> forms.EmailField:
    return forms.EmailField(
        label="Адрес электронной почты",
        max_length=254,
        help_text=help_text,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"required": "Укажите адрес электронной почты.", "invalid": EMAIL_INVALID},
    )


def account_number_field(help_text: str, required_message: str) -> forms.CharField:
    """A лицевой счёт as printed on the receipt; clean it with `clean_account_number`."""
    return forms.CharField(
        label="Номер лицевого счета",
        max_length=40,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"required": required_message},
    )


def clean_account_number(value: str, *, message: str) -> str:
    number = normalize.account_number(value)
    if not normalize.is_valid_account_number(number):
        raise forms.ValidationError(message)
    return number


def full_name_field(help_text: str) -> forms.CharField:
    """ФИО as the receipt has it; clean it with `clean_full_name`."""
    return forms.CharField(
        label="ФИО",
        max_length=200,
        help_text=help_text,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": "Укажите фамилию, имя и отчество."},
    )


def clean_full_name(value: str) -> str:
    value = normalize.clean_text(value)
    if not NAME_RE.match(value) or len(value.split()) < 2:
        raise forms.ValidationError(
            "Укажите фамилию, имя и отчество буквами, как в квитанции: например, Иванов Иван Иванович."
        )
    return value


def code_field(label: str = "Код из SMS", *, required: bool = True) -> forms.CharField:
    """The code from an SMS; clean it with `code_digits`."""
    return forms.CharField(
        label=label,
        max_length=20,
        required=required,
        help_text=hint(f"{CODE_DIGITS} цифр из SMS."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
        error_messages={"required": "Введите код из SMS."},
    )


def code_digits(value: str) -> str:
    """The code's digits, however typed («123 456», «123-456»); refused unless there are six."""
    code = clean_code(value)
    if len(code) != CODE_DIGITS:
        raise forms.ValidationError(CODE_LENGTH)
    return code
