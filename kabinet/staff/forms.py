from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm

from kabinet.core.signin import GuardedLoginMixin


class StaffLoginForm(GuardedLoginMixin, AdminAuthenticationForm):
    """The back-office's password step, behind the same limits as the cabinet's log-in."""


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Код",
        max_length=20,
        help_text="6 цифр из приложения-аутентификатора или резервный код из списка.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "autofocus": True}
        ),
        error_messages={"required": "Введите код."},
    )
