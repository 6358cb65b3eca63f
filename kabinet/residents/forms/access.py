"""Forms of signing in, «Забыли пароль?» and the profile's password and phone, with the messages
shown beside their fields."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest

from kabinet.core import normalize
from kabinet.core.models import User
from kabinet.core.signin import GuardedLoginMixin, check_current_password, holder_of_username

from ..selectors import find_resident
from .fields import NewPasswordMixin, clean_phone, code_digits, code_field, hint, password_pair, phone_field

LOGIN_HINT = "Логин обычно совпадает с номером лицевого счета"
PASSWORD_HINT = "Не короче 8 символов. Не используйте номер лицевого счёта, телефон или имя."


class LoginForm(GuardedLoginMixin, AuthenticationForm):
    """«Вход в личный кабинет»: the account number and the password."""

    error_messages = {
        "invalid_login": "Неверный логин или пароль. Проверьте номер лицевого счёта и пароль.",
        "inactive": "Этот личный кабинет закрыт. Обратитесь в управляющую компанию.",
    }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Логин"
        self.fields["username"].help_text = LOGIN_HINT
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autocapitalize": "none"})
        self.fields["username"].error_messages["required"] = "Введите логин — номер лицевого счёта."
        self.fields["password"].label = "Пароль"
        self.fields["password"].error_messages["required"] = "Введите пароль."

    def holder(self, username: str) -> str:
        """The cabinet behind the login: its account numbers and phone share one count."""
        resident = find_resident(username)
        return f"user:{resident.user_id}" if resident else holder_of_username(username)


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
    code = code_field()
    password1, password2 = password_pair("Новый пароль", hint(PASSWORD_HINT))

    def __init__(self, *args, login: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The real user is checked after the code; here the login stands in for the username.
        self.password_user = User(username=normalize.account_number(login))

    def clean_code(self) -> str:
        return code_digits(self.cleaned_data["code"])


class PasswordChangeForm(NewPasswordMixin, forms.Form):
    old_password = forms.CharField(
        label="Текущий пароль",
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Введите текущий пароль."},
    )
    password1, password2 = password_pair("Новый пароль", hint(PASSWORD_HINT))

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


class PhoneForm(forms.Form):
    phone = phone_field(
        "Новый номер мобильного телефона",
        hint("На него придёт SMS с кодом: номер сменится, когда вы введёте код."),
    )

    def clean_phone(self) -> str:
        return clean_phone(self.cleaned_data["phone"])


class PhoneCodeForm(forms.Form):
    code = code_field("Код из SMS на новый номер")

    def clean_code(self) -> str:
        return code_digits(self.cleaned_data["code"])
