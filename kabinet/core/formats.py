"""How numbers, money, dates and counted words are written for people: one helper for each.

Every resident page, SMS, e-mail, chart and payment document writes them through these functions
(or the template filters of the same names in `core/templatetags/formats.py`), so that the site
says «21 минуту», «1 234,50 ₽» and «4 декабря 2026» the same way everywhere. Machine formats
(a provider's "1234.56", a file's dates) are not written here: they follow their counterpart.
"""

from dataclasses import dataclass
from datetime import date as Date
from datetime import datetime as DateTime
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

NBSP = "\u00a0"  # keeps «₽» and the parts of a number on one line with what they belong to

MONTHS = (
    "январь", "февраль", "март", "апрель", "май", "июнь",
    "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь",
)  # fmt: skip
MONTHS_SHORT = (  # a chart's axis, where the year goes on a line of its own
    "янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек",
)  # fmt: skip
MONTHS_GENITIVE = (
    "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря",
)  # fmt: skip


def plural(n: int, one: str, few: str, many: str) -> str:
    """The form of a word that goes with the number n: plural(21, "минуту", "минуты", "минут")
    is «минуту», plural(3, …) «минуты», plural(11, …) and plural(5, …) «минут»."""
    n = abs(int(n))
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def counted(n: int, one: str, few: str, many: str) -> str:
    """The number and its word: «21 минуту», «3 минуты», «5 минут»."""
    return f"{n}{NBSP}{plural(n, one, few, many)}"


_QUANTA = tuple(Decimal(1).scaleb(-places) for places in range(7))  # made once, not per number


def number(value: Decimal | int | float, places: int = 2) -> str:
    """1234.5 -> «1 234,50»: thousands apart by a no-break space, a decimal comma."""
    # Rounded half up first: a Decimal's format spec rounds half to even (1,005 → «1,00»).
    if type(value) is not Decimal:
        value = Decimal(value)
    quantum = _QUANTA[places] if places < len(_QUANTA) else Decimal(1).scaleb(-places)
    text = format(value.quantize(quantum, rounding=ROUND_HALF_UP), f",.{places}f")
    return text.replace(",", NBSP).replace(".", ",")


def places(value: Decimal, *, least: int = 0, most: int = 3) -> int:
    """The decimals a value was given, kept between `least` and `most` (12.500 has 1)."""
    return min(max(-value.normalize().as_tuple().exponent, least), most)


def quantity(value: Decimal) -> str:
    """A volume or an area with the decimals it has, at most three: 12.500 -> «12,5», 54.3 м²."""
    return number(value, places(value))


def money(value: Decimal | int | float, places: int = 2) -> str:
    """1234.5 -> «1 234,50 ₽», with a no-break space before the sign so that it never wraps alone."""
    return f"{number(value, places)}{NBSP}₽"


def _local_day(value: Date | DateTime) -> Date:
    if isinstance(value, DateTime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def date(value: Date | DateTime) -> str:
    """«4 декабря 2026»: the one way a day is written on the site (a moment in the local zone)."""
    day = _local_day(value)
    return f"{day.day} {MONTHS_GENITIVE[day.month - 1]} {day.year}"


def date_time(value: DateTime) -> str:
    """«4 декабря 2026, 14:05» in the site's time zone."""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{date(local)}, {local:%H:%M}"


def day_month(value: Date | DateTime) -> str:
    """«25 декабря»: a day of the current year, when the year goes without saying."""
    day = _local_day(value)
    return f"{day.day} {MONTHS_GENITIVE[day.month - 1]}"


def month(value: Date) -> str:
    """«ноябрь 2026»: a billing or readings period."""
    return f"{MONTHS[value.month - 1]} {value.year}"


# --- The back-office: nouns in the forms its titles and counters need ---------------------------


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

    def counted(self, n: int) -> str:
        return counted(n, self.one, self.few, self.many)

    def form(self, n: int) -> str:
        return plural(n, self.one, self.few, self.many)


def short_date(value: Date | DateTime) -> str:
    """«04.12.2026», for tables where a column of dates must line up."""
    return f"{_local_day(value):%d.%m.%Y}"


def short_date_time(value: DateTime) -> str:
    """«04.12.2026 14:05» in the site's time zone, for the back-office's columns."""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{local:%d.%m.%Y %H:%M}"
