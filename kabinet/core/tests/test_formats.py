"""Numbers, money, dates and counted nouns as a Russian reader expects them."""

import datetime as dt
from decimal import Decimal

import pytest

from kabinet.core import formats

NBSP = "\u00a0"
SERVICE = ("услуга", "услуги", "услуг")


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        (0, "услуг"),
        (1, "услуга"),
        (2, "услуги"),
        (4, "услуги"),
        (5, "услуг"),
        (11, "услуг"),
        (12, "услуг"),
        (14, "услуг"),
        (21, "услуга"),
        (22, "услуги"),
        (25, "услуг"),
        (101, "услуга"),
        (111, "услуг"),
        (1024, "услуги"),
    ],
)
def test_plural_picks_the_form_russian_takes_after_a_number(number, expected):
    assert formats.plural(number, *SERVICE) == expected


def test_counted_groups_thousands_with_a_no_break_space():
    assert formats.counted(7, *SERVICE) == f"7{NBSP}услуг"
    assert formats.counted(1021, *SERVICE) == f"1{NBSP}021{NBSP}услуга"


def test_a_noun_counts_itself_and_keeps_its_accusative():
    resident = formats.Noun("житель", "жителя", "жителей", accusative="жителя")

    assert resident.counted(2) == f"2{NBSP}жителя"
    assert resident.counted(0) == f"0{NBSP}жителей"
    assert resident.accusative == "жителя"


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (Decimal("1500.5"), f"1{NBSP}500,50{NBSP}₽"),
        (Decimal("0"), f"0,00{NBSP}₽"),
        (Decimal("1234567.891"), f"1{NBSP}234{NBSP}567,89{NBSP}₽"),
        (Decimal("-12.5"), f"−12,50{NBSP}₽"),
        (Decimal("0.005"), f"0,01{NBSP}₽"),  # kopecks rounded half up, as the books do
    ],
)
def test_money_has_a_decimal_comma_grouped_thousands_and_a_sign_that_never_wraps(amount, expected):
    assert formats.money(amount) == expected


def test_money_of_nothing_is_empty():
    assert formats.money(None) == ""


def test_dates_take_the_genitive_month():
    assert formats.date(dt.date(2026, 12, 4)) == f"4{NBSP}декабря 2026"
    assert formats.day_month(dt.date(2026, 3, 1)) == f"1{NBSP}марта"
    assert formats.month(dt.date(2026, 5, 1)) == "май 2026"


def test_a_moment_is_shown_in_the_company_zone_not_in_utc(settings):
    settings.TIME_ZONE = "Europe/Moscow"
    late_evening = dt.datetime(2026, 12, 3, 20, 25, tzinfo=dt.UTC)  # 23:25 in Moscow

    assert formats.date_time(late_evening) == f"3{NBSP}декабря 2026, 23:25"
    assert formats.date(dt.datetime(2026, 12, 3, 21, 30, tzinfo=dt.UTC)) == f"4{NBSP}декабря 2026"
    assert formats.short_date(dt.datetime(2026, 12, 3, 21, 30, tzinfo=dt.UTC)) == "04.12.2026"
