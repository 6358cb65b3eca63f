"""The due date follows the period (ЖК РФ ст. 155 ч. 1 as amended by 177-ФЗ): the 10th of the next
month for periods before March 2026, the 15th from March 2026 on; no setting moves it."""

import datetime
from decimal import Decimal

import pytest
from django.test import override_settings
from django.urls import reverse

from kabinet.billing.balances import rebuild_balances
from kabinet.billing.due_dates import document_due, payment_due
from kabinet.billing.models import AccountPeriod, Accrual, Service

from .factories import AccountFactory
from .history import PASSWORD, resident_with

D = datetime.date


@pytest.mark.parametrize(
    ("period", "due"),
    [
        (D(2025, 12, 1), D(2026, 1, 10)),
        (D(2026, 1, 1), D(2026, 2, 10)),
        (D(2026, 2, 1), D(2026, 3, 10)),  # February 2026: still the old rule
        (D(2026, 3, 1), D(2026, 4, 15)),  # the first period under the amended ст. 155
        (D(2026, 4, 1), D(2026, 5, 15)),
        (D(2026, 12, 1), D(2027, 1, 15)),
        (D(2026, 3, 17), D(2026, 4, 15)),  # any day of the month names the month
    ],
)
def test_payment_is_due_by_the_10th_before_march_2026_and_by_the_15th_after(period, due):
    assert payment_due(period) == due


def test_the_payment_document_is_due_by_the_1st_before_march_2026_and_by_the_5th_after():
    assert document_due(D(2026, 2, 1)) == D(2026, 3, 1)
    assert document_due(D(2026, 3, 1)) == D(2026, 4, 5)


@pytest.mark.django_db
@override_settings(KABINET_BILLING_DUE_DAY=25, BILLING_DUE_DAY=25)  # a setting of old: ignored
def test_balances_carry_the_due_date_of_their_period():
    account = AccountFactory()
    service = Service.objects.create(code="hvs", name="Холодная вода")
    for month in (1, 2, 3, 4):
        Accrual.objects.create(
            account=account,
            period=D(2026, month, 1),
            service=service,
            accrued=Decimal("100.00"),
            to_pay=Decimal("100.00"),
        )
    rebuild_balances([account.pk])

    dues = dict(AccountPeriod.objects.filter(account=account).values_list("period", "due_date"))

    assert dues == {
        D(2026, 1, 1): D(2026, 2, 10),
        D(2026, 2, 1): D(2026, 3, 10),
        D(2026, 3, 1): D(2026, 4, 15),
        D(2026, 4, 1): D(2026, 5, 15),
    }


@pytest.mark.django_db
def test_the_charges_page_and_the_overview_say_the_date_of_the_period(client, company):
    account = AccountFactory()
    service = Service.objects.create(code="hvs", name="Холодная вода")
    for month in (2, 3):
        Accrual.objects.create(
            account=account,
            period=D(2026, month, 1),
            service=service,
            accrued=Decimal("100.00"),
            to_pay=Decimal("100.00"),
        )
    rebuild_balances([account.pk])
    resident_with(account)
    assert client.login(username=account.number, password=PASSWORD)

    february = client.get(reverse("billing:charges"), {"period": "2026-02"}).content.decode()
    march = client.get(reverse("billing:charges"), {"period": "2026-03"}).content.decode()
    overview = client.get(reverse("residents:cabinet")).content.decode()

    assert "10 марта 2026" in february
    assert "15 апреля 2026" in march
    assert "до 15 апреля" in overview
