"""Logs: one JSON line per request and per job, with the id, and nothing secret in them."""

import json
import logging
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from kabinet.core.logs import JsonFormatter, mask_phones
from kabinet.messaging import services as messaging

pytestmark = pytest.mark.django_db


def lines(caplog) -> list[dict]:
    formatter = JsonFormatter()
    return [json.loads(formatter.format(record)) for record in caplog.records]


def test_one_json_line_per_request_with_the_id_sent_back_and_the_route_not_the_path(caplog):
    caplog.set_level(logging.INFO, logger="kabinet.requests")
    response = Client().get("/registration/abcdefgh12345678/")
    [line] = [line for line in lines(caplog) if line["logger"] == "kabinet.requests"]
    assert line["request_id"] == response["X-Request-ID"]
    assert line["route"] == "/registration/<slug:token>/"
    assert line["status"] == response.status_code
    assert line["method"] == "GET" and line["duration_ms"] >= 0
    assert "abcdefgh12345678" not in json.dumps(line)


def test_the_request_id_of_nginx_is_kept_only_from_a_trusted_proxy(caplog):
    caplog.set_level(logging.INFO, logger="kabinet.requests")
    given = "0123456789abcdef0123456789abcdef"
    stranger = Client().get("/healthz", HTTP_X_REQUEST_ID=given, REMOTE_ADDR="203.0.113.7")
    assert stranger["X-Request-ID"] != given
    with override_settings(TRUSTED_PROXIES=["127.0.0.1/32"]):
        proxied = Client().get("/healthz", HTTP_X_REQUEST_ID=given, REMOTE_ADDR="127.0.0.1")
    assert proxied["X-Request-ID"] == given


def test_a_failed_log_in_leaves_no_password_and_no_full_phone_in_the_log(caplog, ivanov_account):
    caplog.set_level(logging.DEBUG)
    Client().post("/login/", {"username": "+7 912 345-67-89", "password": "Sunflower-Tver-1961"})
    logged = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines(caplog))
    assert "Sunflower-Tver-1961" not in logged
    assert "345-67-89" not in logged and "9123456789" not in logged


def test_secret_fields_are_hidden_and_phones_masked_wherever_they_are():
    record = logging.LogRecord("kabinet", logging.INFO, __file__, 1, "SMS на %s", ("+79123456789",), None)
    record.code = "123456"
    record.password = "Sunflower-Tver-1961"
    record.token = "abc"
    record.status_code = 200
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "SMS на +*********89"
    assert line["code"] == line["password"] == line["token"] == "[скрыто]"
    assert line["status_code"] == 200
    masked = mask_phones("8 (495) 123-45-67, время 2026-12-05 05:02:14")
    assert masked == "+*********67, время 2026-12-05 05:02:14"


def test_a_worker_round_that_did_something_is_one_json_line_with_a_job_id(caplog):
    caplog.set_level(logging.INFO, logger="kabinet.jobs")
    messaging.send_sms(phone="+79123456789", text="Код подтверждения: 123456", sensitive=True)
    call_command("run_worker", once=True, stdout=StringIO())
    [line] = [line for line in lines(caplog) if line["logger"] == "kabinet.jobs"]
    assert line["job"] == "outbox" and len(line["job_id"]) == 16
    assert "123456" not in json.dumps(line)


def test_errors_go_to_sentry_without_personal_data(monkeypatch):
    import sentry_sdk

    from kabinet.core import logs

    given = {}
    monkeypatch.setattr(sentry_sdk, "init", lambda **options: given.update(options))
    logs.sentry_init(dsn="https://key@sentry.example/1", environment="production", traces_sample_rate=0)
    assert given["send_default_pii"] is False and given["include_local_variables"] is False
    event = {
        "user": {"id": 5},
        "request": {"cookies": {"sessionid": "x"}, "data": {"password": "p"}, "headers": {"Cookie": "a=b"}},
        "exception": {"values": [{"value": "SMS на +79123456789 не ушло"}]},
    }
    scrubbed = given["before_send"](event, {})
    assert (
        "user" not in scrubbed and "cookies" not in scrubbed["request"] and "data" not in scrubbed["request"]
    )
    assert scrubbed["request"]["headers"]["Cookie"] == "[скрыто]"
    assert scrubbed["exception"]["values"][0]["value"] == "SMS на +*********89 не ушло"
