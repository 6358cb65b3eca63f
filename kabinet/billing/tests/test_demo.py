import datetime
from decimal import Decimal

import pytest

from kabinet.billing.demo import demo_periods, load_demo_billing
from kabinet.billing.models import AccountPeriod, Accrual, Payment
from kabinet.demo.loader import DEMO_ACCOUNTS, load_demo_data

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 25)


def test_every_demo_account_gets_a_year_of_charges_with_a_debt_and_loading_twice_changes_nothing():
    load_demo_data()
    numbers = [number for number, *_ in DEMO_ACCOUNTS]
    load_demo_billing(numbers, today=TODAY)
    snapshot = sorted(AccountPeriod.objects.values_list("account__number", "period", "closing_balance"))

    load_demo_billing(numbers, today=TODAY)

    assert (
        sorted(AccountPeriod.objects.values_list("account__number", "period", "closing_balance")) == snapshot
    )
    periods = demo_periods(TODAY)
    assert (periods[0], periods[-1]) == (datetime.date(2025, 11, 1), datetime.date(2026, 10, 1))
    for number in numbers:
        lines = Accrual.objects.filter(account__number=number)
        assert set(lines.values_list("period", flat=True)) == set(periods)
        assert 6 <= lines.filter(period=periods[-1]).count() <= 8
        latest = AccountPeriod.objects.filter(account__number=number).latest("period")
        assert latest.period == periods[-1]
        assert latest.closing_balance > 0  # one month was left unpaid
    resident = Accrual.objects.filter(account__number="1000123461")
    assert resident.exclude(recalculation=0).get().recalculation_reason.startswith("Перерасчёт за отопление")
    assert resident.filter(benefit__gt=0).exists()
    assert {"meter", "norm"} <= set(resident.values_list("volume_source", flat=True))
    assert Payment.objects.filter(account__number="1000123462").count() == 11
    assert Accrual.objects.filter(tariff__gt=Decimal("5000")).count() == 0
