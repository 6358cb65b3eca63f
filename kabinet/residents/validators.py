"""A password must not be guessable from what is printed on the receipt or known about the person."""

import re
from difflib import SequenceMatcher

from django.core.exceptions import ValidationError

from kabinet.core.normalize import account_number

MIN_DIGITS = 6  # shorter digit runs (a year, a flat number) are not what this check is for
MAX_SIMILARITY = 0.7


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


def _too_close(password: str, secret: str) -> bool:
    if len(secret) < MIN_DIGITS:
        return False
    digits = _digits(password)
    core = secret[-10:]  # a phone in any spelling: +7 912…, 8 912…, 912…
    if core in digits or (len(digits) >= MIN_DIGITS and digits in secret):
        return True
    return SequenceMatcher(None, digits, secret).ratio() >= MAX_SIMILARITY and len(digits) >= MIN_DIGITS


class AccountDataSimilarityValidator:
    """Refuses a password built from the account number or the phone.

    Reads from the user: `username` and the numbers of the resident's accounts, the resident's
    phone; forms that check a password before the user exists set `account_numbers` and `phone`
    on a stand-in user.
    """

    def validate(self, password: str, user=None) -> None:
        if user is None:
            return
        numbers, phone = self._account_numbers(user), self._phone(user)
        if any(_too_close(password, _digits(n)) for n in numbers if n):
            raise ValidationError(
                "Пароль слишком похож на номер лицевого счёта: его знает любой, кто видел квитанцию. "
                "Придумайте другой.",
                code="password_like_account",
            )
        if phone and _too_close(password, _digits(phone)):
            raise ValidationError(
                "Пароль слишком похож на номер телефона. Придумайте другой.", code="password_like_phone"
            )

    def _account_numbers(self, user) -> list[str]:
        numbers = [account_number(getattr(user, "username", "") or "")]
        numbers += list(getattr(user, "account_numbers", []))
        resident = getattr(user, "resident", None) if user.pk else None
        if resident is not None:
            numbers += [link.account.number for link in resident.account_links.select_related("account")]
        return numbers

    def _phone(self, user) -> str:
        phone = getattr(user, "phone", "")
        if not phone and user.pk:
            resident = getattr(user, "resident", None)
            phone = resident.phone if resident else ""
        return phone

    def get_help_text(self) -> str:
        return "Пароль не должен повторять номер лицевого счёта или телефона."


# One plain sentence for a refused password, whichever validators refused it: the resident reads
# what to do, not three stacked messages in Django's words («…похож на имя пользователя»).
# The first code found in this order decides which sentence is shown.
PLAIN_PASSWORD_MESSAGES = (
    ("password_too_short", "Пароль слишком короткий: придумайте пароль не короче 8 символов."),
    ("password_like_account", "Пароль похож на номер лицевого счёта, его знает любой, кто видел квитанцию. "
     "Придумайте другой."),
    ("password_like_phone", "Пароль похож на номер телефона. Придумайте другой."),
    ("password_too_similar", "Пароль похож на ваше имя или адрес почты. Придумайте другой."),
    ("password_entirely_numeric", "Пароль из одних цифр легко подобрать. Добавьте в него буквы."),
    ("password_too_common", "Такой пароль легко угадать: он есть в списках частых паролей. "
     "Придумайте другой."),
)  # fmt: skip


def plain_password_message(error: ValidationError) -> str:
    """The one sentence shown beside the password field for the validators' refusal."""
    codes = {item.code for item in error.error_list}
    for code, message in PLAIN_PASSWORD_MESSAGES:
        if code in codes:
            return message
    return "Этот пароль не подходит. Придумайте другой: не короче 8 символов, с буквами и цифрами."
