"""Forms of the profile's own settings: the accounts, the e-mail, the reminders, closing the cabinet."""

from django import forms
from django.http import HttpRequest

from kabinet.core.models import User
from kabinet.core.signin import check_current_password

from ..models import ReminderChannel
from .fields import (
    ACCOUNT_NUMBER_INVALID,
    account_number_field,
    clean_account_number,
    clean_full_name,
    email_field,
    full_name_field,
    hint,
)


class AddAccountForm(forms.Form):
    """«Подключить ещё один лицевой счёт»: checked as a registration is, by the number and the ФИО."""

    account_number = account_number_field(
        hint("например, 1000123456", "Номер есть на бланке счета-квитанции."),
        "Укажите номер лицевого счета из квитанции.",
    )
    full_name = full_name_field(
        hint(
            "Фамилия, имя и отчество ответственного квартиросъёмщика — как в квитанции по этому счёту.",
        )
    )

    def clean_account_number(self) -> str:
        return clean_account_number(self.cleaned_data["account_number"], message=ACCOUNT_NUMBER_INVALID)

    def clean_full_name(self) -> str:
        return clean_full_name(self.cleaned_data["full_name"])


class EmailForm(forms.Form):
    email = email_field(hint("Для писем управляющей компании и извещений о смене пароля."))


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
