"""SMS.ru, the commercial HTTP provider: Kabinet against a local server speaking its API."""

import pytest
from django.utils import timezone

from kabinet.messaging import services
from kabinet.messaging.models import DeliveryAttempt, OutboxMessage

from .smsru_server import SmsRuServer

pytestmark = pytest.mark.django_db

CODE_TEXT = "Код подтверждения регистрации: 482913. Введите его на странице lk.example.ru/registration/code/"


def test_sms_reaches_sms_ru_with_its_cyrillic_text_and_the_provider_id_is_kept(smsru):
    message = services.send_sms(phone="+79123456789", text=CODE_TEXT, sensitive=True)

    round_ = services.deliver_due()

    message.refresh_from_db()
    assert round_.sent == 1
    [received] = smsru.state.received
    assert (received.phone, received.text) == ("79123456789", CODE_TEXT)
    assert message.status == "sent"
    assert message.gateway == "smsru"
    assert message.gateway_message_id == received.sms_id
    [attempt] = message.delivery_attempts.all()
    assert (attempt.outcome, attempt.gateway_message_id) == (DeliveryAttempt.Outcome.SENT, received.sms_id)


def test_wrong_api_id_fails_without_retrying_and_says_why(smsru, settings):
    settings.SMSRU_API_ID = "wrong"
    message = services.send_sms(phone="+79123456789", text="Проверка")

    assert services.deliver_due().failed == 1

    message.refresh_from_db()
    assert message.status == "failed"
    assert message.last_error == "SMS.ru: ошибка 200 Неправильный api_id"
    assert smsru.state.received == []


def test_number_the_provider_refuses_fails_and_the_others_still_go(smsru):
    bad = services.send_sms(phone="+3751234567", text="Проверка")
    good = services.send_sms(phone="+79123456789", text="Проверка")

    round_ = services.deliver_due()

    assert (round_.sent, round_.failed) == (1, 1)
    assert OutboxMessage.objects.get(pk=bad.pk).last_error.startswith("SMS.ru: ошибка 202")
    assert OutboxMessage.objects.get(pk=good.pk).status == "sent"


def test_provider_down_delays_the_sms_and_it_goes_once_when_the_provider_is_back(smsru, settings):
    port = smsru.server_address[1]
    smsru.stop()
    messages = [services.send_sms(phone=f"+7912345678{i}", text=f"Сообщение {i}") for i in range(5)]

    down = services.deliver_due()
    assert down.retried == 5
    assert all("шлюз недоступен" in m.last_error for m in OutboxMessage.objects.all())

    back = SmsRuServer(smsru.state, port=port)
    try:
        assert services.deliver_due().total == 0  # nothing before its next attempt
        OutboxMessage.objects.update(next_attempt_at=timezone.now())
        assert services.deliver_due().sent == 5
        assert services.deliver_due().total == 0
    finally:
        back.stop()
    counts = smsru.state.counts()
    assert sorted(counts.values()) == [1] * 5
    for message in messages:
        message.refresh_from_db()
        assert message.status == "sent"
        assert [a.outcome for a in message.delivery_attempts.all()] == ["retry", "sent"]
