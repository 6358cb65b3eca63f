"""Online payment: start it at the provider, and record it once the provider confirms it.

The provider is called outside any database transaction (a slow provider must not hold locks);
the payment's own row is written before the call, so an answer that never comes leaves a trace,
and the Idempotence-Key makes a repeated call create nothing new at the provider.
"""

import logging
from decimal import Decimal
from urllib.parse import urlencode

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from kabinet.billing.models import Account, PaymentSource
from kabinet.billing.services import record_payment
from kabinet.residents.models import Resident

from .models import OnlinePayment
from .providers import ProviderError, ProviderPayment, get_provider

log = logging.getLogger(__name__)


def start_payment(*, account: Account, resident: Resident, amount: Decimal, site_url: str) -> OnlinePayment:
    """Create the payment at the provider; the resident then follows `confirmation_url`.

    `site_url` (scheme and host) is where the provider sends the resident back to: the payment's
    own result page, which names the account so the cabinet shows the right one.

    Raises ProviderError when the provider refuses or does not answer; the row stays «создан».
    """
    provider = get_provider()
    payment = OnlinePayment.objects.create(
        account=account, resident=resident, amount=amount, provider=provider.name
    )
    answer = provider.create_payment(
        amount=amount,
        description=f"Оплата ЖКУ, лицевой счёт {account.number}",
        return_url=site_url + result_path(payment),
        idempotence_key=str(payment.idempotence_key),
        metadata={"account": account.number, "kabinet_payment": str(payment.idempotence_key)},
    )
    payment.provider_payment_id = answer.id
    payment.confirmation_url = answer.confirmation_url
    payment.status = OnlinePayment.Status.PENDING
    payment.save(update_fields=["provider_payment_id", "confirmation_url", "status", "updated_at"])
    return payment


def result_path(payment: OnlinePayment) -> str:
    query = urlencode({"account": payment.account.number})
    return f"{reverse('payments:result', args=[payment.idempotence_key])}?{query}"


def confirm_payment(*, provider_payment_id: str) -> OnlinePayment | None:
    """Ask the provider about a payment and record what it says; safe to call any number of times.

    Called by the webhook, by the return page and by the development provider. Nothing in a
    notification is believed: only the provider's own answer to GET /payments/{id}. Returns
    None when the payment is not one of ours.
    """
    payment = OnlinePayment.objects.filter(provider_payment_id=provider_payment_id).first()
    if payment is None or payment.status in (OnlinePayment.Status.SUCCEEDED, OnlinePayment.Status.CANCELED):
        return payment
    answer = get_provider().get_payment(provider_payment_id)
    if answer.succeeded:
        return _record_success(payment.pk, answer)
    if answer.status == "canceled":
        OnlinePayment.objects.filter(pk=payment.pk, status=OnlinePayment.Status.PENDING).update(
            status=OnlinePayment.Status.CANCELED, updated_at=timezone.now()
        )
        payment.refresh_from_db()
    return payment


def _record_success(pk: int, answer: ProviderPayment) -> OnlinePayment:
    try:
        with transaction.atomic():
            # The row lock makes concurrent notifications wait here; the one that comes second
            # finds the payment already recorded. The unique constraints stand behind the lock.
            payment = OnlinePayment.objects.select_for_update().select_related("account").get(pk=pk)
            if payment.status == OnlinePayment.Status.SUCCEEDED:
                return payment
            _check_matches(payment, answer)
            now = timezone.now()
            payment.billing_payment = record_payment(
                account=payment.account,
                source=PaymentSource.ONLINE,
                amount=payment.amount,
                paid_on=timezone.localdate(now),
                external_id=answer.id,
                note="Онлайн-оплата в личном кабинете",
            )
            payment.status = OnlinePayment.Status.SUCCEEDED
            payment.paid_at = now
            payment.save(update_fields=["billing_payment", "status", "paid_at", "updated_at"])
            return payment
    except IntegrityError:
        # Another process recorded it between our read and our write (SQLite has no row locks).
        payment = OnlinePayment.objects.get(pk=pk)
        if payment.status != OnlinePayment.Status.SUCCEEDED:
            raise
        return payment


def _check_matches(payment: OnlinePayment, answer: ProviderPayment) -> None:
    if answer.amount != payment.amount or answer.currency != "RUB":
        log.error(
            "payment %s: provider says %s %s, we asked %s RUB",
            answer.id,
            answer.amount,
            answer.currency,
            payment.amount,
        )
        raise ProviderError("the provider's amount differs from the payment's", retryable=False)
    if answer.metadata.get("account") != payment.account.number:
        raise ProviderError("the provider's payment names another account", retryable=False)


def handle_notification(body: object) -> OnlinePayment | None:
    """The provider's POST to our webhook: only its payment id is used, to ask the provider."""
    if not isinstance(body, dict) or body.get("type") != "notification":
        raise ValueError("not a notification")
    event = body.get("event")
    payment_id = (body.get("object") or {}).get("id") if isinstance(body.get("object"), dict) else None
    if not isinstance(payment_id, str) or not payment_id:
        raise ValueError("no payment id")
    if event not in ("payment.succeeded", "payment.canceled", "payment.waiting_for_capture"):
        return None  # refunds and payouts are not ours to handle
    return confirm_payment(provider_payment_id=payment_id)


def dev_decide(*, provider_id: str, pay: bool) -> OnlinePayment | None:
    """The development provider's page: the resident pays or declines, then «the provider» notifies."""
    from .models import DevProviderPayment

    DevProviderPayment.objects.filter(provider_id=provider_id, status="pending").update(
        status="succeeded" if pay else "canceled"
    )
    return handle_notification(
        {
            "type": "notification",
            "event": "payment.succeeded" if pay else "payment.canceled",
            "object": {"id": provider_id},
        }
    )
