"""App tokens: sign-in by password or by an SMS code, revocation, what the app has read.

Sign-in goes through the web forms' limits and lock-outs (kabinet.core.signin, kabinet.core.
ratelimit, the one-time codes of kabinet/residents/services/codes.py), so an app is no easier a
road for guessing passwords or codes than the login page.
"""

from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from kabinet.audit.models import AuditEntry
from kabinet.audit.services import record
from kabinet.core import normalize, ratelimit
from kabinet.core.clientip import client_ip
from kabinet.core.errors import Refusal
from kabinet.core.signin import guarded, holder_of_username
from kabinet.messaging import limits
from kabinet.messaging.services import send_sms
from kabinet.residents import codes as code_digits
from kabinet.residents.models import ConfirmationCode, Resident
from kabinet.residents.selectors import find_resident
from kabinet.residents.services.codes import CodeOutcome, issue_code, try_code

from . import tokens
from .models import ApiToken, AppealRead

APP_SIGNIN = ConfirmationCode.Purpose.APP_SIGNIN
INVALID_LOGIN = "Неверный логин или пароль. Проверьте номер лицевого счёта (или телефон) и пароль."
CODE_WRONG = "Код неверный или устарел. Проверьте цифры в SMS или запросите новый код."
CODE_EXHAUSTED = "Код введён неверно слишком много раз. Запросите новый код."
DECOY_PHONE = "+70000000000"
# At most one write a minute per token for «last used»: the readings' peak is not a write per request.
TOUCH_EVERY = timedelta(minutes=1)


class ApiRefusal(Refusal):
    """A sign-in refused: `code` for the app, `message` for the person, `field` where."""

    def __init__(self, message: str, field: str | None = None, *, code: str, status: int = 400) -> None:
        super().__init__(message, field, code=code)
        self.status = status


def sign_in_with_password(*, login: str, password: str, device_name: str, request: HttpRequest) -> tuple:
    """The account number (or the cabinet's phone) and the password give a token for the device.

    Counted on the login, the cabinet and the IP exactly as the login form counts, before the
    password is checked. Returns (ApiToken, the token in clear: shown once, never stored)."""
    resident = find_resident(login)
    username = resident.user.get_username() if resident else login
    holder = f"user:{resident.user_id}" if resident else holder_of_username(login)

    def check() -> Resident:
        user = authenticate(request, username=username, password=password)
        found = getattr(user, "resident", None) if user is not None else None
        if found is None:  # a wrong password, or a member of staff: apps are for residents
            raise forms.ValidationError(INVALID_LOGIN, code="invalid_login")
        return found

    try:
        signed_in = guarded(check, request=request, login=login, holder=holder)
    except forms.ValidationError as error:
        status = 429 if error.code == "locked" else 400
        raise ApiRefusal(error.messages[0], None, code=error.code or "invalid_login", status=status) from None
    return issue_token(resident=signed_in, device_name=device_name, how="password", ip=client_ip(request))


def request_signin_code(*, login: str, ip: str | None) -> None:
    """A sign-in code by SMS to the cabinet's phone. Says nothing of whether the login exists: a
    login without a cabinet gets a decoy code, as «Забыли пароль?» does."""
    try:
        limits.refuse_if_cap_reached()
        ratelimit.hit_sms(ip=ip, account=normalize.login_key(login))
    except ratelimit.RateLimited as refusal:
        raise ApiRefusal(refusal.message, code="rate_limited", status=429) from None
    _issue_signin_code(login=login)


