"""The forms of «Заявка на регистрацию» and of «Код подтверждения», with the CAPTCHA."""

import copy

from captcha.fields import CaptchaField, CaptchaTextInput
from captcha.models import CaptchaStore
from django import forms
from django.conf import settings
from django.utils import timezone

from kabinet.core import ratelimit
from kabinet.core.models import User

from ..selectors import registration_state
from .fields import (
    ACCOUNT_NUMBER_INVALID,
    NewPasswordMixin,
    account_number_field,
    clean_account_number,
    clean_full_name,
    clean_phone,
    code_digits,
    code_field,
    email_field,
    full_name_field,
    hint,
    password_pair,
    phone_field,
)


class KabinetCaptchaInput(CaptchaTextInput):
    template_name = "residents/captcha_widget.html"
    use_fieldset = False  # one label for the one input a person types into


class OnceCaptchaField(CaptchaField):
    """A solved picture is good for one submission, even for simultaneous ones.

    django-simple-captcha reads the answer and deletes it after: two submissions sent at once
    with one solved picture both pass. Here the delete itself decides: only the one request that
    deleted the right answer passes. A wrong answer uses the picture up as well.
    """

    def clean(self, value):
        if settings.CAPTCHA_TEST_MODE:
            return super().clean(value)
        forms.MultiValueField.clean(self, value)  # required, and the two parts present
        key, response = value[0], (value[1] or "").strip().lower()
        value[1] = ""
        live = CaptchaStore.objects.filter(hashkey=key, expiration__gt=timezone.now())
        solved, _ = live.filter(response=response).delete()
        CaptchaStore.objects.filter(hashkey=key).delete()
        if not solved:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return value


class RegistrationForm(NewPasswordMixin, forms.Form):
    """«Заявка на регистрацию» with the seed's six fields, the CAPTCHA and both consents."""

    full_name = full_name_field(
        hint(
            "Фамилия, имя и отчество — как в квитанции.",
            "Требуется для идентификации ответственного квартиросъемщика.",
        )
    )
    account_number = account_number_field(
        hint(
            "например, 1000123456",
            "Позволяет сопоставить данные системы начислений и учета показаний приборов учета. "
            "Номер есть на бланке счета-квитанции.",
        ),
        "Укажите номер лицевого счета из квитанции.",
    )
    phone = phone_field(
        "Номер мобильного телефона",
        hint(
            "На данный номер вам будет направлен код для подтверждения регистрации",
            "Он же поможет восстановить пароль, в случае его утери.",
        ),
    )
    email = email_field(hint("Необходим для взаимодействия с администрацией управляющей компании."))
    password1, password2 = password_pair(
        "Пароль",
        hint(
            "Не короче 8 символов. Запомните или запишите его: он понадобится для входа.",
            "Обеспечит конфиденциальность Вашего доступа.",
        ),
    )
    captcha = OnceCaptchaField(
        label="Введите цифры с картинки",
        widget=KabinetCaptchaInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={
            "invalid": "Цифры с картинки введены неверно. Посмотрите на новую картинку и попробуйте ещё раз.",
            "required": "Введите цифры с картинки.",
        },
    )
    accept_policy = forms.BooleanField(
        label="Настоящее положение принимаю",
        error_messages={"required": "Чтобы отправить заявку, примите Положение о конфиденциальности."},
    )
    accept_consent = forms.BooleanField(
        label="Даю согласие на обработку персональных данных",
        error_messages={
            "required": "Чтобы отправить заявку, дайте согласие на обработку персональных данных."
        },
    )

    def clean_full_name(self) -> str:
        return clean_full_name(self.cleaned_data["full_name"])

    def clean_account_number(self) -> str:
        return clean_account_number(self.cleaned_data["account_number"], message=ACCOUNT_NUMBER_INVALID)

    def __init__(self, *args, ip: str | None = None, captcha_waived: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.ip = ip
        # The CAPTCHA was solved on the previous submission of this form (captcha.spend_retry).
        self.captcha_waived = captcha_waived
        self.rate_limited = False
        if captcha_waived:
            del self.fields["captcha"]

    @property
    def captcha_solved(self) -> bool:
        """Whether this submission got past the CAPTCHA (solved now, or on the one before)."""
        return self.captcha_waived or "captcha" in getattr(self, "cleaned_data", {})

    def waive_captcha(self) -> None:
        """Shown back after a solved CAPTCHA: the same data and errors, no picture this time."""
        self.captcha_waived = True
        self.fields.pop("captcha", None)

    def ask_captcha_again(self) -> None:
        """Shown back after the retry without the picture: a new picture to solve."""
        self.captcha_waived = False
        self.fields["captcha"] = copy.deepcopy(self.base_fields["captcha"])

    def keep_passwords(self) -> None:
        """Sent back for another field's error, two good equal passwords are kept in the form
        rather than typed again (the page is never cached: the view says so)."""
        if self.is_bound and not ({"password1", "password2"} & set(self.errors)):
            for name in ("password1", "password2"):
                self.fields[name].widget.render_value = True

    def _refuse_taken_account(self) -> None:
        """Says when the account is already registered or its code is on the way (issue 2 chose
        to tell the applicant). Only behind a solved CAPTCHA, so that numbers cannot be probed for
        free, and each solved CAPTCHA counts against the registrations from its IP, counted
        before the account is looked at. A request still waiting for an operator does not stop
        the form: submit_registration decides (a request that matches the billing data in full
        goes ahead of one that does not)."""
        value = self.cleaned_data.get("account_number")
        if not value or not self.captcha_solved:
            return
        try:
            ratelimit.hit(("register_ip", self.ip or "-"))
        except ratelimit.RateLimited as refusal:
            self.rate_limited = True  # no retry without the picture while the limit holds
            self.add_error(None, refusal.message)
            return
        state = registration_state(value)
        if state == "registered":
            self.add_error(
                "account_number",
                "Этот лицевой счёт уже зарегистрирован в личном кабинете. Войдите с его номером и паролем "
                "или восстановите пароль по ссылке «Забыли пароль?».",
            )
        if state == "approved":
            self.add_error(
                "account_number",
                "По этому лицевому счёту заявка уже одобрена: введите код из SMS на странице «Код "
                "подтверждения».",
            )

    def clean_phone(self) -> str:
        return clean_phone(self.cleaned_data["phone"])

    def clean(self) -> dict:
        self._refuse_taken_account()
        return super().clean()  # then the passwords (NewPasswordMixin)

    @property
    def password_user(self) -> User:
        """A stand-in user, so that the similarity check compares with the name, number and e-mail."""
        probe = User(
            username=self.cleaned_data.get("account_number", ""),
            first_name=self.cleaned_data.get("full_name", ""),
            email=self.cleaned_data.get("email", ""),
        )
        probe.phone = self.cleaned_data.get("phone", "")
        return probe


class CodeForm(forms.Form):
    """«Код подтверждения» from the SMS, for the request of this account number."""

    account_number = account_number_field(
        hint("Тот же, что в заявке на регистрацию."), "Укажите номер лицевого счета из заявки."
    )
    # Not required here: «Получить новый код» sends this form without it.
    code = code_field("Код подтверждения", required=False)

    def clean_account_number(self) -> str:
        return clean_account_number(
            self.cleaned_data["account_number"],
            message="Номер лицевого счета указан неверно. Перепишите его из квитанции.",
        )

    def require_code(self) -> str | None:
        """The code, when it looks like one; otherwise the error is put beside the field."""
        try:
            return code_digits(self.cleaned_data.get("code", ""))
        except forms.ValidationError as error:
            self.add_error("code", error)
            return None
