"""Personal data lifetime (152-ФЗ): what the nightly purge removes, and what it must keep."""

import json
import logging
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from kabinet.core.logs import JsonFormatter
from kabinet.messaging import services as messaging
from kabinet.messaging.models import OutboxMessage
from kabinet.residents.models import ConfirmationCode, Consent, RegistrationRequest
from kabinet.testing import submit_request

pytestmark = pytest.mark.django_db


def aged(request: RegistrationRequest, *, days: int, status: str) -> RegistrationRequest:
    then = timezone.now() - timedelta(days=days)
    RegistrationRequest.objects.filter(pk=request.pk).update(status=status, created_at=then, decided_at=then)
    return RegistrationRequest.objects.get(pk=request.pk)


def purge() -> str:
    out = StringIO()
    call_command("purge_personal_data", stdout=out)
    return out.getvalue()


def test_a_request_rejected_over_90_days_ago_loses_its_personal_data_and_its_consents_too(
    ivanov_account, published_policies
):
    request = aged(submit_request(), days=91, status="rejected")
    assert Consent.objects.filter(registration_request=request).exists()

    summary = purge()

    request.refresh_from_db()
    assert (request.full_name, request.phone, request.email) == ("(данные удалены)", "", "")
    assert request.password_hash == "" and request.ip_address is None and request.user_agent == ""
    assert request.account_number == "1000123456"  # the queue's statistics stay
    consents = Consent.objects.filter(registration_request=request)
    assert {(c.full_name, c.ip_address, c.user_agent) for c in consents} == {("(данные удалены)", None, "")}
    assert "Обезличено заявок: 1" in summary


def test_a_request_approved_but_never_confirmed_is_anonymised_with_its_codes(
    ivanov_account, published_policies
):
    request = aged(submit_request(), days=95, status="approved")
    ConfirmationCode.objects.filter(registration_request=request).update(
        expires_at=timezone.now() - timedelta(days=92)
    )
    purge()
    request.refresh_from_db()
    assert request.full_name == "(данные удалены)"
    assert not ConfirmationCode.objects.filter(registration_request=request).exists()


def test_recent_pending_and_completed_requests_are_left_alone(ivanov_account, published_policies):
    recent = aged(submit_request(), days=30, status="rejected")
    waiting = aged(
        submit_request(account_number="1000123999", full_name="Сидоров Пётр"), days=200, status="pending"
    )
    purge()
    for request in (recent, waiting):
        request.refresh_from_db()
        assert request.full_name != "(данные удалены)" and request.phone


def test_the_retention_period_is_a_setting(ivanov_account, published_policies, settings):
    settings.PD_RETENTION_DAYS = 10
    request = aged(submit_request(), days=11, status="rejected")
    purge()
    request.refresh_from_db()
    assert request.full_name == "(данные удалены)"


def test_code_texts_go_once_sent_other_texts_and_addresses_after_their_time():
    code = messaging.send_sms(phone="+79123456789", text="Код подтверждения: 123456", sensitive=True)
    waiting = messaging.send_sms(phone="+79123456780", text="Код подтверждения: 654321", sensitive=True)
    old = messaging.send_sms(phone="+79123456781", text="Показания принимаются до 25-го")
    recent = messaging.send_sms(phone="+79123456782", text="Показания принимаются до 25-го")
    OutboxMessage.objects.filter(pk__in=[code.pk, old.pk, recent.pk]).update(status="sent")
    OutboxMessage.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=91))

    purge()

    texts = dict(OutboxMessage.objects.values_list("pk", "body"))
    assert "123456" not in texts[code.pk]
    assert texts[waiting.pk] == "Код подтверждения: 654321"  # not sent yet: the worker needs it
    assert OutboxMessage.objects.get(pk=old.pk).recipient == ""
    assert texts[recent.pk] == "Показания принимаются до 25-го"


def test_used_codes_are_deleted_a_day_after_use(ivanov_account, published_policies):
    request = submit_request()
    ConfirmationCode.objects.filter(registration_request=request).update(
        used_at=timezone.now() - timedelta(days=2)
    )
    purge()
    assert not ConfirmationCode.objects.filter(registration_request=request).exists()


def test_the_purge_logs_what_it_did_and_a_second_run_finds_nothing(
    ivanov_account, published_policies, caplog
):
    aged(submit_request(), days=91, status="rejected")
    caplog.set_level(logging.INFO, logger="kabinet.jobs")
    purge()
    [line] = [json.loads(JsonFormatter().format(r)) for r in caplog.records if r.name == "kabinet.jobs"]
    assert line["job"] == "purge_personal_data" and line["requests"] == 1
    assert "Обезличено заявок: 0" in purge()
