from datetime import date

from kabinet.meters.window import window_on


def test_window_is_open_from_the_15th_to_the_25th_inclusive():
    assert window_on(date(2026, 11, 15), opens_day=15, closes_day=25).is_open
    assert window_on(date(2026, 11, 25), opens_day=15, closes_day=25).is_open
    assert not window_on(date(2026, 11, 14), opens_day=15, closes_day=25).is_open


def test_before_the_window_it_opens_this_month():
    window = window_on(date(2026, 11, 3), opens_day=15, closes_day=25)

    assert window.opens == date(2026, 11, 15)
    assert window.text() == "Окно приёма показаний откроется 15 ноября."


def test_after_the_window_the_next_one_is_next_month_even_over_new_year():
    window = window_on(date(2026, 12, 26), opens_day=15, closes_day=25)

    assert window.opens == date(2027, 1, 15)
    assert window.period == date(2027, 1, 1)


def test_a_window_to_the_31st_closes_on_the_last_day_of_a_short_month():
    window = window_on(date(2027, 2, 28), opens_day=20, closes_day=31)

    assert window.is_open
    assert window.closes == date(2027, 2, 28)
    assert window.text() == "Окно приёма показаний открыто до 28 февраля включительно."
