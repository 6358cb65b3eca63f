"""Brute force and SMS pumping: every limit refuses with a Russian message saying when to retry."""

import pytest
from django.core.cache import caches
from django.test import Client, override_settings
from django.urls import reverse

from kabinet.audit.models import AuditEntry
from kabinet.core import ratelimit
from kabinet.messaging.models import OutboxMessage
from kabinet.testing import registration_post, sign_in_staff

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def login(client, username="1000123456", password="wrong-password", ip="198.51.100.1"):
    return client.post(
        reverse("residents:login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_account_is_locked_after_five_failures_even_with_the_right_password(
    client, company, registered_ivanov
):
    for n in range(5):
        html = login(client, ip=f"198.51.100.{n}").content.decode()
        assert "Неверный логин или пароль" in html

    html = login(client, password=PASSWORD, ip="198.51.100.99").content.decode()

    assert "Слишком много неудачных попыток входа с этим логином" in html
    assert "попробуйте снова через 15 мин." in html
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action=AuditEntry.Action.LOGIN_LOCKED, target="1000123456").exists()


def test_unknown_account_is_locked_the_same_way(client, company):
    for _ in range(5):
        login(client, username="1000999999")

    assert (
        "Слишком много неудачных попыток входа с этим логином" in login(client, "1000999999").content.decode()
    )


@override_settings(RATE_LIMITS={**ratelimit.settings.RATE_LIMITS, "login_ip": (3, 600)})
def test_one_ip_trying_many_accounts_is_locked(client, company, registered_ivanov):
    for number in ("1000000001", "1000000002", "1000000003"):
        login(client, username=number)

    html = login(client, password=PASSWORD).content.decode()

    assert "Слишком много неудачных попыток входа с этого устройства" in html
    assert "через 10 мин." in html
    assert login(client, password=PASSWORD, ip="192.0.2.50").status_code == 302  # another device is let in


def test_successful_login_forgets_earlier_failures(client, company, registered_ivanov):
    for _ in range(4):
        login(client)
    assert login(client, password=PASSWORD).status_code == 302
    Client().logout()

    for _ in range(4):
        login(Client())

    assert login(Client(), password=PASSWORD).status_code == 302


def test_login_for_an_unknown_account_costs_one_password_hash_like_a_known_one(
    client, company, registered_ivanov, monkeypatch, settings
):
    """Timing must not tell which accounts exist: both answers run Argon2 exactly once."""
    from django.contrib.auth.hashers import Argon2PasswordHasher

    calls = []
    real_encode, real_verify = Argon2PasswordHasher.encode, Argon2PasswordHasher.verify

    def encode(self, *args, **kwargs):
        calls.append("encode")
        return real_encode(self, *args, **kwargs)

    def verify(self, *args, **kwargs):
        calls.append("verify")
        return real_verify(self, *args, **kwargs)

    monkeypatch.setattr(Argon2PasswordHasher, "encode", encode)
    monkeypatch.setattr(Argon2PasswordHasher, "verify", verify)

    login(client, username="1000123456")
    known = len(calls)
    calls.clear()
    login(client, username="1000999999")
    unknown = len(calls)

    assert known == unknown == 1
    assert settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert registered_ivanov.user.password.startswith("argon2$argon2id$")


def test_resend_code_is_limited_per_phone(client, company, ivanov_account, published_policies, settings):
    settings.REGISTRATION_CODE_RESEND_SECONDS = 0
    client.post(reverse("residents:register"), registration_post())
    for _ in range(4):
        client.post(reverse("residents:resend_code"), {"account_number": "1000123456"})

    html = client.post(reverse("residents:resend_code"), {"account_number": "1000123456"}).content.decode()

    assert "слишком часто" in html and "Попробуйте снова через" in html
    assert OutboxMessage.objects.filter(channel="sms").count() == 5  # the approval code + 4 new ones


@override_settings(RATE_LIMITS={**ratelimit.settings.RATE_LIMITS, "sms_ip": (3, 3600)})
def test_password_reset_requests_are_limited_per_ip(client, company, registered_ivanov):
    for number in ("1000000001", "1000000002", "1000000003"):
        client.post(reverse("residents:password_reset"), {"login": number})

    html = client.post(reverse("residents:password_reset"), {"login": "1000123456"}).content.decode()

    assert "С этого устройства слишком часто запрашивали SMS" in html
    assert not OutboxMessage.objects.filter(channel="sms").exists()


