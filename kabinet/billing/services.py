"""Billing actions: the ledger's own — a payment recorded, balances rebuilt.

Imports from the billing system live in imports/ (the entry point: `imports.import_file`);
the balances' arithmetic in balances.py.
"""

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction

from . import balances
from .models import Account, Payment, PaymentSource


@transaction.atomic
def record_payment(
    *,
    account: Account,
    amount: Decimal,
    paid_on: datetime.date,
    source: str = PaymentSource.ONLINE,
    external_id: str = "",
    note: str = "",
    period: datetime.date | None = None,
) -> Payment:
    """Record a payment (e.g. one the payment provider confirmed) and rebuild the account's
    balances. Idempotent by `external_id`: the same provider payment is recorded once.

    Without `period` the payment counts in the account's latest period with accruals up to the
    month of payment (the bill being paid), or in the month of payment if there is none.
    """
    if external_id:
        existing = Payment.objects.filter(source=source, external_id=external_id).first()
        if existing is not None:
            return existing
    if period is None:
        month = paid_on.replace(day=1)
        latest = (
            account.accruals.filter(period__lte=month).order_by("-period").values_list("period", flat=True)
        )
        period = latest.first() or month
    payment = Payment.objects.create(
        account=account,
        amount=amount,
        paid_on=paid_on,
        period=period,
        source=source,
        external_id=external_id,
        note=note,
    )
    balances.rebuild_balances([account.pk], since=period)
    return payment


def rebuild_balances(*, accounts: Iterable[Account]) -> int:
    """Rebuild the per-period balances of the given accounts from their accruals and payments."""
    with transaction.atomic():
        return balances.rebuild_balances([account.pk for account in accounts])
