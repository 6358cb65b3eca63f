"""Fixed-window rate limits kept in the shared cache, so that they hold across web processes.

A limit is named in settings.RATE_LIMITS as (count, window seconds). `hit` counts one event and
refuses the one over the limit; `check` only asks. The identity (a phone, an account number,
an IP) is hashed into the key: the cache never holds personal data in the clear.
"""

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


class RateLimited(Exception):
    """A refusal to show as it is: `message` says in Russian what and when to try again."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


@dataclass(frozen=True)
class Window:
    key: str
    count: int
    seconds: int


def wait_text(seconds: int) -> str:
    """«через 5 мин.», «через 2 ч.»: when to try again, in words a resident reads at once."""
    minutes = max(1, -(-seconds // 60))
    if minutes < 120:
        return f"через {minutes} мин."
    return f"через {-(-minutes // 60)} ч."


def _window(name: str, ident: str) -> Window:
    count, seconds = settings.RATE_LIMITS[name]
    digest = hashlib.sha256(f"{name}:{ident}".encode()).hexdigest()[:24]
    return Window(key=f"rl:{name}:{digest}", count=count, seconds=seconds)


def _retry_after(window: Window) -> int:
    started = cache.get(window.key + ":t") or time.time()
    return max(1, int(started + window.seconds - time.time()) + 1)


def used(name: str, ident: str) -> int:
    return cache.get(_window(name, ident).key, 0)


def check(name: str, ident: str, message: str) -> None:
    """Refuse if the limit is already used up; `message` may hold {wait}."""
    window = _window(name, ident)
    if window.count and cache.get(window.key, 0) >= window.count:
        wait = _retry_after(window)
        raise RateLimited(message.format(wait=wait_text(wait)), retry_after=wait)


def hit(name: str, ident: str, message: str) -> None:
    """Count one event; refuse (without counting further) when the limit is used up."""
    check(name, ident, message)
    _count(_window(name, ident))


def count(name: str, ident: str) -> None:
    """Count one event without refusing it (it has already happened: a wrong password)."""
    _count(_window(name, ident))


def _count(window: Window) -> None:
    # The window opens with the first event and is kept as its start time beside the counter.
    now = time.time()
    if cache.add(window.key + ":t", now, timeout=window.seconds):
        cache.set(window.key, 0, timeout=window.seconds)
    try:
        count = cache.incr(window.key)
    except ValueError:  # the counter expired a moment before its start time
        count = 1
        cache.set(window.key, count, timeout=window.seconds)
    if window.count and count >= window.count:
        # Used up: the lock lasts a whole window from now, not only what is left of this one.
        cache.set(window.key + ":t", now, timeout=window.seconds)
        cache.set(window.key, count, timeout=window.seconds)


def clear(name: str, ident: str) -> None:
    key = _window(name, ident).key
    cache.delete_many([key, key + ":t"])


SMS_IP = "С этого устройства слишком часто запрашивали SMS. Попробуйте снова {wait}"
SMS_PHONE = "На этот номер слишком часто отправляли SMS. Попробуйте снова {wait}"
SMS_ACCOUNT = "По этому лицевому счёту слишком часто запрашивали SMS. Попробуйте снова {wait}"


def _sms_pairs(ip: str | None, phone: str, account: str) -> list[tuple[str, str, str]]:
    pairs = [("sms_ip", ip or "-", SMS_IP)]
    if phone:
        pairs.append(("sms_phone", phone, SMS_PHONE))
    if account:
        pairs.append(("sms_account", account, SMS_ACCOUNT))
    return pairs


def check_sms(*, ip: str | None, phone: str = "", account: str = "") -> None:
    for name, ident, message in _sms_pairs(ip, phone, account):
        check(name, ident, message)


def count_sms(*, ip: str | None, phone: str = "", account: str = "") -> None:
    for name, ident, _ in _sms_pairs(ip, phone, account):
        _count(_window(name, ident))


def hit_sms(*, ip: str | None, phone: str = "", account: str = "") -> None:
    """One action that sends an SMS: counted per IP, per phone and per account number.

    All three are checked before any is counted, so a refusal costs the person nothing.
    """
    check_sms(ip=ip, phone=phone, account=account)
    count_sms(ip=ip, phone=phone, account=account)
