from django import forms
from django.contrib.auth.forms import AuthenticationForm

LOGIN_HINT = "Логин обычно совпадает с номером лицевого счета"


class LoginForm(AuthenticationForm):
    """«Вход в личный кабинет»: the account number and the password."""

    error_messages = {
        "invalid_login": "Неверный логин или пароль. Проверьте номер лицевого счёта и пароль.",
        "inactive": "Этот личный кабинет закрыт. Обратитесь в управляющую компанию.",
    }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Логин"
        self.fields["username"].help_text = LOGIN_HINT
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "inputmode": "text"})
        self.fields["password"].label = "Пароль"
