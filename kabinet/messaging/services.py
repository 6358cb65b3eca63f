"""Putting messages into the outbox and taking them out of it.

`send_sms` and `send_email` are called inside the transaction of the event that causes the
message; `deliver_due` is the worker's step. Claiming a row is a conditional UPDATE, so any
number of workers on one database never deliver a message twice.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from . import limits
from .gateways import DeliveryError, gateway_for
from .models import OutboxMessage

log = logging.getLogger(__name__)

CLAIM_LEASE = timedelta(minutes=5)  # a worker that died mid-send gives its rows back after this
MAX_BACKOFF = timedelta(hours=1)


def send_sms(*, phone: str, text: str, sensitive: bool = False) -> OutboxMessage:
    message = OutboxMessage(
        channel=OutboxMessage.Channel.SMS, recipient=phone, body=text, is_sensitive=sensitive
    )
    if limits.cap_reached():  # the site-wide daily cap (issue 3): kept, not sent
        limits.suppress(message)
    message.save()
    return message


def send_email(*, to: str, template: str, context: dict) -> OutboxMessage:
    """Render `messaging/email/<template>-subject.txt`, `-body.txt` and `-body.html`."""
    base = f"messaging/email/{template}"
    context = {"site_url": settings.SITE_URL, **context}
    subject = " ".join(render_to_string(f"{base}-subject.txt", context).split())
    return OutboxMessage.objects.create(
        channel=OutboxMessage.Channel.EMAIL,
        recipient=to,
        subject=subject[:200],
        body=render_to_string(f"{base}-body.txt", context),
        html_body=render_to_string(f"{base}-body.html", context),
    )


@dataclass
class DeliveryRound:
    sent: int = 0
    retried: int = 0
    failed: int = 0

    @property
    def total(self) -> int:
        return self.sent + self.retried + self.failed


def _due() -> Q:
    now = timezone.now()
    queued = Q(status=OutboxMessage.Status.QUEUED, next_attempt_at__lte=now)
    abandoned = Q(status=OutboxMessage.Status.SENDING, claimed_until__lt=now)
    return queued | abandoned


def _claim(message_id: int) -> OutboxMessage | None:
    now = timezone.now()
    claimed = OutboxMessage.objects.filter(_due(), pk=message_id).update(
        status=OutboxMessage.Status.SENDING, claimed_until=now + CLAIM_LEASE
    )
    return OutboxMessage.objects.get(pk=message_id) if claimed else None


def _backoff(attempts: int) -> timedelta:
    return min(timedelta(seconds=10 * 2 ** (attempts - 1)), MAX_BACKOFF)


def deliver(message: OutboxMessage, round_: DeliveryRound) -> None:
    gateway = gateway_for(message.channel)
    message.attempts += 1
    message.gateway = gateway.name
    message.claimed_until = None
    try:
        message.gateway_message_id = gateway.send(message)
    except DeliveryError as exc:
        message.last_error = str(exc)[:2000]
        if exc.retry and message.attempts < settings.OUTBOX_MAX_ATTEMPTS:
            message.status = OutboxMessage.Status.QUEUED
            message.next_attempt_at = timezone.now() + _backoff(message.attempts)
            round_.retried += 1
        else:
            message.status = OutboxMessage.Status.FAILED
            round_.failed += 1
        log.warning("Message %s not delivered (attempt %s): %s", message.pk, message.attempts, exc)
    else:
        message.status = OutboxMessage.Status.SENT
        message.sent_at = timezone.now()
        message.last_error = ""
        round_.sent += 1
    message.save(
        update_fields=[
            "attempts",
            "gateway",
            "gateway_message_id",
            "status",
            "next_attempt_at",
            "claimed_until",
            "last_error",
            "sent_at",
        ]
    )


def deliver_due(*, limit: int = 100) -> DeliveryRound:
    """Send what is due now, oldest first; one failing message does not stop the others."""
    round_ = DeliveryRound()
    ids = list(
        OutboxMessage.objects.filter(_due())
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:limit]
    )
    for message_id in ids:
        with transaction.atomic():
            message = _claim(message_id)
        if message is not None:
            deliver(message, round_)
    return round_
