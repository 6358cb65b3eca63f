"""Putting messages into the outbox and taking them out of it.

`send_sms` and `send_email` are called inside the transaction of the event that causes the
message; `deliver_due` is the worker's step. A worker claims one due row at a time: on
PostgreSQL with `SELECT … FOR UPDATE SKIP LOCKED`, so workers never wait for each other; on
SQLite the write lock taken at BEGIN serialises claims. The claim is a conditional UPDATE,
committed before the gateway is called: the message is «передаётся шлюзу» with a lease
(`claimed_until`) and a numbered `DeliveryAttempt`.

A worker that dies with the gateway's call in flight leaves a question nobody can answer from
here: did the gateway take the message? Neither SMS.ru nor Kannel has an idempotency key, so
the message is not sent again blindly. When the lease runs out it becomes «возможно
отправлено»: a Kannel delivery report for it says the gateway had it (`record_delivery_report`),
otherwise an operator decides in the back-office (`mark_sent` or `resend`). Delivery is thus at
most once without the operator, and nothing is lost: every such message waits in sight.
"""

import logging
import os
import socket
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from kabinet.audit.models import AuditEntry
from kabinet.audit.services import record

from . import limits
from .gateways import DeliveryError, gateway_for
from .models import DeliveryAttempt, OutboxMessage
from .sms import MAX_SEGMENTS, segments

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=1)
REPORTED = {OutboxMessage.Status.DELIVERED, OutboxMessage.Status.UNDELIVERED}
WORKER_NAME = f"{socket.gethostname()}:{os.getpid()}"


def send_sms(*, phone: str, text: str, sensitive: bool = False, mailing: bool = False) -> OutboxMessage:
    if (parts := segments(text)) > MAX_SEGMENTS:
        # Still sent (a long SITE_URL, say), but the company pays for every part: say so.
        log.warning("An SMS of %s segments was queued; Kabinet's texts aim at %s", parts, MAX_SEGMENTS)
    message = OutboxMessage(
        channel=OutboxMessage.Channel.SMS,
        recipient=phone,
        body=text,
        is_sensitive=sensitive,
        is_mailing=mailing,
    )
    if not mailing and not limits.take_place():  # the site-wide daily cap: kept, not sent
        limits.suppress(message)
    message.save()
    return message


def send_email(*, to: str, template: str, context: dict) -> OutboxMessage:
    """Render `messaging/email/<template>-subject.txt`, `-body.txt` and `-body.html`.

    The templates sit beside the app that sends them (`appeals/templates/messaging/email/`,
    `residents/…`, `meters/…`): messaging owns the envelope and the delivery, not the words.
    """
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


@dataclass(frozen=True)
class Resent:
    queued: int
    held_by_cap: int  # visitor SMS the daily cap keeps back: still not sent
    skipped: int  # neither failed nor possibly sent: already sent, or still on its way


RESENDABLE = (OutboxMessage.Status.FAILED, OutboxMessage.Status.UNCERTAIN)


@transaction.atomic
def resend(*, messages: QuerySet[OutboxMessage], staff, ip: str | None) -> Resent:
    """Staff send again messages that failed, or that were possibly sent and did not arrive
    (the operator checked the gateway's own log). Only those: a delivered code or rejection
    sent twice would confuse the resident and cost an SMS. A visitor SMS sent again takes a
    place under today's cap like a new one: resending never goes past the cap."""
    chosen = list(messages.select_for_update().filter(status__in=RESENDABLE))
    queued, held = [], 0
    for message in chosen:
        if (
            message.channel == OutboxMessage.Channel.SMS
            and not message.is_mailing
            and not limits.take_place()
        ):
            held += 1
            continue
        queued.append(message.pk)
    OutboxMessage.objects.filter(pk__in=queued).update(
        status=OutboxMessage.Status.QUEUED, next_attempt_at=timezone.now(), last_error="", gateway=""
    )
    if held:
        limits.alert_administrator()
    uncertain = [m.pk for m in chosen if m.status == OutboxMessage.Status.UNCERTAIN and m.pk in queued]
    record(
        action=AuditEntry.Action.MESSAGES_RESENT,
        actor=staff,
        ip=ip,
        target=f"сообщений: {len(queued)}",
        details={"queued": queued, "held_by_cap": held, "possibly_sent_before": uncertain},
    )
    return Resent(queued=len(queued), held_by_cap=held, skipped=messages.count() - len(chosen))


