"""Access to a cabinet after registration: password reset by SMS, the password, the phone, sessions.

One function per use case and one transaction each, like registration.py; SMS and e-mail go through
the outbox inside it and every action leaves an audit entry. Each use case first passes the
limits (kabinet.core.ratelimit), outside its transaction so that a refusal's count stays
counted, and raises RateLimited with the refusal to show; the per-phone limit on reset must not
show, and is kept inside.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from kabinet.audit.models import AuditEntry
from kabinet.audit.services import record
from kabinet.core import normalize, ratelimit
from kabinet.core.errors import Refusal
from kabinet.messaging import limits
from kabinet.messaging.services import send_email, send_sms
from kabinet.messaging.sms import first_that_fits

from .. import codes, selectors
from ..models import ConfirmationCode, Resident
from ..validators import plain_password_message
from .codes import CodeOutcome, issue_code, try_code

Purpose = ConfirmationCode.Purpose
RESET_WRONG = "Код неверный или устарел. Проверьте цифры в SMS или запросите новый код."
RESET_EXHAUSTED = "Код введён неверно слишком много раз. Запросите новый код."
DECOY_PHONE = "+70000000000"


class AccessError(Refusal):
    """A password reset, a phone change or a sign-in refused: shown beside `field`."""


def request_password_reset(*, login: str, ip: str | None) -> None:
    """«Забыли пароль?»: a code to the phone on file. Says nothing of whether the login exists.

    The limits that may refuse aloud (the daily cap, SMS per IP and per login typed) are the same
    for every login. A login without a cabinet then gets a decoy code, revoked and replaced by the
    same statements as a real one, so that what follows (wrong codes, exhausted attempts, expiry)
    answers alike.
    """
    limits.refuse_if_cap_reached()
    ratelimit.hit_sms(ip=ip, account=normalize.login_key(login))
    _issue_reset_code(login=login, ip=ip)


@transaction.atomic
def _issue_reset_code(*, login: str, ip: str | None) -> None:
    resident = selectors.find_resident(login)
    record(
        action=AuditEntry.Action.RESET_REQUESTED,
        ip=ip,
        target=normalize.login_key(login),
        details={"cabinet_found": resident is not None},
    )
    minutes = settings.PASSWORD_RESET_CODE_TTL_MINUTES
    # Both roads run the same statements as far as they can, so that the time of the answer
    # does not tell a real cabinet from a made-up login either (bench/reset_timing.py).
    ConfirmationCode.objects.filter(
        purpose=Purpose.PASSWORD_RESET, resident=None, expires_at__lt=timezone.now() - timedelta(days=1)
    ).delete()
    digest = "" if resident else codes.login_digest(login)
    phone = resident.phone if resident else ""
    _, code = issue_code(
        purpose=Purpose.PASSWORD_RESET,
        phone=phone,
        lifetime=timedelta(minutes=minutes),
        resident=resident,
        login_digest=digest,
    )
    try:
        ratelimit.hit(("sms_phone", phone or f"decoy:{digest}"))
    except ratelimit.RateLimited:
        # Refusing aloud would tell that this login has a cabinet. The new code still replaces the
        # old one, as the decoy does, but the phone's owner is spared another SMS.
        return
    page = settings.SITE_URL.split("://", 1)[-1] + reverse("residents:password_reset_code")
    text = first_that_fits(
        f"Код для восстановления пароля: {code}. Никому не сообщайте код. Введите за {minutes} мин на {page}",
        f"Код для восстановления пароля: {code}, никому не сообщайте код. {page}",
    )
    if resident is None:
        # The decoy's SMS: written as a real one, to a phone nobody has, and rolled back at once,
        # so that it takes as long and nothing of it stays (not even its place under the cap).
        with transaction.atomic():
            send_sms(phone=DECOY_PHONE, text=text, sensitive=True)
            transaction.set_rollback(True)
        return
    send_sms(phone=phone, text=text, sensitive=True)


def reset_password(*, login: str, code: str, password: str, ip: str | None) -> Resident:
    """The right code and a good new password: the password is replaced, other sessions end.

    A login without a cabinet has only its decoy code, which nothing matches: the answers, and
    the attempts they use, are those of a real cabinet's code. Every entry also counts against
    the code guesses from its IP, all codes together.
    """
    ratelimit.hit(("code_ip", ip or "-"))
    resident = selectors.find_resident(login)
    with transaction.atomic():
        outcome, _ = try_code(selectors.reset_codes(login, resident), codes.clean_code(code))
        if outcome is CodeOutcome.OK and resident is not None:
            _validate_password(password, resident)  # a refusal here rolls back the code's use
            _set_password(resident, password, ip=ip, action=AuditEntry.Action.PASSWORD_RESET)
            return resident
    raise AccessError(RESET_EXHAUSTED if outcome is CodeOutcome.EXHAUSTED else RESET_WRONG, field="code")


def _validate_password(password: str, resident: Resident) -> None:
    try:
        password_validation.validate_password(password, resident.user)
    except ValidationError as error:
        raise AccessError(plain_password_message(error), field="password1") from None


def _set_password(resident: Resident, password: str, *, ip: str | None, action: str) -> None:
    user = resident.user
    # A new password changes the session hash: every session opened with the old one ends.
    user.set_password(password)
    user.save(update_fields=["password"])
    record(action=action, actor=user, ip=ip, target=resident.full_name)
    if user.email:
        send_email(
            to=user.email,
            template="password-changed",
            context={"resident": resident, "reset": action == AuditEntry.Action.PASSWORD_RESET, "ip": ip},
        )


@transaction.atomic
def change_password(*, resident: Resident, password: str, ip: str | None) -> None:
    """Profile: a new password (the form has checked the current one)."""
    _validate_password(password, resident)
    _set_password(resident, password, ip=ip, action=AuditEntry.Action.PASSWORD_CHANGED)


def request_phone_change(*, resident: Resident, phone: str, ip: str | None) -> None:
    """A code to the new phone; the phone on file changes only when it comes back."""
    if phone == resident.phone:
        raise AccessError("Этот номер уже указан в вашем кабинете.", field="phone")
    limits.refuse_if_cap_reached()
    numbers = ",".join(selectors.account_numbers(resident))
    ratelimit.hit_sms(ip=ip, phone=phone, account=numbers)
    _send_phone_code(resident=resident, phone=phone, ip=ip)


@transaction.atomic
def _send_phone_code(*, resident: Resident, phone: str, ip: str | None) -> None:
    minutes = settings.PHONE_CODE_TTL_MINUTES
    _, code = issue_code(
        purpose=Purpose.PHONE_CHANGE, phone=phone, lifetime=timedelta(minutes=minutes), resident=resident
    )
    send_sms(
        phone=phone,
        text=f"Код для смены телефона в личном кабинете: {code}. Никому не сообщайте код. "
        f"Действует {minutes} мин.",
        sensitive=True,
    )
    record(
        action=AuditEntry.Action.PHONE_CHANGE_REQUESTED,
        actor=resident.user,
        ip=ip,
        target=resident.full_name,
        details={"new_phone": normalize.phone_masked(phone)},
    )


def confirm_phone_change(*, resident: Resident, code: str, ip: str | None) -> str:
    ratelimit.hit(("code_ip", ip or "-"))
    with transaction.atomic():
        phone = selectors.pending_phone(resident)
        outcome, left = try_code(resident.codes.filter(purpose=Purpose.PHONE_CHANGE), codes.clean_code(code))
        if outcome is CodeOutcome.OK and phone:
            old = resident.phone
            resident.phone = phone
            resident.save(update_fields=["phone"])
            record(
                action=AuditEntry.Action.PHONE_CHANGED,
                actor=resident.user,
                ip=ip,
                target=resident.full_name,
                details={
                    "old_phone": normalize.phone_masked(old),
                    "new_phone": normalize.phone_masked(phone),
                },
            )
            return phone
    message = outcome.value.replace("«Получить новый код»", "«Отправить код»")
    if outcome is CodeOutcome.WRONG and left:
        message += f" Осталось попыток: {left}."
    raise AccessError(message, field="code")


@transaction.atomic
def end_all_sessions(*, resident: Resident, ip: str | None) -> None:
    """«Выйти на всех устройствах»: every session of the cabinet ends, this one included."""
    user = resident.user
    user.session_generation += 1
    user.save(update_fields=["session_generation"])
    record(action=AuditEntry.Action.SESSIONS_ENDED, actor=user, ip=ip, target=resident.full_name)