@transaction.atomic
def _issue_signin_code(*, login: str) -> None:
    resident = find_resident(login)
    # Decoys of logins without a cabinet are kept a day, as «Забыли пароль?» keeps its own.
    ConfirmationCode.objects.filter(
        purpose=APP_SIGNIN, resident=None, expires_at__lt=timezone.now() - timedelta(days=1)
    ).delete()
    digest = "" if resident else code_digits.login_digest(login)
    phone = resident.phone if resident else ""
    minutes = settings.PASSWORD_RESET_CODE_TTL_MINUTES
    _, code = issue_code(
        purpose=APP_SIGNIN,
        phone=phone,
        lifetime=timedelta(minutes=minutes),
        resident=resident,
        login_digest=digest,
    )
    try:
        ratelimit.hit(("sms_phone", phone or f"decoy:{digest}"))
    except ratelimit.RateLimited:
        return  # refusing aloud would tell that the login has a cabinet; the phone is spared
    text = (
        f"Код для входа в приложение личного кабинета: {code}. Никому не сообщайте код. "
        f"Действует {minutes} мин."
    )
    if resident is None:
        with transaction.atomic():  # the decoy's SMS is written and rolled back: it takes as long
            send_sms(phone=DECOY_PHONE, text=text, sensitive=True)
            transaction.set_rollback(True)
        return
    send_sms(phone=phone, text=text, sensitive=True)


def sign_in_with_code(*, login: str, code: str, device_name: str, ip: str | None) -> tuple:
    """The code from the SMS gives a token; 5 attempts per code, and the IP's guesses counted."""
    try:
        ratelimit.hit(("code_ip", ip or "-"))
    except ratelimit.RateLimited as refusal:
        raise ApiRefusal(refusal.message, "code", code="rate_limited", status=429) from None
    resident = find_resident(login)
    found = ConfirmationCode.objects.filter(purpose=APP_SIGNIN)
    if resident is not None:
        candidates = found.filter(resident=resident)
    else:
        candidates = found.filter(resident=None, login_digest=code_digits.login_digest(login))
    with transaction.atomic():
        outcome, left = try_code(candidates, code_digits.clean_code(code))
        if outcome is CodeOutcome.OK and resident is not None:
            return issue_token(resident=resident, device_name=device_name, how="sms", ip=ip)
    if outcome is CodeOutcome.EXHAUSTED:
        raise ApiRefusal(CODE_EXHAUSTED, "code", code="code_exhausted")
    message = CODE_WRONG + (f" Осталось попыток: {left}." if outcome is CodeOutcome.WRONG and left else "")
    raise ApiRefusal(message, "code", code="code_wrong")


@transaction.atomic
def issue_token(*, resident: Resident, device_name: str, how: str, ip: str | None) -> tuple:
    raw = tokens.new_token()
    token = ApiToken.objects.create(
        resident=resident,
        name=normalize.clean_text(device_name)[:100] or "Приложение",
        key_hash=tokens.token_hash(raw),
        prefix=raw[: len(tokens.PREFIX) + 4],
        auth_mark=tokens.auth_mark(resident.user),
        how=how,
        created_ip=ip,
    )
    # Beyond the limit the longest unused token goes: an app reinstalled every day leaves no pile.
    live = ApiToken.objects.filter(resident=resident, revoked_at=None).order_by(
        "-last_used_at", "-created_at"
    )
    extra = list(live.values_list("pk", flat=True)[settings.API_TOKENS_PER_RESIDENT :])
    if extra:
        ApiToken.objects.filter(pk__in=extra).update(revoked_at=timezone.now())
    record(
        action=AuditEntry.Action.APP_SIGNED_IN,
        actor=resident.user,
        ip=ip,
        target=resident.full_name,
        details={"device": token.name, "how": how},
    )
    return token, raw


@transaction.atomic
def revoke_token(*, token: ApiToken, ip: str | None) -> None:
    """The token ends at once: its app's next request is refused."""
    if ApiToken.objects.filter(pk=token.pk, revoked_at=None).update(revoked_at=timezone.now()):
        record(
            action=AuditEntry.Action.APP_REVOKED,
            actor=token.resident.user,
            ip=ip,
            target=token.resident.full_name,
            details={"device": token.name},
        )


def touch(token: ApiToken, *, ip: str | None) -> None:
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_ip=ip)
        token.last_used_at = now


def mark_news_read(*, token: ApiToken) -> None:
    now = timezone.now()
    ApiToken.objects.filter(pk=token.pk).update(news_read_at=now)
    token.news_read_at = now


def mark_appeal_read(*, token: ApiToken, appeal) -> None:
    AppealRead.objects.update_or_create(token=token, appeal=appeal, defaults={"read_at": timezone.now()})
