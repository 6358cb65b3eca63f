from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kabinet.billing.tests.factories import AccountFactory
from kabinet.meters.models import Meter, ReadingSchedule, Service
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
    MeterFactory(account=ivanov_account, serial_number="ГВ-OLD", service=Service.HOT_WATER,
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


def test_a_reading_added_on_the_meter_page_is_marked_as_the_operators(staff, ivanov_account, operator):
    meter = MeterFactory(account=ivanov_account)
    data = {
        "account": ivanov_account.pk, "building": meter.building_id, "service": "cold_water", "tariffs": 1,
        "serial_number": meter.serial_number, "is_active": "on", "digits_before": 5, "digits_after": 3,
        "initial_value": "100", "next_check_date": "01.01.2030",
        "readings-TOTAL_FORMS": 1, "readings-INITIAL_FORMS": 0,
        "readings-0-period": "01.10.2026", "readings-0-value": "120,5", "readings-0-source": "resident",
    }  # fmt: skip

    staff.post(reverse("admin:meters_meter_change", args=[meter.pk]), data)

    reading = meter.readings.get()
    assert (reading.value, reading.source, reading.submitted_by) == (Decimal("120.5"), "operator", operator)