def test_password_reset_for_one_account_is_limited(company, registered_ivanov):
    for n in range(5):
        Client(REMOTE_ADDR=f"203.0.113.{n}").post(
            reverse("residents:password_reset"), {"login": "1000123456"}
        )

    html = Client().post(reverse("residents:password_reset"), {"login": "1000123456"}).content.decode()

    assert "По этому лицевому счёту слишком часто запрашивали SMS" in html
    assert OutboxMessage.objects.filter(channel="sms").count() == 5


def test_reset_by_account_and_by_phone_together_stay_within_the_phone_limit(company, registered_ivanov):
    for n, login_ in enumerate(["1000123456", "+79123456789"] * 4):
        Client(REMOTE_ADDR=f"203.0.113.{n}").post(reverse("residents:password_reset"), {"login": login_})

    # The phone limit stops SMS silently: a loud refusal would tell that this login has a cabinet.
    assert OutboxMessage.objects.filter(channel="sms", recipient="+79123456789").count() == 5


@override_settings(RATE_LIMITS={**ratelimit.settings.RATE_LIMITS, "sms_phone": (2, 3600)})
def test_phone_change_is_limited_per_new_phone(client, company, registered_ivanov):
    client.force_login(registered_ivanov.user)
    for _ in range(2):
        client.post(reverse("residents:profile_phone"), {"phone": "+79991112233"})

    html = client.post(reverse("residents:profile_phone"), {"phone": "+79991112233"}).content.decode()

    assert "На этот номер слишком часто отправляли SMS" in html
    assert OutboxMessage.objects.filter(channel="sms").count() == 2


@override_settings(RATE_LIMITS={**ratelimit.settings.RATE_LIMITS, "sms_ip": (2, 3600)})
def test_registration_submits_are_limited_per_ip(client, company, published_policies):
    for number in ("1000000001", "1000000002"):
        client.post(reverse("residents:register"), registration_post(account_number=number))

    html = client.post(reverse("residents:register"), registration_post(account_number="1000000003"))

    assert "С этого устройства слишком часто запрашивали SMS" in html.content.decode()
    from kabinet.residents.models import RegistrationRequest

    assert RegistrationRequest.objects.count() == 2


@override_settings(RATE_LIMITS={**ratelimit.settings.RATE_LIMITS, "code_ip": (3, 3600)})
def test_code_guessing_from_one_ip_is_limited_across_codes(client, company, registered_ivanov):
    client.post(reverse("residents:password_reset"), {"login": "1000123456"})
    data = {"code": "000000", "password1": "Birch-Volga-Evening-7", "password2": "Birch-Volga-Evening-7"}
    for _ in range(3):
        client.post(reverse("residents:password_reset_code"), data)

    html = client.post(reverse("residents:password_reset_code"), data).content.decode()

    assert "Слишком много попыток ввести код с этого устройства" in html


@override_settings(SMS_DAILY_CAP=3, SMS_CAP_ALERT_EMAILS=["admin@uk.example"])
def test_daily_sms_cap_stops_sending_and_alerts_the_administrator_once(company, registered_ivanov):
    from kabinet.messaging.services import send_sms

    for n in range(3):
        send_sms(phone=f"+7999000000{n}", text="Проверка")

    suppressed = send_sms(phone="+79990000009", text="Сверх лимита")
    html = Client().post(reverse("residents:password_reset"), {"login": "1000123456"}).content.decode()
    send_sms(phone="+79990000008", text="Ещё сверх лимита")

    assert suppressed.status == OutboxMessage.Status.FAILED
    assert "дневной лимит" in suppressed.last_error
    assert "Отправка SMS временно приостановлена" in html and "Попробуйте снова через" in html
    alerts = OutboxMessage.objects.filter(channel="email", recipient="admin@uk.example")
    assert alerts.count() == 1
    assert "KABINET_SMS_DAILY_CAP = 3" in alerts.get().body
    assert not OutboxMessage.objects.filter(channel="sms", recipient="+79123456789").exists()


