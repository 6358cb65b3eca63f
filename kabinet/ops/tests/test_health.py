"""`/healthz` and `/readyz`, as nginx and the monitoring read them."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import OperationalError
from django.test import Client, override_settings
from django.utils import timezone

from kabinet.core.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


def beat(kind: str, seconds_ago: float) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.create(
        kind=kind, worker=f"host:{kind}", started_at=now, beat_at=now - timedelta(seconds=seconds_ago)
    )


def test_healthz_answers_while_the_process_lives(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"


@override_settings(READY_WORKERS=["outbox", "billing"], HEARTBEAT_MAX_AGE_SECONDS=120)
def test_readyz_is_ready_with_database_cache_migrations_and_fresh_workers(client):
    beat("outbox", 5)
    beat("billing", 30)
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "migrations", "workers"}
    assert all(check["ok"] for check in body["checks"].values())


@override_settings(READY_WORKERS=["outbox", "billing"], HEARTBEAT_MAX_AGE_SECONDS=120)
def test_readyz_is_not_ready_when_a_worker_stopped_beating_and_says_which(client):
    beat("outbox", 5)
    beat("billing", 600)
    response = client.get("/readyz")
    assert response.status_code == 503
    workers = response.json()["checks"]["workers"]
    assert not workers["ok"]
    assert "billing: 600 с назад" in workers["detail"]


@override_settings(READY_WORKERS=["outbox"])
def test_readyz_names_a_worker_that_never_ran(client):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "outbox: ни разу не запускался" in response.json()["checks"]["workers"]["detail"]


def test_readyz_reports_a_database_fault_as_not_ready_not_as_an_error(client, monkeypatch):
    from kabinet.ops import health

    def down():
        raise OperationalError("connection refused")

    monkeypatch.setitem(health.CHECKS, "database", down)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == {
        "ok": False,
        "detail": "OperationalError: connection refused",
        "ms": response.json()["checks"]["database"]["ms"],
    }


def test_every_worker_leaves_a_heartbeat_of_its_own_kind():
    call_command("run_worker", once=True, stdout=StringIO())
    call_command("run_billing_worker", once=True, stdout=StringIO())
    kinds = set(WorkerHeartbeat.objects.values_list("kind", flat=True))
    assert kinds == {"outbox", "billing"}


def test_a_database_gone_away_shows_the_temporarily_unavailable_page():
    client = Client(raise_request_exception=False)
    with override_settings(ROOT_URLCONF="kabinet.ops.tests.urls_broken"):
        response = client.get("/broken-db/")
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    text = response.content.decode()
    assert "временно недоступен" in text
    assert "Traceback" not in text and "OperationalError" not in text


def test_any_other_error_shows_the_error_page_with_the_request_id_to_quote():
    client = Client(raise_request_exception=False)
    with override_settings(ROOT_URLCONF="kabinet.ops.tests.urls_broken"):
        response = client.get("/broken-code/")
    assert response.status_code == 500
    assert response["X-Request-ID"] in response.content.decode()
    assert "ZeroDivisionError" not in response.content.decode()


def test_a_worker_start_clears_the_heartbeats_of_processes_gone_for_a_day():
    beat("outbox", 2 * 86400)
    call_command("run_worker", once=True, stdout=StringIO())
    assert WorkerHeartbeat.objects.filter(kind="outbox").count() == 1
    assert WorkerHeartbeat.objects.get(kind="outbox").worker != "host:outbox"
