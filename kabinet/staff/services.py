"""The second factor of staff: a TOTP authenticator app, and recovery codes for a lost phone.

Built on django-otp's devices (`TOTPDevice`, `StaticDevice`). Each check of a code is counted
first against the staff member's own limit (kabinet.core.ratelimit, «otp_user»), and the device
row is locked while it is checked, so simultaneous guesses neither pass together nor replay one
code twice. Every step leaves an audit entry.
"""

import re

from django.db import transaction
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from kabinet.audit.models import AuditEntry
from kabinet.audit.services import record
from kabinet.core import ratelimit
from kabinet.core.errors import Refusal

RECOVERY_CODES = 10
APP_NAME = "Приложение-аутентификатор"
RECOVERY_NAME = "Резервные коды"
WRONG_CODE = "Код не подошёл. Введите 6 цифр, которые приложение показывает сейчас, или резервный код."
WRONG_SETUP_CODE = (
    "Код не подошёл. Проверьте, что время на телефоне верное, и введите 6 цифр, которые показывает "
    "приложение сейчас."
)


class SecondFactorError(Refusal):
    """A second-factor code refused; shown beside the code field unless another is named."""

    def __init__(self, message: str, *, field: str = "code") -> None:
        super().__init__(message, field)


def confirmed_app(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_app(user) -> TOTPDevice:
    """The authenticator being set up: the same secret until it is confirmed, so that a reload
    of the page does not invalidate the QR code already scanned."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=APP_NAME, confirmed=False)


def _clean(token: str) -> str:
    return re.sub(r"[\s-]", "", token).lower()


def _new_recovery_codes(user) -> list[str]:
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def confirm_app(*, user, token: str, ip: str | None) -> tuple[TOTPDevice, list[str]]:
    """The first code from the scanned app confirms it; recovery codes are issued with it."""
    ratelimit.hit(("otp_user", str(user.pk)))
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
        if device is None or not device.verify_token(_clean(token)):
            raise SecondFactorError(WRONG_SETUP_CODE)
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        codes = _new_recovery_codes(user)
        record(action=AuditEntry.Action.OTP_SETUP, actor=user, ip=ip, target=user.get_username())
    return device, codes


def _device_for(user, token: str) -> Device | None:
    """A TOTP code is digits; a recovery code is letters and digits of another length."""
    model = TOTPDevice if token.isdigit() and len(token) == 6 else StaticDevice
    return model.objects.select_for_update().filter(user=user, confirmed=True).first()


def verify(*, user, token: str, ip: str | None) -> Device:
    """The sign-in's second step: a code from the app, or one of the recovery codes."""
    ticket = ratelimit.hit(("otp_user", str(user.pk)))
    token = _clean(token)
    with transaction.atomic():
        device = _device_for(user, token)
        matched = device is not None and device.verify_token(token)
    if not matched:
        record(action=AuditEntry.Action.OTP_FAILED, actor=user, ip=ip, target=user.get_username())
        raise SecondFactorError(WRONG_CODE)
    ticket.succeeded(forget=("otp_user",))
    if isinstance(device, StaticDevice):
        left = device.token_set.count()
        record(
            action=AuditEntry.Action.OTP_RECOVERY_USED,
            actor=user,
            ip=ip,
            target=user.get_username(),
            details={"recovery_codes_left": left},
        )
    else:
        record(action=AuditEntry.Action.OTP_VERIFIED, actor=user, ip=ip, target=user.get_username())
    return device


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def renew_recovery_codes(*, user, ip: str | None) -> list[str]:
    codes = _new_recovery_codes(user)
    record(action=AuditEntry.Action.OTP_RECOVERY_RENEWED, actor=user, ip=ip, target=user.get_username())
    return codes


@transaction.atomic
def reset_second_factor(*, user, by, ip: str | None) -> None:
    """A member of staff lost both the phone and the recovery codes: an administrator removes
    the devices, and the next sign-in sets the factor up again."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    record(action=AuditEntry.Action.OTP_RESET, actor=by, ip=ip, target=user.get_username())
