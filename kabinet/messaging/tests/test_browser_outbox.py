"""The operator reads the SMS and e-mail log: statuses, delivery reports, every attempt."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kabinet.messaging import gateways, services
from kabinet.messaging.models import OutboxMessage
from kabinet.testing_browser import shoot, sign_in_to_back_office

from .test_outbox import BrokenGateway

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def message_tried_twice(monkeypatch) -> OutboxMessage:
    monkeypatch.setitem(gateways.SMS_GATEWAYS, "dev", f"{BrokenGateway.__module__}.BrokenGateway")
    message = services.send_sms(
        phone="+79123456789", text="Заявка на регистрацию отклонена: нет такого счёта"
    )
    services.deliver_due()
    OutboxMessage.objects.update(next_attempt_at=timezone.now())
    monkeypatch.setitem(gateways.SMS_GATEWAYS, "dev", "kabinet.messaging.gateways.DevSmsGateway")
    services.deliver_due()
    services.record_delivery_report(message_id=message.pk, report_type=1, reply="stat:DELIVRD")
    return message


@pytest.mark.parametrize("width", [1280, 390])
def test_operator_sees_the_delivery_report_and_every_attempt(
    chromium, live_server, operator, monkeypatch, width
):
    message = message_tried_twice(monkeypatch)
    context = chromium.new_context(viewport={"width": width, "height": 900}, locale="ru-RU")
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/messaging/outboxmessage/")
    sign_in_to_back_office(page, operator, "operator-pass-2026")

    expect(page.locator("#result_list").get_by_text("доставлено")).to_be_visible()
    shoot(page, "outbox-01-list")
    page.goto(f"{live_server.url}/admin/messaging/outboxmessage/{message.pk}/change/")
    expect(page.get_by_text("доставлено на телефон: stat:DELIVRD")).to_be_visible()
    expect(page.get_by_text("ошибка, будет повтор", exact=True)).to_be_visible()
    expect(page.get_by_text("принято шлюзом", exact=True)).to_be_visible()
    shoot(page, "outbox-02-message")
    context.close()
