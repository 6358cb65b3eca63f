"""One guard for every limit: log-in, codes, SMS, registration, password reset, device posts.

A limit is named in settings.RATE_LIMITS as (count, window seconds); its refusal text is in
REFUSALS below, the one place where residents' «попробуйте снова через …» is worded.

The guard counts first and decides after: `hit` adds one to every counter the event concerns,
all in one atomic step of the store that returns the new values, and refuses when any is over
its limit — before a password or a code is checked. Simultaneous requests therefore never pass
together: the sixth of six simultaneous attempts sees 6, not the 5 that the others saw. A
refused event keeps no count, so a refusal costs the person nothing; an event that turns out
fine gives its count back too (`Ticket.succeeded`), when the limit is about failures.

The counters live in kabinet.core.counters (Redis or a table of their own, never the general
cache). If Redis cannot be reached, log-in and code counters go on in the database table,
while actions that send an SMS are refused: an SMS sent unlimited costs money and can flood a
phone, a log-in refused would lock every resident out.

The identity (a phone, an account number, an IP) is hashed into the key: the store never holds
personal data in the clear.
"""

import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings

from . import counters

log = logging.getLogger(__name__)

# --- What a person is told, for each limit ({wait}: «через 15 мин.») --------------------------
_FORGOT = "Если вы забыли пароль, воспользуйтесь ссылкой «Забыли пароль?»."
LOCKED_LOGIN = (
    "Слишком много неудачных попыток входа с этим логином. Вход временно закрыт, попробуйте снова "
    "{wait} " + _FORGOT
)
LOCKED_IP = "Слишком много неудачных попыток входа с этого устройства. Попробуйте снова {wait} " + _FORGOT
SMS_IP = "С этого устройства слишком часто запрашивали SMS. Попробуйте снова {wait}"
SMS_PHONE = "На этот номер слишком часто отправляли SMS. Попробуйте снова {wait}"
SMS_ACCOUNT = "По этому лицевому счёту слишком часто запрашивали SMS. Попробуйте снова {wait}"
REGISTER_IP = "С этого устройства отправлено слишком много заявок. Попробуйте снова {wait}"
ACCOUNT_CABINET = (
    "Из вашего кабинета слишком часто подавали заявки на подключение лицевого счёта. Попробуйте снова {wait}"
)
CODE_GUESSES = "Слишком много попыток ввести код с этого устройства. Попробуйте снова {wait}"
OTP_GUESSES = (
    "Слишком много попыток ввести код второго фактора. Вход временно закрыт, попробуйте снова {wait}"
)
SMS_DAY = (
    "Отправка SMS временно приостановлена: сайт исчерпал дневной лимит сообщений. "
    "Попробуйте снова {wait} или обратитесь в управляющую компанию."
)
# A waterius does not show these: they go into the JSON answer, for its owner and the server's log.
DEVICE_IP = "С этого IP-адреса приходит слишком много сообщений устройств. Попробуйте снова {wait}"
DEVICE_IP_FAILURES = (
    "С этого IP-адреса пришло слишком много сообщений с неизвестным ключом устройства. "
    "Попробуйте снова {wait}"
)
DEVICE_TOKEN = "По этому адресу устройства данные приходят слишком часто. Попробуйте снова {wait}"
STORE_DOWN = (
    "Отправка SMS временно недоступна из-за технических работ. Попробуйте снова через несколько минут."
)

REFUSALS = {
    "login_account": LOCKED_LOGIN,  # the login as typed: an account number, a phone, a username
    "login_holder": LOCKED_LOGIN,  # the cabinet or staff member behind it: all their logins together
    "login_ip": LOCKED_IP,
    "sms_ip": SMS_IP,
    "sms_phone": SMS_PHONE,
    "sms_account": SMS_ACCOUNT,
    "register_ip": REGISTER_IP,
    "account_cabinet": ACCOUNT_CABINET,
    "code_ip": CODE_GUESSES,
    "otp_user": OTP_GUESSES,
    "sms_day": SMS_DAY,  # counted by kabinet.messaging.limits, in the transaction of the SMS
    "device_ip": DEVICE_IP,  # every post to a device's address from one IP
    "device_ip_failures": DEVICE_IP_FAILURES,  # posts with a key no device has (guesses)
    "device_token": DEVICE_TOKEN,  # every post to one device's address
}
# Limits whose counting may move to the database while Redis is down; the rest refuse. A device
# refused three times sleeps until the next day (its value is lost for a day): its posts go on.
DATABASE_FALLBACK = {
    "login_account", "login_holder", "login_ip", "code_ip", "otp_user",
    "device_ip", "device_ip_failures", "device_token",
}  # fmt: skip


