"""What an attacker tried, done again against a live server: every limit holds at its figure.

Simultaneous bursts come from threads, each with its own browser session (cookie and CSRF
token), released together by a barrier. The visitor's IP is set through X-Forwarded-For from
the trusted proxy 127.0.0.1, as nginx would pass it. Each test prints how many guesses were
checked (the password hasher or the code compared) against the limit.
"""

import re
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from django.urls import reverse

from kabinet.billing.tests.factories import AccountFactory
from kabinet.residents.models import ConfirmationCode, ResidentAccount

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

WRONG = "Неверный логин или пароль"
ADMIN_WRONG = "Пожалуйста, введите корректные имя пользователя и пароль"
LOCKED = "Слишком много неудачных попыток входа"
NEW_PASSWORD = {"password1": "Birch-Volga-Evening-7", "password2": "Birch-Volga-Evening-7"}


@pytest.fixture
def behind_proxy(settings):
    """The live server sits behind a reverse proxy on 127.0.0.1 that passes the visitor's IP."""
    settings.TRUSTED_PROXIES = ["127.0.0.1/32"]


@pytest.fixture(params=["table", "redis"])
def store(request, settings) -> str:
    """Where the counters live: their own database table, or Redis (which also holds the general
    cache then, so that a flood of other keys lands in the same Redis)."""
    if request.param == "table":
        settings.RATE_LIMIT_REDIS_URL = ""
        yield "table"
        return
    import os

    import redis

    url = "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url).ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    prefix = f"kabinet-test-attacks-{os.getpid()}"
    settings.RATE_LIMIT_REDIS_URL, settings.RATE_LIMIT_KEY_PREFIX = url, f"{prefix}:rl"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": prefix,
        }
    }
    yield "redis"
    client = redis.Redis.from_url(url)  # a shared Redis: only our own keys, never FLUSHDB
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


@pytest.fixture
def figure(capsys):
    def say(text: str) -> None:
        with capsys.disabled():
            print(f"\n[attack] {text}")

    return say


def _token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


class Visitor:
    """One browser: its own cookies, from the address the proxy says."""

    def __init__(self, base: str, ip: str, cookies: httpx.Cookies | None = None) -> None:
        self.ip = ip
        self.http = httpx.Client(base_url=base, timeout=120, cookies=cookies)

    def open(self, path: str) -> str:
        return _token(self.http.get(path, headers={"X-Forwarded-For": self.ip}).text)

    def post(self, path: str, data: dict, token: str) -> httpx.Response:
        headers = {"X-Forwarded-For": self.ip}
        return self.http.post(path, data={**data, "csrfmiddlewaretoken": token}, headers=headers)


def burst(visitors: list[Visitor], path: str, data: Callable[[int], dict]) -> list[str]:
    """Every visitor opens the form, then all send it at the same moment; the answers' texts."""
    tokens = [visitor.open(path) for visitor in visitors]
    barrier = threading.Barrier(len(visitors))

    def send(n: int) -> str:
        barrier.wait()
        response = visitors[n].post(path, data(n), tokens[n])
        return response.text if response.status_code == 200 else f"HTTP {response.status_code}"

    with ThreadPoolExecutor(len(visitors)) as pool:
        return list(pool.map(send, range(len(visitors))))


def tally(answers: list[str], **markers: str) -> Counter:
    """How many answers carry each marker; an answer with none of them is a failure."""
    counts: Counter = Counter()
    for answer in answers:
        found = [name for name, text in markers.items() if text in answer]
        assert found, f"unexpected answer: {answer[:300]}"
        counts[found[0]] += 1
    return counts


def test_a_burst_of_passwords_for_one_login_checks_five(
    live_server, store, behind_proxy, figure, company, registered_ivanov
):
    visitors = [Visitor(live_server.url, f"203.0.113.{n}") for n in range(16)]

    answers = burst(
        visitors, reverse("residents:login"), lambda n: {"username": "1000123456", "password": f"x{n}"}
    )

    counts = tally(answers, checked=WRONG, locked=LOCKED)
    figure(f"log-in burst, one login, counters in {store}: 16 sent, {counts['checked']} checked (limit 5)")
    assert counts["checked"] == 5


