import secrets

from django.conf import settings

# Digits that cannot be mistaken for letters or each other in a noisy picture (no 0/1/7),
# and that a phone's numeric keyboard types directly.
CAPTCHA_DIGITS = "2345689"


def digits_challenge() -> tuple[str, str]:
    text = "".join(secrets.choice(CAPTCHA_DIGITS) for _ in range(settings.CAPTCHA_LENGTH))
    return text, text
