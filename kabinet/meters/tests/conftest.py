from datetime import date

import pytest

from kabinet.core.models import User
from kabinet.meters.models import ReadingSchedule
from kabinet.residents.models import Resident, ResidentAccount

from .factories import MeterFactory

PASSWORD = "Sunflower-Tver-1961"


@pytest.fixture
def ivanov(ivanov_account) -> Resident:
    user = User.objects.create_user("1000123456", password=PASSWORD, email="ivanov@mail.ru")
    resident = Resident.objects.create(user=user, full_name="Иванов Иван Иванович", phone="+79123456789")
    ResidentAccount.objects.create(resident=resident, account=ivanov_account)
    return resident


@pytest.fixture
def window_open(db) -> ReadingSchedule:
    """The company's window covers the whole month: readings are accepted on any test day."""
    schedule = ReadingSchedule.load()
    schedule.opens_day, schedule.closes_day = 1, 31
    schedule.save()
    return schedule


@pytest.fixture
def window_closed(db) -> ReadingSchedule:
    """A one-day window that is not today."""
    from django.utils import timezone

    day = 2 if timezone.localdate().day != 2 else 3
    schedule = ReadingSchedule.load()
    schedule.opens_day = schedule.closes_day = day
    schedule.save()
    return schedule


@pytest.fixture
def cold_water(ivanov_account):
    return MeterFactory(account=ivanov_account, serial_number="ХВ-2231847")


JAN = date(2026, 1, 1)
