"""One-time codes: 6 random digits, kept only as a keyed hash (NIST SP 800-63B)."""

import secrets

from django.utils.crypto import constant_time_compare, salted_hmac

from kabinet.core import normalize

CODE_DIGITS = 6


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def code_hash(*, purpose: str, phone: str, code: str) -> str:
    # Keyed with SECRET_KEY: a stolen database alone does not reveal the codes by brute force.
    return salted_hmac("kabinet.residents.code", f"{purpose}:{phone}:{code}", algorithm="sha256").hexdigest()


def code_matches(*, purpose: str, phone: str, code: str, expected_hash: str) -> bool:
    return constant_time_compare(code_hash(purpose=purpose, phone=phone, code=code), expected_hash)


def clean_code(value: str) -> str:
    """Digits only: people type «123 456» or «123-456» from the SMS."""
    return "".join(ch for ch in value if ch.isdigit())


def login_digest(login: str) -> str:
    """The keyed digest that finds the decoy code of a login without a cabinet again."""
    return salted_hmac(
        "kabinet.residents.reset-login", normalize.login_key(login), algorithm="sha256"
    ).hexdigest()
