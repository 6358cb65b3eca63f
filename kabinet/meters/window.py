"""The reading window as dates: when it opens and closes around a given day. No database here."""

import calendar
from dataclasses import dataclass
from datetime import date

from kabinet.core.formats import day_month


def add_months(day: date, months: int) -> date:
    """The first day of the month `months` after the month of `day`."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def months_between(earlier: date, later: date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month


@dataclass(frozen=True)
class Window:
    """The window that is open on `today`, or the next one to open."""

    opens: date
    closes: date
    today: date

    @property
    def is_open(self) -> bool:
        return self.opens <= self.today <= self.closes

    @property
    def period(self) -> date:
        """The period readings taken in this window belong to: the first day of its month."""
        return self.opens.replace(day=1)

    def text(self) -> str:
        if self.is_open:
            return f"Окно приёма показаний открыто до {day_month(self.closes)} включительно."
        return f"Окно приёма показаний откроется {day_month(self.opens)}."


def _in_month(month: date, opens_day: int, closes_day: int, today: date) -> Window:
    last = calendar.monthrange(month.year, month.month)[1]
    return Window(
        opens=month.replace(day=min(opens_day, last)),
        closes=month.replace(day=min(closes_day, last)),
        today=today,
    )


def window_on(today: date, *, opens_day: int, closes_day: int) -> Window:
    """This month's window until it closes, then next month's."""
    this_month = _in_month(today.replace(day=1), opens_day, closes_day, today)
    if today <= this_month.closes:
        return this_month
    return _in_month(add_months(today, 1), opens_day, closes_day, today)
