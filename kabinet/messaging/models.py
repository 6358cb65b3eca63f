from django.db import models
from django.utils import timezone

from kabinet.core import formats


class OutboxMessage(models.Model):
    """An SMS or e-mail that an event decided to send.

    Written in the same transaction as the event, delivered later by the worker
    (`manage.py run_worker`): a gateway outage delays messages, it loses none.

    A worker marks the message «передаётся шлюзу» (with a lease and a numbered attempt) in a
    transaction of its own before it calls the gateway. If the worker dies with the call in
    flight, nobody can tell whether the gateway took the message: SMS.ru and Kannel have no
    idempotency key, so sending it again could charge and disturb the resident twice. When the
    lease runs out the message becomes «возможно отправлено» instead of going back to the queue:
    a Kannel delivery report settles it by itself, otherwise an operator does in the back-office.
    """

    class Channel(models.TextChoices):
        SMS = "sms", "SMS"
        EMAIL = "email", "E-mail"

    class Status(models.TextChoices):
        QUEUED = "queued", "в очереди"
        SENDING = "sending", "передаётся шлюзу"
        SENT = "sent", "отправлено"
        # The worker stopped while the gateway had the message in hand: never resent by itself.
        UNCERTAIN = "uncertain", "возможно отправлено"
        DELIVERED = "delivered", "доставлено"
        FAILED = "failed", "не отправлено"
        UNDELIVERED = "undelivered", "не доставлено"

    channel = models.CharField("канал", max_length=8, choices=Channel.choices)
    recipient = models.CharField("получатель", max_length=254)
    subject = models.CharField("тема", max_length=200, blank=True)
    body = models.TextField("текст")
    html_body = models.TextField("текст HTML", blank=True)
    # Messages that carry a one-time code: their text is hidden from logs and lists, and from
    # staff (a code must reach only the phone's owner).
    is_sensitive = models.BooleanField("содержит код", default=False)
    # A mailing the company sends itself (meter-reading reminders): nobody outside can trigger it,
    # so it neither counts toward nor is stopped by the daily cap against SMS pumping.
    is_mailing = models.BooleanField("рассылка УК", default=False)
    status = models.CharField("статус", max_length=12, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField("попыток", default=0)
    next_attempt_at = models.DateTimeField("следующая попытка", default=timezone.now)
    claimed_until = models.DateTimeField("занято обработчиком до", null=True, blank=True)
    last_error = models.TextField("последняя ошибка", blank=True)
    gateway = models.CharField("шлюз", max_length=30, blank=True)
    gateway_message_id = models.CharField("идентификатор в шлюзе", max_length=100, blank=True)
    created_at = models.DateTimeField("создано", default=timezone.now, db_index=True)
    sent_at = models.DateTimeField("отправлено", null=True, blank=True)
    # What the operator's network last said about the SMS (a Kannel delivery report).
    delivery_report = models.CharField("отчёт о доставке", max_length=200, blank=True)
    delivered_at = models.DateTimeField("доставлено", null=True, blank=True)

    class Meta:
        verbose_name = "исходящее сообщение"
        verbose_name_plural = "исходящие SMS и письма"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]
        # Sending again costs the company money and can reach a phone the daily cap protected:
        # a right of its own, given to whom the administrator chooses.
        permissions = [("resend_outboxmessage", "Может отправлять сообщения ещё раз")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient} ({self.get_status_display()})"


class SmsDay(models.Model):
    """SMS that visitors caused on one calendar day (TIME_ZONE), against the daily cap.

    Taken one at a time by a conditional UPDATE in the transaction that writes the SMS, so
    simultaneous requests cannot pass the cap together, and an SMS rolled back gives its place
    back. The company's own mailings are not counted here.
    """

    day = models.DateField("день", primary_key=True)
    sent = models.PositiveIntegerField("SMS по действиям посетителей", default=0)

    class Meta:
        verbose_name = "SMS за день"
        verbose_name_plural = "SMS по дням"

    def __str__(self) -> str:
        return f"{formats.short_date(self.day)}: {self.sent}"


class DeliveryAttempt(models.Model):
    """One try of the worker to hand a message to its gateway: the back-office shows them all."""

    class Outcome(models.TextChoices):
        PENDING = "pending", "идёт"
        SENT = "sent", "принято шлюзом"
        UNKNOWN = "unknown", "обработчик остановлен: неизвестно, принял ли шлюз"
        RETRY = "retry", "ошибка, будет повтор"
        FAILED = "failed", "ошибка, без повтора"

    message = models.ForeignKey(
        OutboxMessage, on_delete=models.CASCADE, related_name="delivery_attempts", verbose_name="сообщение"
    )
    number = models.PositiveSmallIntegerField("попытка №")
    gateway = models.CharField("шлюз", max_length=30, blank=True)
    worker = models.CharField("обработчик", max_length=100, blank=True)
    started_at = models.DateTimeField("начата", default=timezone.now)
    finished_at = models.DateTimeField("закончена", null=True, blank=True)
    outcome = models.CharField("итог", max_length=8, choices=Outcome.choices, default=Outcome.PENDING)
    error = models.TextField("ошибка", blank=True)
    gateway_message_id = models.CharField("идентификатор в шлюзе", max_length=100, blank=True)

    class Meta:
        verbose_name = "попытка отправки"
        verbose_name_plural = "попытки отправки"
        ordering = ["message", "number"]
        constraints = [
            models.UniqueConstraint(fields=["message", "number"], name="delivery_attempt_number_unique")
        ]

    def __str__(self) -> str:
        return f"попытка {self.number}: {self.get_outcome_display()}"
