"""The outbox and its worker: nothing is lost when a gateway fails, nothing is sent twice."""

from io import StringIO
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from kabinet.messaging import gateways, services
from kabinet.messaging.models import OutboxMessage

pytestmark = pytest.mark.django_db


class BrokenGateway:
    name = "broken"

    def send(self, message):
        raise gateways.DeliveryError("connection refused")


def test_worker_sends_queued_sms_and_email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    services.send_sms(phone="+79123456789", text="Проверка")
    services.send_email(
        to="ivanov@mail.ru", template="registration-received", context={"request": sample_request()}
    )

    round_ = services.deliver_due()

    assert round_.sent == 2
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}
    [email] = mail.outbox
    assert email.to == ["ivanov@mail.ru"]
    assert "от нескольких минут до трех суток" in email.body
    assert "<p>" in email.alternatives[0].content


def test_failed_delivery_is_retried_later_with_growing_pauses(monkeypatch):
    monkeypatch.setitem(gateways.SMS_GATEWAYS, "dev", f"{__name__}.BrokenGateway")
    message = services.send_sms(phone="+79123456789", text="Проверка")

    first = services.deliver_due()
    message.refresh_from_db()
    pause_after_first = message.next_attempt_at - timezone.now()
    OutboxMessage.objects.update(next_attempt_at=timezone.now())
    services.deliver_due()
    message.refresh_from_db()

    assert first.retried == 1
    assert message.status == "queued"
    assert message.attempts == 2
    assert message.last_error == "connection refused"
    assert message.next_attempt_at - timezone.now() > pause_after_first


def test_message_is_not_sent_before_its_next_attempt(monkeypatch):
    monkeypatch.setitem(gateways.SMS_GATEWAYS, "dev", f"{__name__}.BrokenGateway")
    services.send_sms(phone="+79123456789", text="Проверка")
    services.deliver_due()
    monkeypatch.setitem(gateways.SMS_GATEWAYS, "dev", "kabinet.messaging.gateways.DevSmsGateway")

    assert services.deliver_due().total == 0


def test_message_fails_for_good_after_the_last_attempt(monkeypatch, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    monkeypatch.setitem(gateways.SMS_GATEWAYS, "dev", f"{__name__}.BrokenGateway")
    message = services.send_sms(phone="+79123456789", text="Проверка")

    services.deliver_due()
    OutboxMessage.objects.update(next_attempt_at=timezone.now())
    services.deliver_due()

    message.refresh_from_db()
    assert message.status == "failed"


def test_one_failing_message_does_not_stop_the_others(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nobody listens
    services.send_email(
        to="ivanov@mail.ru", template="registration-received", context={"request": sample_request()}
    )
    services.send_sms(phone="+79123456789", text="Проверка")

    round_ = services.deliver_due()

    assert (round_.sent, round_.retried) == (1, 1)
    assert OutboxMessage.objects.get(channel="sms").status == "sent"


def test_a_claimed_message_cannot_be_claimed_again():
    message = services.send_sms(phone="+79123456789", text="Проверка")

    assert services._claim(message.pk) is not None
    assert services._claim(message.pk) is None


def test_message_abandoned_by_a_dead_worker_is_not_sent_again_after_its_lease():
    message = services.send_sms(phone="+79123456789", text="Проверка")
    services._claim(message.pk)
    OutboxMessage.objects.update(claimed_until=timezone.now() - timezone.timedelta(seconds=1))

    round_ = services.deliver_due()

    assert (round_.sent, round_.uncertain) == (0, 1)
    assert OutboxMessage.objects.get().status == "uncertain"


def test_sms_log_prints_newest_first_and_filters_by_phone():
    services.send_sms(phone="+79123456789", text="первое")
    services.send_sms(phone="+79123456789", text="второе")
    services.send_sms(phone="+79031234567", text="соседу")

    out = StringIO()
    call_command("sms_log", phone="8 (912) 345-67-89", stdout=out)

    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[0].endswith("+79123456789  в очереди  второе")
    assert lines[1].endswith("первое")


def test_run_worker_once_delivers_and_reports():
    services.send_sms(phone="+79123456789", text="Проверка")
    out = StringIO()

    call_command("run_worker", once=True, stdout=out)

    assert "Отправлено 1" in out.getvalue()
    assert OutboxMessage.objects.get().status == "sent"


def sample_request():
    return SimpleNamespace(full_name="Иванов Иван Иванович", account_number="1000123456")


def test_back_office_retry_requeues_failed_messages_only(admin_client):
    failed = services.send_sms(phone="+79123456789", text="не ушло")
    sent = services.send_sms(phone="+79123456789", text="уже доставлено")
    OutboxMessage.objects.filter(pk=failed.pk).update(status="failed", last_error="timeout")
    OutboxMessage.objects.filter(pk=sent.pk).update(status="sent")

    response = admin_client.post(
        "/admin/messaging/outboxmessage/",
        {"action": "retry", "_selected_action": [failed.pk, sent.pk]},
        follow=True,
    )

    assert OutboxMessage.objects.get(pk=failed.pk).status == "queued"
    assert OutboxMessage.objects.get(pk=sent.pk).status == "sent"
    assert "Поставлено в очередь на отправку: 1. Пропущено" in response.content.decode()


def test_back_office_shows_every_attempt_of_a_message(admin_client, monkeypatch):
    monkeypatch.setitem(gateways.SMS_GATEWAYS, "dev", f"{__name__}.BrokenGateway")
    message = services.send_sms(phone="+79123456789", text="Проверка")
    services.deliver_due()
    OutboxMessage.objects.update(next_attempt_at=timezone.now())
    monkeypatch.setitem(gateways.SMS_GATEWAYS, "dev", "kabinet.messaging.gateways.DevSmsGateway")
    services.deliver_due()

    page = admin_client.get(f"/admin/messaging/outboxmessage/{message.pk}/change/").content.decode()

    assert "Попытки отправки" in page
    assert "ошибка, будет повтор" in page
    assert "connection refused" in page
    assert "принято шлюзом" in page


@pytest.mark.django_db(transaction=True)
def test_a_database_restart_right_after_the_gateway_answered_does_not_send_the_message_twice(
    smsru, monkeypatch
):
    from django.db import OperationalError

    message = services.send_sms(phone="+79123456789", text="Показания принимаются до 25-го")
    real_save = services._save_result
    failures = iter([OperationalError("server closed the connection"), OperationalError("no connection")])

    def database_restarting(*args):
        error = next(failures, None)
        if error is not None:
            raise error
        real_save(*args)

    monkeypatch.setattr(services, "_save_result", database_restarting)
    monkeypatch.setattr(services.time, "sleep", lambda seconds: None)  # the pause between tries
    services.deliver_due()

    message.refresh_from_db()
    assert message.status == "sent"
    assert smsru.state.total() == 1
    assert services.deliver_due().total == 0  # nothing left for another worker to send again
    assert smsru.state.total() == 1
