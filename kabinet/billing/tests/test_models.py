import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from kabinet.billing.models import AccountPeriod, Accrual, Payment, PaymentSource, Service
from kabinet.billing.tests.factories import AccountFactory

pytestmark = pytest.mark.django_db

OCT = datetime.date(2026, 10, 1)


@pytest.fixture
def water() -> Service:
    return Service.objects.create(code="hvs", name="Холодное водоснабжение", unit="м³")


def _accrual(account, service, **fields) -> Accrual:
    values = {
        "period": OCT,
        "tariff": Decimal("46.2500"),
        "volume": Decimal("3.200"),
        "unit": "м³",
        "volume_source": "meter",
        "accrued": Decimal("148.00"),
        "recalculation": Decimal("0.10"),
        "benefit": Decimal("0.20"),
        "to_pay": Decimal("147.90"),
    } | fields
    return Accrual.objects.create(account=account, service=service, **values)


def _refused(**fields) -> bool:
    """Whether the database refuses the accrual (each attempt in its own savepoint)."""
    try:
        with transaction.atomic():
            _accrual(fields.pop("account"), fields.pop("service"), **fields)
    except IntegrityError:
        return True
    return False


def test_an_accrual_whose_sums_add_up_is_kept_to_the_kopeck(water):
    accrual = _accrual(AccountFactory(), water)

    accrual.refresh_from_db()
    assert accrual.to_pay == Decimal("147.90")
    assert accrual.volume == Decimal("3.2")


def test_the_database_refuses_accruals_that_break_the_books(water):
    account = AccountFactory()

    assert _refused(account=account, service=water, to_pay=Decimal("148.00"))  # 148 + 0.10 − 0.20 ≠ 148
    assert _refused(account=account, service=water, accrued=Decimal("-1"), to_pay=Decimal("-1.10"))
    assert _refused(account=account, service=water, benefit=Decimal("-1"), to_pay=Decimal("149.10"))
    assert _refused(account=account, service=water, volume=Decimal("-1"))
    assert _refused(account=account, service=water, period=datetime.date(2026, 10, 15))
    assert not _refused(account=account, service=water)
    assert _refused(account=account, service=water)  # the same service twice in a period


def test_a_refund_may_leave_a_negative_amount_to_pay(water):
    accrual = _accrual(
        AccountFactory(),
        water,
        recalculation=Decimal("-300.00"),
        benefit=Decimal("0"),
        to_pay=Decimal("-152.00"),
    )

    assert accrual.pk


def test_payments_need_a_positive_amount_and_a_unique_external_id():
    account = AccountFactory()

    def pay(**fields) -> None:
        values = {"paid_on": datetime.date(2026, 10, 12), "period": OCT, "amount": Decimal("100.00")} | fields
        with transaction.atomic():
            Payment.objects.create(account=account, source=PaymentSource.BILLING, **values)

    pay(external_id="")
    pay(external_id="")  # no id: nothing to be unique
    pay(external_id="A-1")
    with pytest.raises(IntegrityError):
        pay(external_id="A-1")
    with pytest.raises(IntegrityError):
        pay(amount=Decimal("0"))


def test_a_balance_must_close_at_opening_plus_accrued_minus_paid():
    account = AccountFactory()
    values = {
        "account": account,
        "period": OCT,
        "opening_balance": Decimal("0.10"),
        "accrued": Decimal("0.20"),
        "paid": Decimal("0.00"),
        "due_date": datetime.date(2026, 11, 10),
    }

    with pytest.raises(IntegrityError), transaction.atomic():
        AccountPeriod.objects.create(closing_balance=Decimal("0.31"), **values)
    balance = AccountPeriod.objects.create(closing_balance=Decimal("0.30"), **values)
    assert balance.amount_due == Decimal("0.30")
