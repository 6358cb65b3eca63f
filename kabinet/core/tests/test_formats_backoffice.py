"""The formats the back-office leans on: nouns by number, money and moments in the company's zone."""

import datetime as dt
from decimal import Decimal

import pytest

from kabinet.core import formats

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("number", "expected"),
    [(0, "услуг"), (1, "услуга"), (2, "услуги"), (5, "услуг"), (11, "услуг"), (21, "услуга"), (112, "услуг")],
)
def test_a_noun_takes_the_form_its_number_asks_for(number, expected):
    service = formats.Noun("услуга", "услуги", "услуг", accusative="услугу")

    assert service.form(number) == expected
    assert service.counted(number) == f"{number}{NBSP}{expected}"


def test_money_groups_thousands_and_keeps_the_sign_with_the_number():
    assert formats.money(Decimal("1500.5")) == f"1{NBSP}500,50{NBSP}₽"


def test_a_moment_is_shown_in_the_company_zone_not_in_utc(settings):
    settings.TIME_ZONE = "Europe/Moscow"
    late_evening = dt.datetime(2026, 12, 3, 20, 25, tzinfo=dt.UTC)  # 23:25 in Moscow
    after_midnight = dt.datetime(2026, 12, 3, 21, 30, tzinfo=dt.UTC)  # 00:30 on the 4th

    assert formats.date_time(late_evening) == "3 декабря 2026, 23:25"
    assert formats.date(after_midnight) == "4 декабря 2026"
    assert formats.short_date(after_midnight) == "04.12.2026"
