import copy
import re

from captcha.fields import CaptchaField, CaptchaTextInput
from captcha.models import CaptchaStore
from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django.utils.html import format_html

from kabinet.core import normalize, ratelimit
from kabinet.core.models import User
from kabinet.core.signin import GuardedLoginMixin, holder_of_username

from .codes import CODE_DIGITS, clean_code
from .selectors import find_resident, registration_state
from .validators import plain_password_message

LOGIN_HINT = "Логин обычно совпадает с номером лицевого счета"
NAME_RE = re.compile(r"^[A-Za-zА-Яа-яЁё][A-Za-zА-Яа-яЁё' .\-‐–]*$")


def hint(text: str, purpose: str = "") -> str:
    """The seed's hint under a field, and why we ask for it."""
    if not purpose:
        return format_html('<span class="hint">{}</span>', text)
    return format_html('<span class="hint">{}</span> <span class="purpose">{}</span>', text, purpose)


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


class RegistrationForm(forms.Form):
    """«Заявка на регистрацию» with the seed's six fields, the CAPTCHA and both consents."""

    full_name = forms.CharField(
        label="ФИО",
        max_length=200,
        help_text=hint(
            "Фамилия, имя и отчество — как в квитанции.",
            "Требуется для идентификации ответственного квартиросъемщика.",
        ),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": "Укажите фамилию, имя и отчество."},
    )
    account_number = forms.CharField(
        label="Номер лицевого счета",
        max_length=40,
        help_text=hint(
            "например, 1000123456",
            "Позволяет сопоставить данные системы начислений и учета показаний приборов учета. "
            "Номер есть на бланке счета-квитанции.",
        ),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"required": "Укажите номер лицевого счета из квитанции."},
    )
    phone = forms.CharField(
        label="Номер мобильного телефона",
        max_length=40,
        help_text=hint(
            "На данный номер вам будет направлен код для подтверждения регистрации",
            "Он же поможет восстановить пароль, в случае его утери.",
        ),
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
        error_messages={"required": "Укажите номер мобильного телефона."},
    )
    email = forms.EmailField(
        label="Адрес электронной почты",
        max_length=254,
        help_text=hint("Необходим для взаимодействия с администрацией управляющей компании."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": "Укажите адрес электронной почты.",
            "invalid": "Адрес электронной почты указан неверно. Пример: ivanov@mail.ru",
        },
    )
    password1 = forms.CharField(
        label="Пароль",
        strip=False,
        max_length=128,
        help_text=hint(
            "Не короче 8 символов. Запомните или запишите его: он понадобится для входа.",
            "Обеспечит конфиденциальность Вашего доступа.",
        ),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Придумайте пароль."},
    )
    password2 = forms.CharField(
        label="Пароль (повторно)",
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Введите пароль ещё раз."},
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
        value = normalize.clean_text(self.cleaned_data["full_name"])
        if not NAME_RE.match(value) or len(value.split()) < 2:
            raise forms.ValidationError(
                "Укажите фамилию, имя и отчество буквами, как в квитанции: например, Иванов Иван Иванович."
            )
        return value

    def clean_account_number(self) -> str:
        value = normalize.account_number(self.cleaned_data["account_number"])
        if not normalize.is_valid_account_number(value):
            raise forms.ValidationError(
                "Номер лицевого счета указан неверно. Перепишите его из квитанции, например 1000123456."
            )
        return value

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
        try:
            return normalize.phone_e164(self.cleaned_data["phone"])
        except normalize.InvalidPhone:
            raise forms.ValidationError(
                "Укажите номер мобильного телефона, например 8-912-345-67-89 или +7 912 345-67-89."
            ) from None

    def clean(self) -> dict:
        data = super().clean()
        self._refuse_taken_account()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", "Пароли не совпадают. Введите один и тот же пароль дважды.")
        elif first:
            self._validate_password(first)
        return data

    def _validate_password(self, password: str) -> None:
        # A stand-in user, so that the similarity check compares with the name, number and e-mail.
        probe = User(
            username=self.cleaned_data.get("account_number", ""),
            first_name=self.cleaned_data.get("full_name", ""),
            email=self.cleaned_data.get("email", ""),
        )
        probe.phone = self.cleaned_data.get("phone", "")
        try:
            password_validation.validate_password(password, probe)
        except forms.ValidationError as error:
            self.add_error("password1", plain_password_message(error))


class CodeForm(forms.Form):
    """«Код подтверждения» from the SMS, for the request of this account number."""

    account_number = forms.CharField(
        label="Номер лицевого счета",
        max_length=40,
        help_text=hint("Тот же, что в заявке на регистрацию."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"required": "Укажите номер лицевого счета из заявки."},
    )
    code = forms.CharField(
        label="Код подтверждения",
        max_length=20,
        required=False,
        help_text=hint("6 цифр из SMS."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )

    def clean_account_number(self) -> str:
        value = normalize.account_number(self.cleaned_data["account_number"])
        if not normalize.is_valid_account_number(value):
            raise forms.ValidationError("Номер лицевого счета указан неверно. Перепишите его из квитанции.")
        return value

    def require_code(self) -> str | None:
        """The code, when it looks like one; otherwise the error is put beside the field."""
        code = clean_code(self.cleaned_data.get("code", ""))
        if len(code) != CODE_DIGITS:
            self.add_error("code", f"Введите код из SMS: {CODE_DIGITS} цифр.")
            return None
        return code
