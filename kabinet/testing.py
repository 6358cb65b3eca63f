"""Helpers for tests across apps: the resident's form data, a solved CAPTCHA, the code from SMS."""

import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

from captcha.models import CaptchaStore
from django.core.management import call_command

from kabinet.residents.services import registration

IVANOV = {
    "full_name": "Иванов Иван Иванович",
    "account_number": "1000123456",
    "phone": "8-912-345-67-89",
    "email": "ivanov@mail.ru",
    "password1": "Sunflower-Tver-1961",
    "password2": "Sunflower-Tver-1961",
    "accept_policy": "on",
    "accept_consent": "on",
}


def captcha_fields() -> dict[str, str]:
    """A solved CAPTCHA, as a person reading the picture would type it."""
    key = CaptchaStore.generate_key()
    return {"captcha_0": key, "captcha_1": CaptchaStore.objects.get(hashkey=key).response}


def registration_post(**overrides) -> dict[str, str]:
    return {**IVANOV, **captcha_fields(), **overrides}


def last_sms_code(phone: str = "+79123456789") -> str:
    """The code from the newest SMS to the phone, read the way the README tells people to."""
    out = StringIO()
    call_command("sms_log", phone=phone, stdout=out)
    match = re.search(r"Код подтверждения регистрации: (\d{6})", out.getvalue())
    assert match, f"no code SMS in the log:\n{out.getvalue()}"
    return match.group(1)


def submit_request(**overrides):
    """Ivanov's request straight through the service, as the form would pass it on."""
    data = {
        "full_name": "Иванов Иван Иванович",
        "account_number": "1000123456",
        "phone": "+79123456789",
        "email": "ivanov@mail.ru",
        "password": "Sunflower-Tver-1961",
        "ip_address": "203.0.113.7",
        "user_agent": "Mozilla/5.0 (Linux; Android 12) Chrome/120",
    }
    return registration.submit_registration(**{**data, **overrides})


def totp_device(user):
    """The staff member's authenticator app, set up (created on first use)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Приложение-аутентификатор", confirmed=True)


def totp_now(device, *, offset: int = 0) -> str:
    """The 6 digits the app shows now (offset: steps of 30 s later or earlier)."""
    import time

    from django_otp.oath import TOTP

    generator = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    generator.time = time.time() + offset * device.step
    return f"{generator.token():0{device.digits}d}"


def sign_in_staff(client, user) -> None:
    """A member of staff signed in with the password and the second factor, as after both steps."""
    from django_otp import DEVICE_ID_SESSION_KEY

    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = totp_device(user).persistent_id
    session.save()


def deploy_check(env: dict[str, str], *, fail_level: str) -> subprocess.CompletedProcess:
    """`manage.py check --deploy` in a process of its own, with exactly the environment given
    (settings are read once at start-up, so production settings need a fresh interpreter)."""
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", fail_level],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