def test_daily_cap_does_not_count_suppressed_messages_and_zero_turns_it_off(settings, company):
    from kabinet.messaging import limits
    from kabinet.messaging.services import send_sms

    settings.SMS_DAILY_CAP = 1
    send_sms(phone="+79990000001", text="1")
    send_sms(phone="+79990000002", text="2")
    assert limits.sms_sent_today() == 1

    settings.SMS_DAILY_CAP = 0
    assert send_sms(phone="+79990000003", text="3").status == OutboxMessage.Status.QUEUED


def test_wait_is_said_in_minutes_or_hours():
    assert ratelimit.wait_text(30) == "через 1 мин."
    assert ratelimit.wait_text(900) == "через 15 мин."
    assert ratelimit.wait_text(3 * 3600) == "через 3 ч."


@pytest.fixture
def redis_cache(settings):
    """Django's built-in RedisCache on the local Redis, with a key prefix of our own."""
    import redis

    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/0").ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/0",
            "KEY_PREFIX": "kabinet-test-wt3a",
        }
    }
    settings.RATE_LIMIT_REDIS_URL = "redis://127.0.0.1:6379/0"
    settings.RATE_LIMIT_KEY_PREFIX = "kabinet-test-wt3a:rl"
    # Never FLUSHDB a shared Redis: our keys are found by their prefix and deleted one by one.
    yield caches["default"]
    r = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    for key in r.scan_iter("kabinet-test-wt3a:*"):
        r.delete(key)


def test_limits_hold_in_redis_across_processes(redis_cache, company, settings):
    """Two web processes share the counter: a second process sees what the first counted."""
    import subprocess
    import sys

    script = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='kabinet.settings'; django.setup();"
        "from kabinet.core import ratelimit;"
        "ratelimit.hit(('login_account', 'redis-probe'));"
        "ratelimit.hit(('login_account', 'redis-probe'))"
    )
    env = {
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "CACHE_KEY_PREFIX": "kabinet-test-wt3a",
        "PATH": "/usr/bin:/bin",
    }
    subprocess.run([sys.executable, "-c", script], check=True, env=env, cwd=settings.BASE_DIR)

    assert ratelimit.used("login_account", "redis-probe") == 2
    for _ in range(3):
        ratelimit.hit(("login_account", "redis-probe"))
    with pytest.raises(ratelimit.RateLimited, match=r"попробуйте снова через 15 мин\."):
        ratelimit.hit(("login_account", "redis-probe"))


def test_operator_cannot_approve_when_the_code_could_not_be_sent(
    client, operator, company, ivanov_account, settings
):
    from kabinet.messaging.services import send_sms
    from kabinet.residents.models import RegistrationRequest
    from kabinet.testing import submit_request

    request = submit_request(phone="+79990001122")  # another phone than the billing's: waits for staff
    settings.SMS_DAILY_CAP = 1
    send_sms(phone="+79990000000", text="последнее SMS на сегодня")
    sign_in_staff(client, operator)

    response = client.post(reverse("admin:residents_request_approve", args=[request.pk]), follow=True)

    assert "исчерпал дневной лимит SMS" in response.content.decode()
    request.refresh_from_db()
    assert request.status == RegistrationRequest.Status.PENDING


def test_a_stolen_session_cannot_try_passwords_freely_in_the_profile(client, company, registered_ivanov):
    """Closing the cabinet and changing the password ask for the password again: those guesses
    count on the same cabinet as the log-in's, so five wrong ones lock the log-in too."""
    client.force_login(registered_ivanov.user)
    for n in range(3):
        client.post(reverse("residents:close_cabinet"), {"password": f"guess-{n}", "confirm": "on"})
    for n in range(2):
        data = {
            "old_password": f"guess-{n}",
            "password1": "Birch-Volga-Evening-7",
            "password2": "Birch-Volga-Evening-7",
        }
        client.post(reverse("residents:profile_password"), data)

    closing = client.post(reverse("residents:close_cabinet"), {"password": PASSWORD, "confirm": "on"})

    assert "Слишком много неудачных попыток входа" in closing.content.decode()
    assert "Слишком много неудачных попыток входа" in login(Client(), password=PASSWORD).content.decode()
    registered_ivanov.user.refresh_from_db()
    assert registered_ivanov.user.is_active
