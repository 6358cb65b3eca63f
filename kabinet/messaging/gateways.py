"""Transports that carry an outbox message out of Kabinet.

Each gateway is one class with `send(message) -> gateway_message_id`; it raises
`DeliveryError` saying whether trying again later can help.
"""

import logging
import uuid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils.module_loading import import_string

from .models import OutboxMessage

log = logging.getLogger(__name__)


class DeliveryError(Exception):
    def __init__(self, reason: str, *, retry: bool = True) -> None:
        super().__init__(reason)
        self.retry = retry


class DevSmsGateway:
    """Development SMS: the message stays in the outbox table, readable with `manage.py sms_log`
    and in the back-office; nothing leaves the machine."""

    name = "dev"

    def send(self, message: OutboxMessage) -> str:
        log.info("SMS kept locally for %s (message %s)", message.recipient, message.pk)
        return f"dev-{uuid.uuid4().hex[:12]}"


class EmailGateway:
    """E-mail through Django's configured backend (SMTP in production, files in development)."""

    name = "email"

    def send(self, message: OutboxMessage) -> str:
        email = EmailMultiAlternatives(subject=message.subject, body=message.body, to=[message.recipient])
        if message.html_body:
            email.attach_alternative(message.html_body, "text/html")
        try:
            email.send(fail_silently=False)
        except OSError as exc:  # SMTP errors are OSErrors: connection refused, timeouts, 4xx
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
        return ""


SMS_GATEWAYS = {"dev": "kabinet.messaging.gateways.DevSmsGateway"}


def gateway_for(channel: str) -> DevSmsGateway | EmailGateway:
    if channel == OutboxMessage.Channel.EMAIL:
        return EmailGateway()
    path = SMS_GATEWAYS.get(settings.SMS_GATEWAY, settings.SMS_GATEWAY)
    return import_string(path)()
