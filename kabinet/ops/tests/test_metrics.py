"""`/metrics`: closed to the public; the request figures and the figures an operator watches."""

from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from kabinet.messaging import services as messaging
from kabinet.messaging.models import OutboxMessage
from kabinet.residents.models import RegistrationRequest

pytestmark = pytest.mark.django_db


def scrape(**extra) -> tuple[int, str]:
    response = Client().get("/metrics", **extra)
    return response.status_code, response.content.decode()


def figure(text: str, name: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name} not in the exposition:\n{text}")


def test_metrics_are_not_found_from_outside():
    status, _ = scrape(REMOTE_ADDR="203.0.113.7")
    assert status == 404


@override_settings(TRUSTED_PROXIES=["127.0.0.1/32"])
def test_a_visitor_behind_nginx_is_not_let_in_by_nginx_being_on_loopback():
    status, _ = scrape(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert status == 404


def test_a_proxy_nobody_named_cannot_open_the_metrics_for_its_visitors():
    status, _ = scrape(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert status == 404


@override_settings(METRICS_TOKEN="s3cret-scrape-token-0123456789")
def test_the_monitoring_gets_in_with_its_token_from_anywhere():
    assert scrape(REMOTE_ADDR="203.0.113.7", HTTP_AUTHORIZATION="Bearer wrong")[0] == 404
    status, _ = scrape(REMOTE_ADDR="203.0.113.7", HTTP_AUTHORIZATION="Bearer s3cret-scrape-token-0123456789")
    assert status == 200


def test_metrics_give_the_outbox_queue_and_the_age_of_its_oldest_message(ivanov_account):
    old = messaging.send_sms(phone="+79123456789", text="Код 123456", sensitive=True)
    OutboxMessage.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(minutes=10))
    messaging.send_sms(phone="+79123456780", text="Показания принимаются")
    status, text = scrape(REMOTE_ADDR="127.0.0.1")
    assert status == 200
    assert 'kabinet_outbox_unsent{channel="sms"} 2.0' in text
    assert 'kabinet_outbox_unsent{channel="email"} 0.0' in text
    assert 590 < figure(text, "kabinet_outbox_oldest_unsent_age_seconds") < 700
    assert "79123456789" not in text and "123456" not in text


def test_metrics_give_sms_per_gateway_and_status():
    sent = messaging.send_sms(phone="+79123456789", text="a")
    failed = messaging.send_sms(phone="+79123456780", text="b")
    OutboxMessage.objects.filter(pk=sent.pk).update(status="sent", gateway="kannel")
    OutboxMessage.objects.filter(pk=failed.pk).update(status="failed", gateway="kannel")
    _, text = scrape(REMOTE_ADDR="127.0.0.1")
    assert 'kabinet_sms_last_24h{gateway="kannel",status="sent"} 1.0' in text
    assert 'kabinet_sms_last_24h{gateway="kannel",status="failed"} 1.0' in text


def test_metrics_give_registration_requests_waiting_and_over_three_days(ivanov_account, neighbour_account):
    from kabinet.testing import submit_request

    fresh = submit_request(full_name="Кто-то Другой")
    stale = submit_request(
        account_number="1000123457", full_name="Петрова Анна Сергеевна", phone="+79120000000"
    )
    RegistrationRequest.objects.filter(pk__in=[fresh.pk, stale.pk]).update(status="pending")
    RegistrationRequest.objects.filter(pk=stale.pk).update(created_at=timezone.now() - timedelta(days=4))
    _, text = scrape(REMOTE_ADDR="127.0.0.1")
    assert figure(text, "kabinet_registration_requests_waiting") == 2
    assert figure(text, "kabinet_registration_requests_overdue") == 1


def test_metrics_count_requests_by_route_never_by_the_path_as_typed():
    Client().get("/registration/abcdefgh12345678/")
    _, text = scrape(REMOTE_ADDR="127.0.0.1")
    assert "abcdefgh12345678" not in text
    assert "kabinet_http_requests_total" in text
    assert "kabinet_readings_last_hour 0.0" in text
    assert 'kabinet_import_jobs{status="queued"} 0.0' in text
