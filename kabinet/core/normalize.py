"""One place that decides when two spellings mean the same thing.

Used by registration matching and by billing imports alike, so that a name or an account
number typed by a resident compares equal to the one 1C exported.
"""

import re
import unicodedata

import phonenumbers

_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
_IGNORED_IN_NAMES = re.compile("[\\s" + re.escape(_DASHES) + ".]+")
_SPACES = re.compile(r"\s+")
ACCOUNT_NUMBER_RE = re.compile(r"[0-9A-ZА-ЯЁ/-]{1,30}")


class InvalidPhone(ValueError):
    """The text is not a Russian mobile phone number."""


def clean_text(value: str) -> str:
    """A name or address as it should be stored: single spaces, no edges."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()


def name_key(full_name: str) -> str:
    """The form of a full name used for comparison.

    Letter case, «ё/е», spaces, hyphens and dots do not matter: «Салтыков-Щедрин  Михаил» and
    «салтыков щедрин михаил» are one person for the billing system.
    """
    value = unicodedata.normalize("NFC", full_name).casefold().replace("ё", "е")
    return _IGNORED_IN_NAMES.sub("", value)


def names_match(a: str, b: str) -> bool:
    return bool(name_key(a)) and name_key(a) == name_key(b)


def account_number(value: str) -> str:
    """The account number without the spaces people type into it, letters upper-case."""
    return re.sub(r"\s+", "", value).upper()


def login_key(login: str) -> str:
    """One spelling per login, for limits and the log: the phone in E.164 or the account number
    (a staff username upper-cased, like an account number)."""
    try:
        return phone_e164(login)
    except InvalidPhone:
        return account_number(login)[:40]


def is_valid_account_number(value: str) -> bool:
    return bool(ACCOUNT_NUMBER_RE.fullmatch(value))


def phone_e164(value: str, *, mobile_only: bool = True) -> str:
    """+79123456789 from the ways people write it: 8-912-345-67-89, +7 (912) 345-67-89, 9123456789."""
    text = value.strip()
    digits = re.sub(r"\D", "", text)
    if len(digits) == 10 and not text.startswith("+"):
        text = "+7" + digits  # «912 345-67-89» without the trunk prefix
    try:
        number = phonenumbers.parse(text, "RU")
    except phonenumbers.NumberParseException:
        raise InvalidPhone(value) from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone(value)
    if mobile_only and phonenumbers.number_type(number) not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        raise InvalidPhone(value)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_display(e164: str) -> str:
    """+7 912 345-67-89, for pages and the back-office."""
    try:
        number = phonenumbers.parse(e164, "RU")
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def phone_masked(e164: str) -> str:
    """+7 912 ***-**-89: enough for the owner to recognise, not enough for a stranger."""
    shown = phone_display(e164)
    if len(shown) < 6:
        return shown
    return shown[:6] + re.sub(r"\d", "*", shown[6:-2]) + shown[-2:]
