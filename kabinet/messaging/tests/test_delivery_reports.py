"""Kannel's delivery reports arrive at a secret address and update the message's status."""

import pytest

from kabinet.messaging import services
from kabinet.messaging.gateways import dlr_url
from kabinet.messaging.models import OutboxMessage

pytestmark = pytest.mark.django_db

TOKEN = "dlr-token-7f3a9c"


@pytest.fixture
def sent_sms(settings):
    settings.KANNEL_DLR_TOKEN = TOKEN
    message = services.send_sms(phone="+79123456789", text="Проверка")
    OutboxMessage.objects.filter(pk=message.pk).update(status="sent")
    return message


def report(client, message, report_type, token=TOKEN, reply="") -> int:
    url = f"/messaging/kannel/dlr/{token}/{message.pk}/"
    return client.get(url, {"type": report_type, "reply": reply}).status_code


def test_dlr_url_names_the_message_and_kannels_escapes(settings, sent_sms):
    settings.SITE_URL = "https://lk.example.ru"

    assert dlr_url(sent_sms) == (
        f"https://lk.example.ru/messaging/kannel/dlr/{TOKEN}/{sent_sms.pk}/?type=%d&reply=%A"
    )


def test_delivered_report_marks_the_sms_delivered(client, sent_sms):
    assert report(client, sent_sms, 1, reply="id:1 stat:DELIVRD") == 200

    sent_sms.refresh_from_db()
    assert sent_sms.status == "delivered"
    assert sent_sms.delivered_at is not None
    assert sent_sms.delivery_report == "доставлено на телефон: id:1 stat:DELIVRD"


def test_not_delivered_report_marks_the_sms_undelivered(client, sent_sms):
    assert report(client, sent_sms, 2) == 200

    sent_sms.refresh_from_db()
    assert sent_sms.get_status_display() == "не доставлено"


def test_accepted_by_the_operator_is_noted_but_the_sms_is_not_yet_delivered(client, sent_sms):
    report(client, sent_sms, 8)

    sent_sms.refresh_from_db()
    assert (sent_sms.status, sent_sms.delivery_report) == ("sent", "принято оператором")


def test_late_report_does_not_undo_delivered(client, sent_sms):
    report(client, sent_sms, 1)
    report(client, sent_sms, 8)

    sent_sms.refresh_from_db()
    assert sent_sms.status == "delivered"
    assert sent_sms.delivery_report == "доставлено на телефон"


def test_report_with_a_wrong_token_is_refused_and_changes_nothing(client, sent_sms):
    assert report(client, sent_sms, 1, token="guessed") == 404

    sent_sms.refresh_from_db()
    assert sent_sms.status == "sent"


def test_reports_are_refused_while_no_token_is_configured(client, settings, sent_sms):
    settings.KANNEL_DLR_TOKEN = ""

    assert report(client, sent_sms, 1, token="") == 404
    assert report(client, sent_sms, 1, token="anything") == 404


def test_report_for_an_unknown_message_or_a_bad_type_is_not_a_server_error(client, sent_sms):
    assert client.get(f"/messaging/kannel/dlr/{TOKEN}/999999/", {"type": 1}).status_code == 404
    assert report(client, sent_sms, "x") == 400
    assert report(client, sent_sms, 3) == 404


def test_report_that_overtakes_the_worker_is_kept(sent_sms):
    """Kannel may call back before the worker has written «sent»: «delivered» must stay."""
    OutboxMessage.objects.filter(pk=sent_sms.pk).update(status="queued")
    message, attempt = services.claim_next()
    services.record_delivery_report(message_id=message.pk, report_type=1)

    services.deliver(message, attempt, services.DeliveryRound())

    message.refresh_from_db()
    assert message.status == "delivered"
    assert message.sent_at is not None
