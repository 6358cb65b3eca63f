"""Forms of «Забыли пароль?» and of the profile, with the messages shown beside their fields."""

from django import forms
from django.contrib.auth import password_validation
from django.http import HttpRequest

from kabinet.core import normalize
from kabinet.core.models import User
from kabinet.core.signin import check_current_password

from .codes import CODE_DIGITS, clean_code
from .forms import hint
from .models import ReminderChannel
from .validators import plain_password_message

PASSWORD_HINT = "Не короче 8 символов. Не используйте номер лицевого счёта, телефон или имя."


def _new_password_fields() -> tuple[forms.CharField, forms.CharField]:
    first = forms.CharField(
        label="Новый пароль",
        strip=False,
        max_length=128,
        help_text=hint(PASSWORD_HINT),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Придумайте новый пароль."},
    )
    second = forms.CharField(
        label="Новый пароль (повторно)",
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Введите новый пароль ещё раз."},
    )
    return first, second


class NewPasswordMixin:
    """Two equal passwords that the validators accept for `self.password_user`."""

    password_user: User | None = None

    def clean(self) -> dict:
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", "Пароли не совпадают. Введите один и тот же пароль дважды.")
        elif first:
            try:
                password_validation.validate_password(first, self.password_user)
            except forms.ValidationError as error:
                self.add_error("password1", plain_password_message(error))
        return data


def _code_field(label: str = "Код из SMS") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=20,
        help_text=hint(f"{CODE_DIGITS} цифр из SMS."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
        error_messages={"required": "Введите код из SMS."},
    )


def _clean_code(value: str) -> str:
    code = clean_code(value)
    if len(code) != CODE_DIGITS:
        raise forms.ValidationError(f"Введите код из SMS: {CODE_DIGITS} цифр.")
    return code


class ResetRequestForm(forms.Form):
    login = forms.CharField(
        label="Номер лицевого счета или телефон",
        max_length=40,
        help_text=hint(
            "Номер лицевого счета есть в квитанции; телефон — тот, что указан в личном кабинете.",
            "На телефон из личного кабинета придёт SMS с кодом.",
        ),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
        error_messages={"required": "Укажите номер лицевого счета или телефон."},
    )

    def clean_login(self) -> str:
        value = normalize.clean_text(self.cleaned_data["login"])
        if not value or any(ord(ch) < 32 for ch in value):
            raise forms.ValidationError("Укажите номер лицевого счета, например 1000123456, или телефон.")
        return value


class ResetCodeForm(NewPasswordMixin, forms.Form):
    code = _code_field()
    password1, password2 = _new_password_fields()

    def __init__(self, *args, login: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The real user is checked after the code; here the login stands in for the username.
        self.password_user = User(username=normalize.account_number(login))

    def clean_code(self) -> str:
        return _clean_code(self.cleaned_data["code"])


class PasswordChangeForm(NewPasswordMixin, forms.Form):
    old_password = forms.CharField(
        label="Текущий пароль",
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Введите текущий пароль."},
    )
    password1, password2 = _new_password_fields()

    def __init__(self, *args, user: User, request: HttpRequest | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.password_user = user
        self.request = request

    def clean_old_password(self) -> str:
        value = self.cleaned_data["old_password"]
        check_current_password(
            user=self.password_user,
            password=value,
            request=self.request,
            message="Текущий пароль введён неверно.",
        )
        return value


class EmailForm(forms.Form):
    email = forms.EmailField(
        label="Адрес электронной почты",
        max_length=254,
        help_text=hint("Для писем управляющей компании и извещений о смене пароля."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": "Укажите адрес электронной почты.",
            "invalid": "Адрес электронной почты указан неверно. Пример: ivanov@mail.ru",
        },
    )


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label="Новый номер мобильного телефона",
        max_length=40,
        help_text=hint("На него придёт SMS с кодом: номер сменится, когда вы введёте код."),
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
        error_messages={"required": "Укажите новый номер мобильного телефона."},
    )

    def clean_phone(self) -> str:
        try:
            return normalize.phone_e164(self.cleaned_data["phone"])
        except normalize.InvalidPhone:
            raise forms.ValidationError(
                "Укажите номер мобильного телефона, например 8-912-345-67-89 или +7 912 345-67-89."
            ) from None


class PhoneCodeForm(forms.Form):
    code = _code_field("Код из SMS на новый номер")

    def clean_code(self) -> str:
        return _clean_code(self.cleaned_data["code"])


class NotificationsForm(forms.Form):
    reminder_channel = forms.ChoiceField(
        label="Напоминать о передаче показаний",
        choices=ReminderChannel.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Выберите, как напоминать.",
            "invalid_choice": "Выберите один из вариантов.",
        },
    )


class CloseCabinetForm(forms.Form):
    confirm = forms.BooleanField(
        label="Я понимаю, что личный кабинет будет закрыт, а мои данные удалены",
        error_messages={"required": "Отметьте, что вы понимаете последствия."},
    )
    password = forms.CharField(
        label="Пароль",
        strip=False,
        max_length=128,
        help_text=hint("Для подтверждения: что это действительно вы."),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Введите пароль."},
    )

    def __init__(self, *args, user: User, request: HttpRequest | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.request = request

    def clean_password(self) -> str:
        value = self.cleaned_data["password"]
        check_current_password(
            user=self.user, password=value, request=self.request, message="Пароль введён неверно."
        )
        return value