def test_a_burst_across_a_cabinets_account_numbers_checks_five(
    live_server, behind_proxy, figure, company, registered_ivanov
):
    for number in ("1000123470", "1000123471"):
        ResidentAccount.objects.create(resident=registered_ivanov, account=AccountFactory(number=number))
    logins = ["1000123456", "1000123470", "1000123471"]
    visitors = [Visitor(live_server.url, f"203.0.113.{n}") for n in range(16)]

    answers = burst(
        visitors, reverse("residents:login"), lambda n: {"username": logins[n % 3], "password": f"x{n}"}
    )

    counts = tally(answers, checked=WRONG, locked=LOCKED)
    figure(
        f"log-in burst, one cabinet with 3 account numbers: 16 sent, {counts['checked']} checked (limit 5)"
    )
    assert counts["checked"] == 5


def test_a_burst_from_one_ip_checks_twenty(live_server, store, behind_proxy, figure, company):
    visitors = [Visitor(live_server.url, "198.51.100.7") for _ in range(32)]

    answers = burst(
        visitors, reverse("residents:login"), lambda n: {"username": f"10009990{n:02d}", "password": "x"}
    )

    counts = tally(answers, checked=WRONG, locked=LOCKED)
    figure(f"log-in burst, one IP, 32 logins, in {store}: 32 sent, {counts['checked']} checked (limit 20)")
    assert counts["checked"] == 20


def test_a_burst_at_the_back_office_log_in_checks_five_and_locks_the_right_password(
    live_server, behind_proxy, figure, operator
):
    visitors = [Visitor(live_server.url, f"203.0.113.{n}") for n in range(16)]
    path = reverse("admin:login")

    answers = burst(visitors, path, lambda n: {"username": "operator", "password": f"x{n}"})
    late = Visitor(live_server.url, "192.0.2.1")
    right = late.post(path, {"username": "operator", "password": "operator-pass-2026"}, late.open(path))

    counts = tally(answers, checked=ADMIN_WRONG, locked=LOCKED)
    figure(f"back-office log-in burst: 16 sent, {counts['checked']} checked (limit 5)")
    assert counts["checked"] == 5
    assert right.status_code == 200 and LOCKED in right.text


def test_code_entries_from_one_ip_check_thirty(live_server, behind_proxy, figure, company):
    # Each visitor asks for a reset from an address of its own (the SMS limits), then all of them
    # enter codes at once from one address.
    visitors = [Visitor(live_server.url, f"203.0.{n // 250}.{n % 250 + 1}") for n in range(45)]
    for n, visitor in enumerate(visitors):
        visitor.post(
            reverse("residents:password_reset"), {"login": f"10008880{n:02d}"}, visitor.open("/password/")
        )
        visitor.ip = "198.51.100.9"

    answers = burst(
        visitors, reverse("residents:password_reset_code"), lambda n: {"code": "000000", **NEW_PASSWORD}
    )

    counts = tally(
        answers,
        locked="Слишком много попыток ввести код с этого устройства",
        checked="Код неверный или устарел",
    )
    figure(f"code entries, one IP: 45 sent, {counts['checked']} checked (limit 30)")
    assert counts["checked"] == 30


def test_simultaneous_guesses_at_one_reset_code_check_five(
    live_server, behind_proxy, figure, registered_ivanov
):
    asker = Visitor(live_server.url, "203.0.113.200")
    asker.post(reverse("residents:password_reset"), {"login": "1000123456"}, asker.open("/password/"))
    visitors = [Visitor(live_server.url, f"198.51.100.{n}", cookies=asker.http.cookies) for n in range(16)]

    answers = burst(
        visitors, reverse("residents:password_reset_code"), lambda n: {"code": f"{n:06d}", **NEW_PASSWORD}
    )

    counts = tally(
        answers, wrong="Код неверный или устарел", exhausted="Код введён неверно слишком много раз"
    )
    code = ConfirmationCode.objects.get(purpose=ConfirmationCode.Purpose.PASSWORD_RESET)
    figure(f"guesses at one reset code: 16 sent, {code.attempts} checked (limit 5); answers {dict(counts)}")
    assert code.attempts == 5
    assert counts["wrong"] == 4


def test_spoofed_forwarded_for_from_a_visitor_is_ignored(live_server, figure, company):
    """No trusted proxy is configured: a header written by the visitor changes nothing."""
    visitors = [Visitor(live_server.url, f"10.{n}.0.1, 192.0.2.{n}") for n in range(24)]

    answers = burst(
        visitors, reverse("residents:login"), lambda n: {"username": f"10007770{n:02d}", "password": "x"}
    )

    counts = tally(answers, checked=WRONG, locked=LOCKED)
    figure(f"spoofed X-Forwarded-For, one real IP: 24 sent, {counts['checked']} checked (limit 20)")
    assert counts["checked"] == 20


