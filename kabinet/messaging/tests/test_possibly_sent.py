"""A worker that stops with a message at the gateway: the message is never sent twice by itself.

SMS.ru and Kannel have no idempotency key, so after a crash nobody knows whether the gateway
took the message. It becomes «возможно отправлено»: a Kannel delivery report or the late answer
of its own worker settles it; otherwise an operator does, from the gateway's own log.
"""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kabinet.audit.models import AuditEntry
from kabinet.core.models import User
from kabinet.messaging import services
from kabinet.messaging.models import DeliveryAttempt, OutboxMessage
from kabinet.testing import sign_in_staff

pytestmark = pytest.mark.django_db

OUTBOX = reverse("admin:messaging_outboxmessage_changelist")


def stopped_at_the_gateway(text: str = "Показания до 25-го") -> tuple[OutboxMessage, DeliveryAttempt]:
    """A message a worker claimed and handed to the gateway, then died: its lease has run out."""
    services.send_sms(phone="+79123456789", text=text)
    message, attempt = services.claim_next(worker="host:101")
    OutboxMessage.objects.filter(pk=message.pk).update(claimed_until=timezone.now() - timedelta(seconds=1))
    return message, attempt


def test_a_message_whose_worker_stopped_at_the_gateway_is_possibly_sent_and_not_sent_again(smsru):
    message, _ = stopped_at_the_gateway()

    round_ = services.deliver_due()
    again = services.deliver_due()

    message.refresh_from_db()
    assert (round_.sent, round_.uncertain, again.total) == (0, 1, 0)
    assert message.get_status_display() == "возможно отправлено"
    assert "проверьте по журналу шлюза" in message.last_error
    attempt = message.delivery_attempts.get()
    assert attempt.get_outcome_display() == "обработчик остановлен: неизвестно, принял ли шлюз"
    assert smsru.state.total() == 0  # the gateway never heard of it a second time


def test_a_message_within_its_lease_is_left_to_the_worker_that_holds_it(smsru):
    services.send_sms(phone="+79123456789", text="Проверка")
    message, _ = services.claim_next(worker="host:101")

    assert services.deliver_due().total == 0
    message.refresh_from_db()
    assert message.status == "sending"


def test_the_late_answer_of_a_slow_worker_settles_its_possibly_sent_message(smsru):
    message, attempt = stopped_at_the_gateway()
    services.mark_abandoned()

    services.deliver(message, attempt, services.DeliveryRound())  # the worker was slow, not dead

    message.refresh_from_db()
    attempt.refresh_from_db()
    assert (message.status, attempt.outcome) == ("sent", "sent")
    assert message.last_error == ""
    assert smsru.state.total() == 1


def test_a_kannel_report_settles_a_possibly_sent_sms(client, settings):
    settings.KANNEL_DLR_TOKEN = "dlr-token-7f3a9c"
    message, _ = stopped_at_the_gateway()
    services.mark_abandoned()

    # Type 8: the operator's SMSC accepted it, so Kannel had it.
    client.get(f"/messaging/kannel/dlr/dlr-token-7f3a9c/{message.pk}/", {"type": 8})

    message.refresh_from_db()
    assert message.status == "sent"
    assert message.sent_at is not None
    assert message.delivery_attempts.get().outcome == "sent"
    client.get(f"/messaging/kannel/dlr/dlr-token-7f3a9c/{message.pk}/", {"type": 1})
    message.refresh_from_db()
    assert message.status == "delivered"


def test_an_answer_after_an_operator_sent_the_message_again_keeps_only_its_attempt(smsru):
    message, first = stopped_at_the_gateway()
    services.mark_abandoned()
    services.resend(messages=OutboxMessage.objects.all(), staff=None, ip=None)
    services.deliver_due()  # the second attempt goes

    services.deliver(message, first, services.DeliveryRound())  # the first one's answer, late

    message.refresh_from_db()
    assert message.attempts == 2 and message.status == "sent"
    assert list(message.delivery_attempts.values_list("number", "outcome")) == [(1, "sent"), (2, "sent")]


@pytest.fixture
def operator(db) -> Client:
    user = User.objects.create_user("operator", password="operator-pass-2026", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(codename__in=["view_outboxmessage", "resend_outboxmessage"])
    )
    client = Client()
    sign_in_staff(client, user)
    return client


def act(client, action: str, messages: list[OutboxMessage]):
    return client.post(OUTBOX, {"action": action, "_selected_action": [m.pk for m in messages]}, follow=True)


def test_the_outbox_list_tells_the_operator_what_waits_for_a_decision(operator):
    stopped_at_the_gateway()
    services.mark_abandoned()

    page = operator.get(OUTBOX).content.decode()

    assert "Возможно отправлено, ждут решения: 1." in page
    assert "?status__exact=uncertain" in page
    assert "Считать отправленными (найдены в журнале шлюза)" in page


def test_operator_marks_found_messages_sent_and_sends_the_others_again(operator, smsru):
    found, _ = stopped_at_the_gateway("нашлось у шлюза")
    missing, _ = stopped_at_the_gateway("не нашлось у шлюза")
    delivered = services.send_sms(phone="+79123456780", text="давно отправлено")
    OutboxMessage.objects.filter(pk=delivered.pk).update(status="delivered")
    services.mark_abandoned()

    marked = act(operator, "mark_sent", [found, delivered]).content.decode()
    resent = act(operator, "retry", [missing]).content.decode()
    services.deliver_due()

    assert "Отмечено отправленными: 1. Пропущено (не «возможно отправлено»): 1." in marked
    assert "Поставлено в очередь на отправку: 1." in resent
    statuses = dict(OutboxMessage.objects.values_list("body", "status"))
    assert statuses == {
        "нашлось у шлюза": "sent",
        "не нашлось у шлюза": "sent",
        "давно отправлено": "delivered",
    }
    assert [sms.text for sms in smsru.state.received] == ["не нашлось у шлюза"]
    actions = set(AuditEntry.objects.values_list("action", "actor__username"))
    assert actions >= {("messages_marked", "operator"), ("messages_resent", "operator")}


def test_a_possibly_sent_message_is_settled_only_by_staff_who_may_resend(client, smsru):
    stopped_at_the_gateway()
    services.mark_abandoned()
    reader = User.objects.create_user("reader", password="reader-pass-2026", is_staff=True)
    reader.user_permissions.set(Permission.objects.filter(codename="view_outboxmessage"))
    sign_in_staff(client, reader)

    act(client, "mark_sent", list(OutboxMessage.objects.all()))

    assert OutboxMessage.objects.get().status == "uncertain"


def test_metrics_count_the_messages_waiting_for_a_decision():
    stopped_at_the_gateway()
    services.mark_abandoned()

    text = Client().get("/metrics", REMOTE_ADDR="127.0.0.1").content.decode()

    assert "kabinet_outbox_possibly_sent 1.0" in text
    assert 'kabinet_outbox_unsent{channel="sms"} 0.0' in text
