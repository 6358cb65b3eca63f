"""Kannel, the company's own SMS gateway: the real bearerbox and smsbox, fakesmsc as the operator."""

import re

import pytest

from kabinet.messaging import services
from kabinet.messaging.models import DeliveryAttempt, OutboxMessage
from kabinet.residents.models import RegistrationRequest
from kabinet.residents.services.registration import confirm_registration
from kabinet.testing import submit_request

from .peers import free_port, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_code_sms_reaches_the_operator_in_cyrillic_and_the_delivery_report_comes_back(
    kannel, live_server, settings, company, published_policies, ivanov_account
):
    settings.SITE_URL = live_server.url
    request = submit_request()
    sms = OutboxMessage.objects.get(channel="sms")

    assert services.deliver_due().sent >= 1

    [received] = wait_for(kannel.received, what="the SMS at the operator's SMSC")
    assert received.receiver == "+79123456789"
    assert received.text == sms.body  # every Cyrillic letter intact after UCS-2 and back
    assert received.text.startswith("Код подтверждения регистрации: ")
    assert received.segments == 2
    sms = wait_for(
        lambda: OutboxMessage.objects.filter(pk=sms.pk, status="delivered").first(),
        what="the delivery report",
    )
    assert sms.delivered_at is not None
    assert "доставлено на телефон" in sms.delivery_report
    # The code the phone received completes the registration.
    code = re.search(r"\d{6}", received.text)[0]
    confirm_registration(registration_request=request, code=code, ip="203.0.113.7")
    assert RegistrationRequest.objects.get(pk=request.pk).status == RegistrationRequest.Status.COMPLETED


def test_wrong_kannel_password_fails_at_once_and_says_why(kannel, settings):
    settings.KANNEL_PASSWORD = "not-the-password"
    message = services.send_sms(phone="+79123456789", text="Проверка связи")

    round_ = services.deliver_due()

    message.refresh_from_db()
    assert round_.failed == 1
    assert message.status == "failed"
    assert "403" in message.last_error
    [attempt] = message.delivery_attempts.all()
    assert attempt.outcome == DeliveryAttempt.Outcome.FAILED
    assert kannel.received() == []


def test_kannel_unreachable_keeps_the_sms_queued_for_a_later_attempt(settings):
    settings.SMS_GATEWAY = "kannel"
    settings.KANNEL_SENDSMS_URL = f"http://127.0.0.1:{free_port()}/cgi-bin/sendsms"  # nobody listens
    message = services.send_sms(phone="+79123456789", text="Проверка связи")

    assert services.deliver_due().retried == 1

    message.refresh_from_db()
    assert message.status == "queued"
    assert message.last_error.startswith("шлюз недоступен")
    assert message.next_attempt_at > message.created_at


def test_kannels_report_settles_an_sms_whose_worker_died_after_handing_it_over(kannel, live_server, settings):
    from datetime import timedelta

    from django.utils import timezone

    from kabinet.messaging.gateways import KannelGateway

    settings.SITE_URL = live_server.url
    services.send_sms(phone="+79123456789", text="Показания принимаются до 25-го")
    message, _ = services.claim_next(worker="host:101")
    # The worker's lease runs out: nobody knows whether Kannel took the message…
    OutboxMessage.objects.filter(pk=message.pk).update(claimed_until=timezone.now() - timedelta(seconds=1))
    assert services.mark_abandoned() == [message.pk]
    # …but it had: the dead worker's request reached Kannel before the worker died.
    KannelGateway().send(message)

    settled = wait_for(
        lambda: OutboxMessage.objects.filter(pk=message.pk, status="delivered").first(),
        what="Kannel's report to settle the possibly sent SMS",
    )
    assert settled.sent_at is not None
    assert services.deliver_due().total == 0
    assert len(kannel.received()) == 1  # at the operator's SMSC once
