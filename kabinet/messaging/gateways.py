"""Transports that carry an outbox message out of Kabinet.

Each gateway is one class with `send(message) -> gateway_message_id`; it raises
`DeliveryError` saying whether trying again later can help. `SMS_GATEWAY` picks the SMS one:
`dev` keeps messages in the database, `kannel` hands them to the company's Kannel over its
HTTP `sendsms` interface, `smsru` to the commercial provider SMS.ru over its HTTP API.
"""

import json
import logging
import urllib.error
import urllib.parse
import urllib.request
import uuid
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils.module_loading import import_string

from .models import OutboxMessage
from .sms import is_gsm7

log = logging.getLogger(__name__)


class DeliveryError(Exception):
    def __init__(self, reason: str, *, retry: bool = True) -> None:
        super().__init__(reason)
        self.retry = retry


class Gateway(Protocol):
    name: str  # stored with every attempt
    title: str  # what the back-office calls it

    def send(self, message: OutboxMessage) -> str: ...


class DevSmsGateway:
    """Development SMS: the message stays in the outbox table, readable with `manage.py sms_log`
    and in the back-office; nothing leaves the machine."""

    name = "dev"
    title = "тестовый (SMS остаются в базе)"

    def send(self, message: OutboxMessage) -> str:
        log.info("SMS kept locally for %s (message %s)", message.recipient, message.pk)
        return f"dev-{uuid.uuid4().hex[:12]}"


class EmailGateway:
    """E-mail through Django's configured backend (SMTP in production, files in development)."""

    name = "email"
    title = "почтовый сервер"

    def send(self, message: OutboxMessage) -> str:
        email = EmailMultiAlternatives(subject=message.subject, body=message.body, to=[message.recipient])
        if message.html_body:
            email.attach_alternative(message.html_body, "text/html")
        try:
            email.send(fail_silently=False)
        except OSError as exc:  # SMTP errors are OSErrors: connection refused, timeouts, 4xx
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
        return ""


def _http(url: str, *, data: dict | None = None) -> tuple[int, str]:
    """GET (or POST `data`) and return the status and body; a network failure is retryable."""
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    try:
        with urllib.request.urlopen(url, data=body, timeout=settings.SMS_TIMEOUT) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")
    except OSError as exc:  # refused, unreachable, timed out
        reason = getattr(exc, "reason", exc)
        raise DeliveryError(f"шлюз недоступен: {reason}") from exc


class KannelGateway:
    """Kannel's smsbox `sendsms` HTTP interface (Kannel user's guide, «Sending SMS via HTTP»).

    Cyrillic goes as UCS-2 (coding=2; Kannel converts our UTF-8 text, charset=UTF-8). Every
    delivery report (dlr-mask 31: delivered, not delivered, queued, accepted, rejected by the
    SMSC) comes back to `dlr-url`, a Kabinet address carrying a secret token and the message id;
    Kannel fills in `%d`, the report type.
    """

    name = "kannel"
    title = "Kannel"
    DLR_MASK = 31

    def send(self, message: OutboxMessage) -> str:
        params = {
            "username": settings.KANNEL_USERNAME,
            "password": settings.KANNEL_PASSWORD,
            "from": settings.SMS_SENDER,
            "to": message.recipient,
            "text": message.body,
            "charset": "UTF-8",
            "coding": "0" if is_gsm7(message.body) else "2",
        }
        if settings.KANNEL_SMSC:
            params["smsc"] = settings.KANNEL_SMSC
        if settings.KANNEL_DLR_TOKEN:
            params["dlr-mask"] = str(self.DLR_MASK)
            params["dlr-url"] = dlr_url(message)
        separator = "&" if "?" in settings.KANNEL_SENDSMS_URL else "?"
        status, body = _http(settings.KANNEL_SENDSMS_URL + separator + urllib.parse.urlencode(params))
        # 202 «0: Accepted for delivery» or «3: Queued for later delivery» (the SMSC is down and
        # Kannel keeps the message): either way Kannel has it now.
        if status in (200, 202):
            return f"kannel-{message.pk}"
        reason = f"Kannel ответил {status}: {body.strip()[:200]}"
        # 403 wrong user or password, 400 bad request: the same request will fail again;
        # 503 «Sending failed» and the rest may pass later.
        raise DeliveryError(reason, retry=status not in (400, 403))


def dlr_url(message: OutboxMessage) -> str:
    """Where Kannel reports on the message; `%d` and `%A` are Kannel's escapes (type, SMSC reply)."""
    base = settings.KANNEL_DLR_BASE_URL or settings.SITE_URL
    path = reverse("messaging:kannel_dlr", args=[settings.KANNEL_DLR_TOKEN, message.pk])
    return f"{base}{path}?type=%d&reply=%A"


class SmsRuGateway:
    """SMS.ru's HTTP API, `POST /sms/send` with `json=1` (https://sms.ru/api/send).

    The answer is JSON: an overall `status` and `status_code`, and per phone number its own
    status and `sms_id`. Codes 100–103 mean accepted; the error codes below decide whether
    trying again can help.
    """

    name = "smsru"
    title = "SMS.ru"
    # Worth retrying: 201 not enough money (until the account is topped up), 220 service
    # temporarily unavailable, 230–232 daily and per-minute limits for a number or text.
    RETRYABLE = {201, 220, 230, 231, 232}

    def send(self, message: OutboxMessage) -> str:
        phone = message.recipient.lstrip("+")
        data = {"api_id": settings.SMSRU_API_ID, "to": phone, "msg": message.body, "json": "1"}
        if settings.SMSRU_FROM:
            data["from"] = settings.SMSRU_FROM
        status, body = _http(f"{settings.SMSRU_URL}/sms/send", data=data)
        if status >= 500:
            raise DeliveryError(f"SMS.ru ответил {status}")
        try:
            answer = json.loads(body)
            result = answer.get("sms", {}).get(phone, answer)
        except (ValueError, AttributeError):
            raise DeliveryError(f"SMS.ru ответил непонятно ({status}): {body[:200]}") from None
        if answer.get("status") == "OK" and result.get("status") == "OK":
            return str(result.get("sms_id", ""))
        code = int(result.get("status_code") or answer.get("status_code") or 0)
        text = result.get("status_text") or answer.get("status_text") or ""
        raise DeliveryError(f"SMS.ru: ошибка {code} {text}".strip(), retry=code in self.RETRYABLE)


SMS_GATEWAYS = {
    "dev": "kabinet.messaging.gateways.DevSmsGateway",
    "kannel": "kabinet.messaging.gateways.KannelGateway",
    "smsru": "kabinet.messaging.gateways.SmsRuGateway",
}


def gateway_title(name: str) -> str:
    """The back-office's word for a gateway stored by its name; an unknown one as it is."""
    known = {g.name: g.title for g in (DevSmsGateway, EmailGateway, KannelGateway, SmsRuGateway)}
    return known.get(name, name)


def gateway_for(channel: str) -> Gateway:
    if channel == OutboxMessage.Channel.EMAIL:
        return EmailGateway()
    path = SMS_GATEWAYS.get(settings.SMS_GATEWAY, settings.SMS_GATEWAY)
    return import_string(path)()
