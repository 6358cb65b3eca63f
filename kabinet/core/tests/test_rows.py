"""kabinet.core.rows: instances read by the cabinet's own SQL are what the ORM would give."""

from datetime import date
from decimal import Decimal

import pytest
from django.db.models.signals import post_init

from kabinet.billing import selectors
from kabinet.billing.models import Accrual
from kabinet.billing.tests.history import add_month

pytestmark = pytest.mark.django_db


def test_a_months_accruals_read_by_sql_equal_the_orms_and_save_as_existing_rows(ivanov_account):
    add_month(ivanov_account, date(2026, 10, 1), opening=Decimal("0"), recalculation=Decimal("-1.50"))

    read = selectors.month_accruals(ivanov_account, date(2026, 10, 1))
    orm = list(
        Accrual.objects.filter(account=ivanov_account, period=date(2026, 10, 1))
        .select_related("service")
        .order_by("service__order", "service__name")
    )

    assert [(a.pk, a.service.name, a.to_pay, a.volume) for a in read] == [
        (a.pk, a.service.name, a.to_pay, a.volume) for a in orm
    ]
    assert all(not a._state.adding and a._state.db == "default" for a in read)
    read[0].recalculation_reason = "исправлено"
    read[0].save(update_fields=["recalculation_reason"])  # an UPDATE of the row, not an INSERT
    assert Accrual.objects.get(pk=read[0].pk).recalculation_reason == "исправлено"


def test_a_model_something_listens_to_at_construction_is_made_by_its_constructor(ivanov_account):
    add_month(ivanov_account, date(2026, 10, 1), opening=Decimal("0"))
    made = []

    def listener(sender, instance, **kwargs):
        made.append(instance)

    post_init.connect(listener, sender=Accrual)
    try:
        from kabinet.core import rows

        rows.of(Accrual).__dict__.pop("_plain", None)  # decided again with the listener there
        read = selectors.month_accruals(ivanov_account, date(2026, 10, 1))
    finally:
        post_init.disconnect(listener, sender=Accrual)
        rows.of(Accrual).__dict__.pop("_plain", None)

    assert read and made == read
