import secrets

from captcha.models import CaptchaStore
from django.conf import settings
from django.utils import timezone

# Digits that cannot be mistaken for letters or each other in a noisy picture (no 0/1/7),
# and that a phone's numeric keyboard types directly.
CAPTCHA_DIGITS = "2345689"


def digits_challenge() -> tuple[str, str]:
    text = "".join(secrets.choice(CAPTCHA_DIGITS) for _ in range(settings.CAPTCHA_LENGTH))
    return text, text


# A CAPTCHA solved on a form that came back for other errors is not asked again on the very next
# submission of that form in the same session: one retry, not a free pass. The retry is a row of
# the CAPTCHA store with a secret answer that only the session holds; deleting it decides, as for
# a picture (OnceCaptchaField), so two submissions sent at once cannot both spend it.
RETRY_SESSION_KEY = "registration_captcha_retry"
RETRY_CHALLENGE = "retry"


def grant_retry(session) -> None:
    entry = CaptchaStore.objects.create(
        challenge=RETRY_CHALLENGE, response=secrets.token_hex(16), hashkey=secrets.token_hex(20)
    )
    session[RETRY_SESSION_KEY] = [entry.hashkey, entry.response]


def spend_retry(session) -> bool:
    """True once for a granted retry: the submission goes without the picture."""
    held = session.pop(RETRY_SESSION_KEY, None)
    if not held:
        return False
    key, response = held
    live = CaptchaStore.objects.filter(expiration__gt=timezone.now(), challenge=RETRY_CHALLENGE)
    spent, _ = live.filter(hashkey=key, response=response).delete()
    return bool(spent)
