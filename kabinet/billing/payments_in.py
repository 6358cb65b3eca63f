"""Money that arrives outside the billing imports: online payments confirmed by the provider.

Kept apart from services.py (owned by the imports) so the two change independently. The caller
(payments.services.confirm_payment) holds the transaction and the lock on its own row; the unique
(source, external_id) of Payment is the database's last word against recording a payment twice.
"""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import F

from .models import Account, AccountPeriod, Payment, PaymentSource


def record_online_payment(
    *, account: Account, amount: Decimal, paid_on: date, external_id: str, note: str
) -> Payment:
    """A paid online payment as money on the account, counted in the month it was paid.

    The balances of that month and later ones move at once, so the overview shows the new debt
    without waiting for the next import (which rebuilds them from the same Payment rows).
    """
    period = paid_on.replace(day=1)
    with transaction.atomic():
        payment = Payment.objects.create(
            account=account,
            paid_on=paid_on,
            period=period,
            amount=amount,
            source=PaymentSource.ONLINE,
            external_id=external_id,
            note=note,
        )
        AccountPeriod.objects.filter(account=account, period=period).update(
            paid=F("paid") + amount, closing_balance=F("closing_balance") - amount
        )
        AccountPeriod.objects.filter(account=account, period__gt=period).update(
            opening_balance=F("opening_balance") - amount, closing_balance=F("closing_balance") - amount
        )
    return payment
