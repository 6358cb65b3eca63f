from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kabinet.billing.tests.factories import AccountFactory
from kabinet.meters.models import Meter, ReadingSchedule, Resource
from kabinet.testing import sign_in_staff

from .factories import MeterFactory, ReadingFactory

pytestmark = pytest.mark.django_db
METERS = reverse("admin:meters_meter_changelist")


@pytest.fixture
def staff(client, operator):
    sign_in_staff(client, operator)
    return client


def test_meter_list_filters_overdue_verification_and_service(staff, ivanov_account):
    MeterFactory(account=ivanov_account, serial_number="ХВ-OK")
    MeterFactory(account=ivanov_account, serial_number="ГВ-OLD", service=Resource.HOT_WATER,
                 next_check_date=timezone.localdate() - timedelta(days=1))  # fmt: skip

    overdue = staff.get(METERS, {"check": "overdue"}).content.decode()
    hot = staff.get(METERS, {"service": "hot_water"}).content.decode()

    assert "ГВ-OLD" in overdue and "ХВ-OK" not in overdue
    assert "просрочена" in overdue
    assert "ГВ-OLD" in hot and "ХВ-OK" not in hot


def test_meter_list_searches_by_account_number_and_serial(staff, ivanov_account):
    MeterFactory(account=ivanov_account, serial_number="ХВ-1")
    MeterFactory(account=AccountFactory(number="2000000001"), serial_number="ХВ-2")

    by_account = staff.get(METERS, {"q": "1000123456"}).content.decode()
    by_serial = staff.get(METERS, {"q": "ХВ-2"}).content.decode()

    assert "ХВ-1" in by_account and "ХВ-2" not in by_account
    assert "ХВ-2" in by_serial and "ХВ-1" not in by_serial


def test_meter_page_shows_its_readings_inline(staff, ivanov_account):
    meter = MeterFactory(account=ivanov_account)
    ReadingFactory(meter=meter, period=date(2026, 10, 1), value=Decimal("123.456"))

    html = staff.get(reverse("admin:meters_meter_change", args=[meter.pk])).content.decode()

    assert "123.456" in html or "123,456" in html
    assert "Показания" in html


def test_meter_added_in_the_back_office_gets_the_house_of_its_account(staff, ivanov_account):
    staff.post(
        reverse("admin:meters_meter_add"),
        {
            "account": ivanov_account.pk, "service": "cold_water", "tariffs": 1, "serial_number": "ХВ-9",
            "is_active": "on", "digits_before": 5, "digits_after": 3, "initial_value": "0",
            "readings-TOTAL_FORMS": 0, "readings-INITIAL_FORMS": 0,
        },
    )  # fmt: skip

    assert Meter.objects.get(serial_number="ХВ-9").building.address == "г. Тверь, ул. Советская, д. 12"


def test_reading_list_filters_by_period(staff, ivanov_account):
    meter = MeterFactory(account=ivanov_account)
    ReadingFactory(meter=meter, period=date(2026, 10, 1), value=Decimal("111.111"))
    ReadingFactory(meter=meter, period=date(2026, 11, 1), value=Decimal("222.222"))

    html = staff.get(reverse("admin:meters_reading_changelist"), {"period": "2026-11-01"}).content.decode()

    assert "222" in html and "111" not in html


def test_company_window_is_one_row_edited_in_place(staff):
    response = staff.get(reverse("admin:meters_readingschedule_changelist"))

    assert response.status_code == 302
    assert ReadingSchedule.objects.count() == 1


def meter_page_data(meter, **readings) -> dict:
    """The meter page as the operator sends it: the meter's fields, this month's reading row."""
    return {
        "account": meter.account_id, "building": meter.building_id, "service": meter.service,
        "tariffs": meter.tariffs, "serial_number": meter.serial_number, "is_active": "on",
        "digits_before": meter.digits_before, "digits_after": meter.digits_after,
        "initial_value": str(meter.initial_value).replace(".", ","), "next_check_date": "01.01.2030",
        "readings-TOTAL_FORMS": 1, "readings-INITIAL_FORMS": 0, "readings-MAX_NUM_FORMS": 1,
        **{f"readings-0-{name}": value for name, value in readings.items()},
        "readings-2-TOTAL_FORMS": 0, "readings-2-INITIAL_FORMS": 0,
    }  # fmt: skip


def test_a_reading_typed_on_the_meter_page_counts_this_month_as_the_operators(
    staff, ivanov_account, operator
):
    meter = MeterFactory(account=ivanov_account)  # starts at 100,000
    ReadingFactory(meter=meter, period=date(2026, 10, 1), value=Decimal("110.000"))

    response = staff.post(
        reverse("admin:meters_meter_change", args=[meter.pk]), meter_page_data(meter, value="120,5")
    )

    assert response.status_code == 302
    reading = meter.readings.get(period=timezone.localdate().replace(day=1))
    assert (reading.value, reading.source, reading.submitted_by) == (Decimal("120.5"), "operator", operator)
    assert reading.consumption == Decimal("10.5")


def test_a_reading_lower_than_the_last_is_refused_on_the_meter_page(staff, ivanov_account):
    meter = MeterFactory(account=ivanov_account)
    ReadingFactory(meter=meter, period=date(2026, 10, 1), value=Decimal("110.000"))

    response = staff.post(
        reverse("admin:meters_meter_change", args=[meter.pk]), meter_page_data(meter, value="105")
    )

    assert response.status_code == 200
    assert "Показание меньше предыдущего (110,000)" in response.content.decode()
    assert meter.readings.count() == 1


def test_past_readings_are_shown_not_edited_and_a_one_tariff_meter_has_no_second_tariff(
    staff, ivanov_account
):
    meter = MeterFactory(account=ivanov_account)
    ReadingFactory(meter=meter, period=date(2026, 10, 1), value=Decimal("110.000"), consumption=Decimal("10"))

    html = staff.get(reverse("admin:meters_meter_change", args=[meter.pk])).content.decode()

    assert "октябрь 2026" in html and "110,000" in html
    assert "-DELETE" not in html  # no delete boxes
    assert 'name="readings-2-0-value"' not in html  # the past month is not an input
    assert "Т2" not in html and "Т3" not in html


def test_a_two_tariff_meter_asks_for_day_and_night_and_nothing_more(staff, ivanov_account):
    meter = MeterFactory(
        account=ivanov_account, service=Resource.ELECTRICITY, tariffs=2, digits_after=0,
        initial_value=Decimal(100), initial_value_t2=Decimal(50),
    )  # fmt: skip

    html = staff.get(reverse("admin:meters_meter_change", args=[meter.pk])).content.decode()

    assert 'name="readings-0-value_t2"' in html and 'name="initial_value_t2"' in html
    assert 'name="readings-0-value_t3"' not in html and 'name="initial_value_t3"' not in html
