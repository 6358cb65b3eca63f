"""Personas of the API's tests: Ivanov with a year of charges and three meters, and a neighbour
whose data Ivanov's token must never reach."""

from datetime import date
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from kabinet.api import services
from kabinet.billing.tests.factories import AccountFactory
from kabinet.billing.tests.history import PASSWORD, make_history, resident_with
from kabinet.meters.models import ReadingSchedule, Resource
from kabinet.meters.tests.factories import MeterFactory, history

MONTH = date(2026, 1, 1)


@pytest.fixture
def window_open(db) -> ReadingSchedule:
    schedule = ReadingSchedule.load()
    schedule.opens_day, schedule.closes_day = 1, 31
    schedule.save()
    return schedule


@pytest.fixture
def ivanov(company, ivanov_account, window_open):
    """Ivanov: a year of charges, cold and hot water and a two-tariff electricity meter."""
    make_history(ivanov_account)
    resident = resident_with(ivanov_account)
    cold = MeterFactory(account=ivanov_account, serial_number="ХВ-2231847")
    hot = MeterFactory(account=ivanov_account, serial_number="ГВ-1182", service=Resource.HOT_WATER)
    power = MeterFactory(
        account=ivanov_account,
        serial_number="Э-55",
        service=Resource.ELECTRICITY,
        tariffs=2,
        digits_after=0,
        initial_value=Decimal(1000),
        initial_value_t2=Decimal(500),
    )
    history(cold, start=date(2025, 1, 1), months=6, use=Decimal("3.000"))
    resident.meters = {"cold": cold, "hot": hot, "power": power}
    return resident


@pytest.fixture
def neighbour(db, window_open):
    account = AccountFactory(number="1000999001", holder_name="Петрова Анна Сергеевна")
    make_history(account, months=2)
    resident = resident_with(account)
    resident.meter = MeterFactory(account=account, serial_number="ХВ-777")
    return resident


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def token(ivanov) -> str:
    _, raw = services.issue_token(resident=ivanov, device_name="Тест", how="password", ip=None)
    return raw


@pytest.fixture
def signed(api, token) -> APIClient:
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return api


__all__ = ["PASSWORD"]


@pytest.fixture
def fresh_token(ivanov) -> str:
    """A token for Ivanov, renewed if an example before revoked it."""
    _, raw = services.issue_token(resident=ivanov, device_name="schemathesis", how="password", ip=None)
    return raw


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    """Appeal attachments and receipts of the tests go to a directory of their own."""
    settings.APPEALS_FILES_DIR = tmp_path / "private" / "appeals"
    settings.BILLING_RECEIPTS_DIR = tmp_path / "private" / "receipts"
    return settings.APPEALS_FILES_DIR
