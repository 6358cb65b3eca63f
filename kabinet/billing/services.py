"""Billing actions: the ledger's own — a payment recorded, balances rebuilt.

Imports from the billing system live in imports/ (the entry point: `imports.import_file`);
the balances' arithmetic in balances.py.
"""

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from kabinet.audit.models import AuditEntry
from kabinet.audit.services import record as audit
from kabinet.core import formats
from kabinet.core.errors import Refusal

from . import balances
from .models import Account, Payment, PaymentSource, UnmatchedPayment


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


class AssignRefused(Refusal):
    """An unmatched payment can't be assigned (another operator did it first)."""


@transaction.atomic
def assign_unmatched_payment(
    *,
    unmatched: UnmatchedPayment,
    account: Account,
    period: datetime.date | None = None,
    user=None,
    ip: str | None = None,
) -> Payment:
    """Put a payment from the «Неразнесённые платежи» list on an account: it becomes a bank
    `Payment` with the bank's operation id (so that the file loaded again changes nothing), the
    account's balances are rebuilt, and the audit log says who did it. `period` is the month it
    counts in (by default the file's, else as `record_payment` finds it)."""
    locked = UnmatchedPayment.objects.select_for_update().get(pk=unmatched.pk)
    if locked.status != UnmatchedPayment.Status.WAITING:
        raise AssignRefused("Этот платёж уже разнесён — обновите страницу.")
    source = "реестр" if locked.source == UnmatchedPayment.Source.REGISTRY else "выписка"
    payment = record_payment(
        account=account,
        amount=locked.amount,
        paid_on=locked.paid_on,
        source=PaymentSource.BANK,
        external_id=locked.external_id,
        note=f"{source} {locked.file_name}, разнесён вручную"[:200],
        period=period or locked.period,
    )
    locked.status = UnmatchedPayment.Status.ASSIGNED
    locked.payment = payment
    locked.assigned_by = user
    locked.assigned_at = timezone.now()
    locked.save(update_fields=["status", "payment", "assigned_by", "assigned_at"])
    audit(
        action=AuditEntry.Action.PAYMENT_ASSIGNED,
        actor=user,
        ip=ip,
        target=f"л/с {account.number}",
        details={
            "сумма": formats.money(locked.amount),
            "дата оплаты": formats.date(locked.paid_on),
            "операция банка": locked.external_id,
            "файл": locked.file_name,
            "в файле": locked.account_text,
        },
    )
    return payment


def assign_known_accounts(*, unmatched: Iterable[UnmatchedPayment], user=None, ip: str | None = None) -> int:
    """Assign each waiting payment whose account, as the file named it, is now known (its
    accounts were loaded since); the number assigned."""
    count = 0
    for item in unmatched:
        if item.status != UnmatchedPayment.Status.WAITING or not item.account_text:
            continue
        account = Account.objects.filter(number=item.account_text).first()
        if account is None:
            continue
        assign_unmatched_payment(unmatched=item, account=account, user=user, ip=ip)
        count += 1
    return count


def rebuild_balances(*, accounts: Iterable[Account]) -> int:
    """Rebuild the per-period balances of the given accounts from their accruals and payments."""
    with transaction.atomic():
        return balances.rebuild_balances([account.pk for account in accounts])