class RateLimited(Exception):
    """A refusal to show as it is: `message` says in Russian what and when to try again."""

    def __init__(self, message: str, *, retry_after: int, limit: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after
        self.limit = limit


def wait_text(seconds: int) -> str:
    """«через 5 мин.», «через 2 ч.»: when to try again, in words a resident reads at once."""
    minutes = max(1, -(-seconds // 60))
    if minutes < 120:
        return f"через {minutes} мин."
    return f"через {-(-minutes // 60)} ч."


def refusal(name: str, seconds: int) -> RateLimited:
    return RateLimited(REFUSALS[name].format(wait=wait_text(seconds)), retry_after=seconds, limit=name)


@dataclass(frozen=True)
class _Counter:
    name: str
    key: str


def _counter(name: str, ident: str) -> _Counter:
    digest = hashlib.sha256(f"{name}:{ident}".encode()).hexdigest()[:32]
    return _Counter(name, f"{name}:{digest}")


def _limit(name: str) -> tuple[int, int]:
    return settings.RATE_LIMITS[name]


def _run(names: list[str], operation: str, *args, **kwargs):
    """Call the store; while Redis is away, log-in and code counters use the database."""
    try:
        return getattr(counters.store(), operation)(*args, **kwargs)
    except counters.StoreUnavailable as error:
        refused = [name for name in names if name not in DATABASE_FALLBACK]
        if refused:
            log.error("Rate-limit store unavailable, refusing %s: %s", ", ".join(refused), error)
            raise RateLimited(STORE_DOWN, retry_after=60, limit=refused[0]) from None
        log.warning("Rate-limit store unavailable, counting %s in the database: %s", ", ".join(names), error)
        return getattr(counters.database_store(), operation)(*args, **kwargs)


@dataclass
class Ticket:
    """The counts one event took, so that they can be given back."""

    counted: list[_Counter] = field(default_factory=list)

    def refund(self, *names: str) -> None:
        """Give back this event's count on the named limits (all when none are named)."""
        for counter in self.counted:
            if not names or counter.name in names:
                _run([counter.name], "decr", counter.key)
        self.counted = [c for c in self.counted if names and c.name not in names]

    @contextmanager
    def given_back_on(self, *errors: type[Exception]) -> Iterator[None]:
        """Inside, a refusal of the given kinds gives the counts back: it cost the person nothing."""
        try:
            yield
        except errors:
            self.refund()
            raise

    def succeeded(self, *, forget: tuple[str, ...] = ()) -> None:
        """The event went well: its counts are given back and the `forget` limits start afresh
        (a right password ends the failures counted for its login)."""
        for counter in self.counted:
            _run([counter.name], "delete" if counter.name in forget else "decr", counter.key)
        self.counted = []


def hit(*events: tuple[str, str]) -> Ticket:
    """Count one event on each (limit, identity) pair, all at once; refuse if any is over.

    Pairs with an empty identity, and limits set to 0, are skipped. A refused event keeps no
    count, and the first limit (in the order given) that refused says when to try again.
    """
    counted: list[_Counter] = []
    items: list[counters.Item] = []
    for name, ident in events:
        count, window = _limit(name)
        if ident and count:
            counted.append(_counter(name, ident))
            items.append(counters.Item(key=counted[-1].key, window=window, limit=count))
    if not items:
        return Ticket()
    refused = _run([c.name for c in counted], "take", items)
    if refused is not None:
        raise refusal(counted[refused.index].name, refused.seconds_left)
    return Ticket(counted)


def used(name: str, ident: str) -> int:
    """How many events the limit has counted for `ident` in its current window."""
    return _run([name], "peek", _counter(name, ident).key).value


def is_over(name: str, ident: str) -> bool:
    count, _ = _limit(name)
    return bool(count) and used(name, ident) >= count


def clear(name: str, ident: str) -> None:
    _run([name], "delete", _counter(name, ident).key)


def hit_sms(*, ip: str | None, phone: str = "", account: str = "") -> Ticket:
    """One action that sends an SMS: counted per IP, per phone and per account number."""
    return hit(("sms_ip", ip or "-"), ("sms_phone", phone), ("sms_account", account))