@transaction.atomic
def mark_sent(*, messages: QuerySet[OutboxMessage], staff, ip: str | None) -> int:
    """Staff found possibly-sent messages in the gateway's own log (SMS.ru's «Отправленные»,
    Kannel's access log): they are sent, and stay so. Returns how many were marked."""
    ids = list(
        messages.select_for_update()
        .filter(status=OutboxMessage.Status.UNCERTAIN)
        .values_list("pk", flat=True)
    )
    OutboxMessage.objects.filter(pk__in=ids).update(
        status=OutboxMessage.Status.SENT, sent_at=timezone.now(), last_error=""
    )
    record(
        action=AuditEntry.Action.MESSAGES_MARKED_SENT,
        actor=staff,
        ip=ip,
        target=f"сообщений: {len(ids)}",
        details={"marked": ids},
    )
    return len(ids)


@dataclass
class DeliveryRound:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    uncertain: int = 0  # left by a stopped worker, now waiting for a delivery report or an operator

    @property
    def total(self) -> int:
        return self.sent + self.retried + self.failed + self.uncertain


def _due() -> Q:
    return Q(status=OutboxMessage.Status.QUEUED, next_attempt_at__lte=timezone.now())


def _claim(message_id: int) -> OutboxMessage | None:
    """Take the message if it is still due; the caller holds a transaction."""
    lease = timedelta(seconds=settings.OUTBOX_CLAIM_SECONDS)
    claimed = OutboxMessage.objects.filter(_due(), pk=message_id).update(
        status=OutboxMessage.Status.SENDING,
        claimed_until=timezone.now() + lease,
        attempts=F("attempts") + 1,
    )
    return OutboxMessage.objects.get(pk=message_id) if claimed else None


UNCERTAIN_NOTE = (
    "Обработчик остановился, когда сообщение было у шлюза, и не узнал его ответа. "
    "Повторно не отправляется: проверьте по журналу шлюза, дошло ли оно."
)


def mark_abandoned(*, limit: int = 100) -> list[int]:
    """Messages whose worker's lease ran out become «возможно отправлено» (see the module's
    docstring); their unfinished attempts say the worker stopped. Returns their ids."""
    stale = OutboxMessage.objects.filter(
        status=OutboxMessage.Status.SENDING, claimed_until__lt=timezone.now()
    )
    if not stale.exists():  # the usual answer, without a write transaction every round
        return []
    with transaction.atomic():
        stale = stale.order_by("id")
        if connection.features.has_select_for_update_skip_locked:
            stale = stale.select_for_update(skip_locked=True)
        ids = [
            pk
            for pk in stale.values_list("id", flat=True)[:limit]
            # Conditional: the worker may have written its answer since the SELECT.
            if OutboxMessage.objects.filter(pk=pk, status=OutboxMessage.Status.SENDING).update(
                status=OutboxMessage.Status.UNCERTAIN, claimed_until=None, last_error=UNCERTAIN_NOTE
            )
        ]
        DeliveryAttempt.objects.filter(message__in=ids, outcome=DeliveryAttempt.Outcome.PENDING).update(
            outcome=DeliveryAttempt.Outcome.UNKNOWN, finished_at=timezone.now()
        )
    for message_id in ids:
        log.warning("Message %s possibly sent: its worker stopped during the gateway's call", message_id)
    return ids


