"""Numbers, money, days and counted words: written one way on every page, SMS and document."""

import datetime as dt
from decimal import Decimal

import pytest

from kabinet.core import formats

NBSP = "\u00a0"


def test_numbers_read_the_russian_way():
    assert formats.number(Decimal("1234567.891")) == f"1{NBSP}234{NBSP}567,89"
    assert formats.number(Decimal("12.5"), 3) == "12,500"
    assert formats.number(12345, 0) == f"12{NBSP}345"


@pytest.mark.parametrize(
    ("value", "shown"),
    [("12.500", "12,5"), ("54.30", "54,3"), ("7", "7"), ("0.1234", "0,123"), ("1500.25", f"1{NBSP}500,25")],
)
def test_a_volume_keeps_the_decimals_it_has_up_to_three(value, shown):
    assert formats.quantity(Decimal(value)) == shown


def test_a_tariff_keeps_its_hundredths_of_a_kopeck():
    tariff = Decimal("6.1745")
    assert formats.money(tariff, formats.places(tariff, least=2, most=4)) == f"6,1745{NBSP}₽"
    assert formats.places(Decimal("52.3"), least=2, most=4) == 2


def test_a_day_of_the_reading_window_is_written_with_its_month_in_words():
    assert formats.day_month(dt.date(2026, 3, 25)) == "25 марта"
    assert formats.date(dt.date(2026, 12, 4)) == "4 декабря 2026"
    assert formats.month(dt.date(2026, 11, 1)) == "ноябрь 2026"


def test_back_office_columns_line_up_in_the_company_zone(settings):
    settings.TIME_ZONE = "Europe/Moscow"
    moment = dt.datetime(2026, 12, 3, 21, 5, tzinfo=dt.UTC)  # 00:05 on the 4th in Moscow
    assert formats.short_date(dt.date(2026, 1, 9)) == "09.01.2026"
    assert formats.short_date_time(moment) == "04.12.2026 00:05"


@pytest.mark.parametrize(
    ("n", "word"), [(1, "минуту"), (3, "минуты"), (11, "минут"), (21, "минуту"), (112, "минут")]
)
def test_a_counted_word_agrees_with_its_number(n, word):
    assert formats.plural(n, "минуту", "минуты", "минут") == word
