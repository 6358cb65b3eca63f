"""Numbers, money, dates and counted nouns the Russian way, for every page, message and document.

One place for what residents and operators read: «1 500,50 ₽», «4 декабря 2026», «7 услуг».
Dates and times are shown in the company's zone (settings.TIME_ZONE), never in UTC.

    plural(21, "минута", "минуты", "минут")          -> "минута"
    counted(7, "услуга", "услуги", "услуг")          -> "7 услуг"
    money(Decimal("1500.5"))                         -> "1 500,50 ₽"
    date(date(2026, 12, 4))                          -> "4 декабря 2026"
    date_time(aware_datetime)                        -> "4 декабря 2026, 23:25"
    month(date(2026, 12, 1))                         -> "декабрь 2026"

Spaces inside a number and before «₽» are no-break spaces (U+00A0): a line never breaks
between the digits or leaves the sign alone on the next line.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

NBSP = "\u00a0"
MONTHS = [
    "январь",
    "февраль",
    "март",
    "апрель",
    "май",
    "июнь",
    "июль",
    "август",
    "сентябрь",
    "октябрь",
    "ноябрь",
    "декабрь",
]
# «4 декабря», «с 1 марта»: the genitive a day of the month takes.
MONTHS_GENITIVE = [
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
]
MONTHS_SHORT = ["янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"]


def plural(number: int, one: str, few: str, many: str) -> str:
    """The form of a noun that goes with `number`: 1, 21, 101 → one; 2–4, 22–24 → few;
    0, 5–20, 25–30, 111–114 → many."""
    n = abs(int(number))
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def counted(number: int, one: str, few: str, many: str) -> str:
    """«1 услуга», «2 услуги», «5 услуг»; thousands grouped: «1 024 строки»."""
    return f"{number_text(number, 0)}{NBSP}{plural(number, one, few, many)}"


@dataclass(frozen=True)
class Noun:
    """A noun with the forms a screen needs: after a number and after a verb.

    one/few/many: «1 услуга», «2 услуги», «5 услуг»; accusative: «Добавить услугу»,
    «Выберите жителя» (an animate masculine noun takes the genitive's form there).
    """

    one: str
    few: str
    many: str
    accusative: str

    def counted(self, number: int) -> str:
        return counted(number, self.one, self.few, self.many)

    def form(self, number: int) -> str:
        return plural(number, self.one, self.few, self.many)


def number_text(value: Decimal | int | float, places: int = 2) -> str:
    """1234.5 → «1 234,50»: a decimal comma and no-break spaces between thousands."""
    quantum = Decimal(1).scaleb(-places)
    text = f"{Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP):,.{places}f}"
    return text.replace(",", NBSP).replace(".", ",")


def money(amount: Decimal | int | None, *, sign: bool = True) -> str:
    """«1 500,50 ₽» (kopecks always shown); empty for None."""
    if amount is None:
        return ""
    text = number_text(amount, 2)
    if text.startswith("-"):
        text = "−" + text[1:]  # a real minus sign, as in print
    return f"{text}{NBSP}₽" if sign else text


def _local(value: dt.date | dt.datetime) -> dt.date | dt.datetime:
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def date(value: dt.date | dt.datetime | None) -> str:
    """«4 декабря 2026»; a moment in time is first moved to the company's zone."""
    if value is None:
        return ""
    value = _local(value)
    return f"{value.day}{NBSP}{MONTHS_GENITIVE[value.month - 1]} {value.year}"


def day_month(value: dt.date | dt.datetime) -> str:
    """«4 декабря», without the year."""
    value = _local(value)
    return f"{value.day}{NBSP}{MONTHS_GENITIVE[value.month - 1]}"


def date_time(value: dt.datetime | None) -> str:
    """«4 декабря 2026, 23:25» in the company's zone."""
    if value is None:
        return ""
    value = _local(value)
    return f"{date(value)}, {value:%H:%M}"


def month(value: dt.date) -> str:
    """«декабрь 2026»: a billing period (the first day of the month stands for the month)."""
    return f"{MONTHS[value.month - 1]} {value.year}"


def short_date(value: dt.date | dt.datetime | None) -> str:
    """«04.12.2026», for tables where a column of dates must line up."""
    if value is None:
        return ""
    return f"{_local(value):%d.%m.%Y}"
