from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError

from kabinet.meters import services
from kabinet.meters.models import Reading, Resource

from .conftest import JAN
from .factories import BuildingFactory, MeterFactory, ReadingFactory, history

pytestmark = pytest.mark.django_db
NOV_20 = date(2026, 11, 20)  # inside the company's default window, 15th–25th


def submit(meter, *values, today=NOV_20, confirmed=False):
    return services.submit_reading(
        meter=meter, values=tuple(Decimal(v) for v in values), today=today, confirmed=confirmed
    )


def test_reading_is_stored_for_the_period_with_its_consumption(company, cold_water):
    reading = submit(cold_water, "104.5")

    assert reading.period == date(2026, 11, 1)
    assert reading.value == Decimal("104.500")
    assert reading.consumption == Decimal("4.500")  # from the initial 100.000


def test_reading_lower_than_the_last_one_is_refused(company, cold_water):
    ReadingFactory(meter=cold_water, period=date(2026, 10, 1), value=Decimal("150"))

    with pytest.raises(services.ReadingRefused, match=r"меньше предыдущего \(150,000\)"):
        submit(cold_water, "149.9")
    assert not Reading.objects.filter(period=date(2026, 11, 1)).exists()


def test_counter_that_went_past_99999_starts_from_zero_and_is_accepted(company, cold_water):
    ReadingFactory(meter=cold_water, period=date(2026, 10, 1), value=Decimal("99995.500"), consumption=None)

    reading = submit(cold_water, "3.250")

    assert reading.consumption == Decimal("7.750")


def test_consumption_three_times_the_usual_asks_for_confirmation_then_is_accepted(company, cold_water):
    last = history(cold_water, start=JAN, months=10, use=Decimal(5))  # January–October, 5 m³ a month

    with pytest.raises(services.NeedsConfirmation, match="намного больше обычного"):
        submit(cold_water, last + 16)
    reading = submit(cold_water, last + 16, confirmed=True)

    assert reading.consumption == Decimal(16)
    assert reading.confirmed_high


def test_usual_consumption_after_a_missed_month_is_not_called_implausible(company, cold_water):
    last = history(cold_water, start=JAN, months=9, use=Decimal(5))  # nothing given in October

    reading = submit(cold_water, last + 12)  # two months' worth

    assert reading.consumption == Decimal(12)


def test_meter_past_its_verification_date_counts_as_out_of_order(company, ivanov_account):
    meter = MeterFactory(account=ivanov_account, next_check_date=date(2026, 11, 19))

    with pytest.raises(services.ReadingRefused, match="считается неисправным"):
        submit(meter, "101")


def test_outside_the_window_the_refusal_says_when_it_opens(company, cold_water):
    with pytest.raises(services.ReadingRefused, match="откроется 15 декабря"):
        submit(cold_water, "101", today=date(2026, 11, 26))


def test_a_building_window_overrides_the_company_one(company, ivanov_account):
    building = BuildingFactory(address="г. Тверь, ул. Советская, д. 12", opens_day=1, closes_day=10)
    meter = MeterFactory(account=ivanov_account, building=building)

    assert submit(meter, "101", today=date(2026, 11, 5)).period == date(2026, 11, 1)
    with pytest.raises(services.ReadingRefused, match="откроется 1 декабря"):
        submit(meter, "102", today=NOV_20)


def test_a_second_submission_in_the_window_corrects_the_first(company, cold_water):
    submit(cold_water, "104")
    corrected = submit(cold_water, "103.2", today=date(2026, 11, 25))

    assert Reading.objects.filter(meter=cold_water).count() == 1
    assert corrected.value == Decimal("103.200")
    assert corrected.consumption == Decimal("3.200")


def test_the_database_keeps_one_reading_per_meter_per_period(company, cold_water):
    ReadingFactory(meter=cold_water, period=JAN)

    with pytest.raises(IntegrityError):
        ReadingFactory(meter=cold_water, period=JAN, value=Decimal(110))


def test_two_tariff_electricity_takes_day_and_night_values(company, ivanov_account):
    meter = MeterFactory(
        account=ivanov_account,
        service=Resource.ELECTRICITY,
        tariffs=2,
        digits_before=6,
        digits_after=0,
        initial_value=Decimal(1000),
        initial_value_t2=Decimal(400),
    )

    reading = submit(meter, "1160", "470")

    assert (reading.value, reading.value_t2) == (Decimal(1160), Decimal(470))
    assert reading.consumption == Decimal(230)
    assert reading.shown == "Т1: 1160; Т2: 470"


def test_a_lower_night_value_is_refused_beside_the_night_field(company, ivanov_account):
    meter = MeterFactory(
        account=ivanov_account, service=Resource.ELECTRICITY, tariffs=2, digits_before=6, digits_after=0,
        initial_value=Decimal(1000), initial_value_t2=Decimal(400),
    )  # fmt: skip

    with pytest.raises(services.ReadingRefused) as refused:
        submit(meter, "1160", "390")
    assert refused.value.field == "value_2"