def test_the_lock_out_holds_while_other_keys_flood_every_store(
    client, store, behind_proxy, figure, company, registered_ivanov
):
    from django.core.cache import cache

    for n in range(5):
        client.post(reverse("residents:login"), {"username": "1000123456", "password": f"x{n}"})
    # What erased the lock before: «Забыли пароль?» for made-up logins from 8 addresses, and a full
    # general cache (database cache: 300 entries, culled by key order when full).
    for n in range(400):
        client.post(
            reverse("residents:password_reset"),
            {"login": f"100066{n:04d}"},
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n % 8}",
        )
    cache.set_many({f"flood-{n}": "x" * 100 for n in range(2000)})

    answer = client.post(reverse("residents:login"), {"username": "1000123456", "password": PASSWORD})

    held = "holds" if LOCKED in answer.text else "lost"
    figure(f"lock-out after 400 reset requests and 2000 cache entries, counters in {store}: {held}")
    assert LOCKED in answer.text


def test_a_burst_of_reset_requests_from_one_ip_sends_twenty(live_server, behind_proxy, figure, company):
    visitors = [Visitor(live_server.url, "198.51.100.11") for _ in range(32)]

    answers = burst(visitors, reverse("residents:password_reset"), lambda n: {"login": f"10005550{n:02d}"})

    counts = Counter("limited" if "слишком часто запрашивали SMS" in a else "passed" for a in answers)
    figure(f"«Забыли пароль?» burst, one IP: 32 sent, {counts['passed']} passed (limit 20)")
    assert counts["passed"] == 20


def test_a_burst_of_reset_requests_for_one_login_sends_five(
    live_server, behind_proxy, figure, registered_ivanov
):
    from kabinet.messaging.models import OutboxMessage

    visitors = [Visitor(live_server.url, f"203.0.113.{n}") for n in range(16)]

    answers = burst(visitors, reverse("residents:password_reset"), lambda n: {"login": "1000123456"})

    counts = Counter("limited" if "По этому лицевому счёту слишком часто" in a else "passed" for a in answers)
    sent = OutboxMessage.objects.filter(channel="sms", recipient="+79123456789").count()
    figure(f"«Забыли пароль?» burst, one login: 16 sent, {counts['passed']} passed, {sent} SMS (limit 5)")
    assert counts["passed"] == 5 and sent == 5


def test_a_burst_of_registrations_from_one_ip_takes_twenty(
    live_server, behind_proxy, figure, company, published_policies
):
    from kabinet.residents.models import RegistrationRequest
    from kabinet.testing import registration_post

    visitors = [Visitor(live_server.url, "198.51.100.12") for _ in range(32)]
    posts = [
        registration_post(account_number=f"10004440{n:02d}", phone=f"+7999444{n:04d}") for n in range(32)
    ]

    answers = burst(visitors, reverse("residents:register"), lambda n: posts[n])

    counts = Counter(
        "limited" if "слишком много заявок" in a or "слишком часто" in a else "passed" for a in answers
    )
    filed = RegistrationRequest.objects.count()
    figure(f"registration burst, one IP: 32 sent, {counts['passed']} passed, {filed} filed (limit 20)")
    assert filed == 20


def test_a_burst_of_second_factor_codes_checks_five(live_server, behind_proxy, figure, operator):
    from kabinet.audit.models import AuditEntry
    from kabinet.testing import totp_device

    totp_device(operator)
    asker = Visitor(live_server.url, "203.0.113.210")
    path = reverse("admin:login")
    asker.post(path, {"username": "operator", "password": "operator-pass-2026"}, asker.open(path))
    visitors = [Visitor(live_server.url, f"198.51.100.{n}", cookies=asker.http.cookies) for n in range(16)]

    answers = burst(visitors, reverse("admin:otp_verify"), lambda n: {"code": f"{n:06d}", "next": "/admin/"})

    counts = tally(
        answers, checked="Код не подошёл", locked="Слишком много попыток ввести код второго фактора"
    )
    failed = AuditEntry.objects.filter(action=AuditEntry.Action.OTP_FAILED).count()
    figure(f"second-factor burst, one member of staff: 16 sent, {counts['checked']} checked (limit 5)")
    assert counts["checked"] == 5 and failed == 5