def claim_next(*, worker: str = WORKER_NAME) -> tuple[OutboxMessage, DeliveryAttempt] | None:
    """The oldest due message, claimed for this worker with its attempt recorded, or None."""
    with transaction.atomic():
        due = OutboxMessage.objects.filter(_due()).order_by("next_attempt_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        message_id = due.values_list("id", flat=True).first()
        message = _claim(message_id) if message_id is not None else None
        if message is None:
            return None
        attempt = DeliveryAttempt.objects.create(message=message, number=message.attempts, worker=worker)
    return message, attempt


def _backoff(attempts: int) -> timedelta:
    return min(timedelta(seconds=settings.OUTBOX_RETRY_SECONDS * 2 ** (attempts - 1)), MAX_BACKOFF)


def deliver(message: OutboxMessage, attempt: DeliveryAttempt, round_: DeliveryRound) -> None:
    """Hand one claimed message to its gateway and record what happened."""
    gateway = gateway_for(message.channel)
    message.gateway = attempt.gateway = gateway.name
    message.claimed_until = None
    try:
        message.gateway_message_id = gateway.send(message)
    except Exception as exc:
        # A bug in a gateway must not stop the worker: an unexpected error is retried like an outage.
        retry = exc.retry if isinstance(exc, DeliveryError) else True
        if not isinstance(exc, DeliveryError):
            log.exception("Gateway %s crashed on message %s", gateway.name, message.pk)
        message.last_error = attempt.error = str(exc)[:2000] or type(exc).__name__
        if retry and message.attempts < settings.OUTBOX_MAX_ATTEMPTS:
            message.status = OutboxMessage.Status.QUEUED
            message.next_attempt_at = timezone.now() + _backoff(message.attempts)
            attempt.outcome = DeliveryAttempt.Outcome.RETRY
            round_.retried += 1
        else:
            message.status = OutboxMessage.Status.FAILED
            attempt.outcome = DeliveryAttempt.Outcome.FAILED
            round_.failed += 1
        log.warning("Message %s not delivered (attempt %s): %s", message.pk, message.attempts, exc)
    else:
        message.status = OutboxMessage.Status.SENT
        message.sent_at = timezone.now()
        message.last_error = ""
        attempt.outcome = DeliveryAttempt.Outcome.SENT
        attempt.gateway_message_id = message.gateway_message_id
        round_.sent += 1
    attempt.finished_at = timezone.now()
    _save_result_patiently(message, attempt)


# How long a worker keeps trying to write the gateway's answer while the database is away. Past
# its lease the message shows «возможно отправлено»; the answer, once written, settles it.
RESULT_PATIENCE = timedelta(minutes=10)


def _save_result_patiently(message: OutboxMessage, attempt: DeliveryAttempt) -> None:
    """The gateway has answered; a database that restarts just now must not lose that answer:
    it is the only knowledge of whether the message went. So it is written again and again."""
    give_up = timezone.now() + RESULT_PATIENCE
    while True:
        try:
            _save_result(message, attempt)
            return
        except (OperationalError, InterfaceError):
            if timezone.now() > give_up:
                raise
            log.warning("Result of message %s not saved: database away; trying again", message.pk)
            connection.close()
            time.sleep(1)  # the database is restarting: wait for it


def _save_result(message: OutboxMessage, attempt: DeliveryAttempt) -> None:
    with transaction.atomic():
        status, attempts = (
            OutboxMessage.objects.select_for_update().values_list("status", "attempts").get(pk=message.pk)
        )
        attempt.save()
        if attempts != attempt.number:
            # An operator sent it again meanwhile and a newer attempt owns it: this one's record
            # is kept, the message is the newer attempt's.
            log.warning("Message %s: attempt %s answered after a newer one began", message.pk, attempt.number)
            return
        # A delivery report can overtake the worker (Kannel calls back within milliseconds):
        # then the row already says what the phone said, and that stays.
        if status in REPORTED and message.status == OutboxMessage.Status.SENT:
            message.status = status
        message.save(
            update_fields=[
                "gateway",
                "gateway_message_id",
                "status",
                "next_attempt_at",
                "claimed_until",
                "last_error",
                "sent_at",
            ]
        )


def deliver_due(*, limit: int = 100, worker: str = WORKER_NAME) -> DeliveryRound:
    """Send what is due now, oldest first; one failing message does not stop the others."""
    round_ = DeliveryRound()
    round_.uncertain = len(mark_abandoned())
    for _ in range(limit):
        claimed = claim_next(worker=worker)
        if claimed is None:
            break
        deliver(*claimed, round_)
    return round_


# Kannel's report types (the `%d` of dlr-url): what each means for the message.
KANNEL_REPORTS = {
    1: (OutboxMessage.Status.DELIVERED, "доставлено на телефон"),
    2: (OutboxMessage.Status.UNDELIVERED, "не доставлено на телефон"),
    4: (None, "в очереди оператора"),
    8: (None, "принято оператором"),
    16: (OutboxMessage.Status.UNDELIVERED, "отклонено оператором"),
}


@transaction.atomic
def record_delivery_report(*, message_id: int, report_type: int, reply: str = "") -> OutboxMessage | None:
    """A delivery report from the SMS gateway: the message becomes delivered or undelivered.

    Reports may come late, twice or out of order; a final word (delivered) is never undone.
    """
    message = OutboxMessage.objects.select_for_update().filter(pk=message_id, channel="sms").first()
    if message is None or report_type not in KANNEL_REPORTS:
        return None
    status, text = KANNEL_REPORTS[report_type]
    if message.status == OutboxMessage.Status.DELIVERED:
        return message
    message.delivery_report = f"{text}: {reply}"[:200] if reply else text
    fields = ["delivery_report"]
    if status is None and message.status == OutboxMessage.Status.UNCERTAIN:
        # Any report means Kannel had the message: the question a stopped worker left is settled.
        status = OutboxMessage.Status.SENT
    if status is not None:
        if message.status == OutboxMessage.Status.UNCERTAIN:
            _settled_by_report(message)
            fields += ["sent_at", "last_error"]
        message.status = status
        fields.append("status")
        if status == OutboxMessage.Status.DELIVERED:
            message.delivered_at = timezone.now()
            fields.append("delivered_at")
    message.save(update_fields=fields)
    return message


def _settled_by_report(message: OutboxMessage) -> None:
    message.sent_at = message.sent_at or timezone.now()
    message.last_error = ""
    message.delivery_attempts.filter(outcome=DeliveryAttempt.Outcome.UNKNOWN).update(
        outcome=DeliveryAttempt.Outcome.SENT, error="принято шлюзом: пришёл отчёт о доставке"
    )
