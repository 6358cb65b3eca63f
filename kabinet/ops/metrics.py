"""The Prometheus exposition at `/metrics`: request figures and the operator's business figures.

Request figures are counted in the process that served the request. Under gunicorn with several
worker processes, set `PROMETHEUS_MULTIPROC_DIR` (an empty directory, cleaned at each start:
deploy/kabinet-web.service does it) so that every process's counts are added up; otherwise one
process's counts would be reported as the node's.

Business figures are read from the database at each scrape (every 15–60 s is plenty): they are
the same on every node, so a dashboard takes them from any one.
"""

import os
import time
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Min, Q
from django.utils import timezone
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

from kabinet.core.worker import newest_beats

REQUESTS = Counter(
    "kabinet_http_requests",
    "HTTP requests answered, by route and status class",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "kabinet_http_request_duration_seconds",
    "Time to answer an HTTP request",
    ["route"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


def observe(*, method: str, route: str, status: int, seconds: float) -> None:
    REQUESTS.labels(method, route, f"{status // 100}xx").inc()
    LATENCY.labels(route).observe(seconds)


class BusinessCollector:
    """Figures an operator watches, computed from the database when scraped."""

    def collect(self):
        now = timezone.now()
        yield from _outbox(now)
        yield _sms_last_day(now)
        yield from _registration_queue(now)
        yield _import_jobs()
        yield _readings_last_hour(now)
        yield _worker_beats(now)


def _outbox(now):
    from kabinet.messaging.models import OutboxMessage

    unsent = OutboxMessage.objects.filter(
        status__in=[OutboxMessage.Status.QUEUED, OutboxMessage.Status.SENDING]
    )
    queued = GaugeMetricFamily(
        "kabinet_outbox_unsent", "Messages in the outbox not sent yet", labels=["channel"]
    )
    for channel in OutboxMessage.Channel.values:
        queued.add_metric([channel], 0)
    for row in unsent.values("channel").annotate(n=Count("id")).order_by():
        queued.add_metric([row["channel"]], row["n"])
    yield queued
    oldest = unsent.aggregate(oldest=Min("created_at"))["oldest"]
    yield GaugeMetricFamily(
        "kabinet_outbox_oldest_unsent_age_seconds",
        "Age of the oldest message not sent yet (0: the queue is empty)",
        value=(now - oldest).total_seconds() if oldest else 0,
    )
    yield GaugeMetricFamily(
        "kabinet_outbox_possibly_sent",
        "Messages a stopped worker left with the gateway, waiting for a delivery report or an operator",
        value=OutboxMessage.objects.filter(status=OutboxMessage.Status.UNCERTAIN).count(),
    )


def _sms_last_day(now) -> GaugeMetricFamily:
    from kabinet.messaging.models import OutboxMessage

    sms = GaugeMetricFamily(
        "kabinet_sms_last_24h",
        "SMS written in the last 24 hours, by gateway and status (sent, delivered, failed, …)",
        labels=["gateway", "status"],
    )
    rows = (
        OutboxMessage.objects.filter(channel="sms", created_at__gte=now - timedelta(hours=24))
        .values("gateway", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        sms.add_metric([row["gateway"] or settings.SMS_GATEWAY, row["status"]], row["n"])
    return sms


def _registration_queue(now):
    from kabinet.residents.models import RegistrationRequest

    review = RegistrationRequest.objects.filter(status=RegistrationRequest.Status.PENDING).aggregate(
        waiting=Count("id"),
        overdue=Count(
            "id", filter=Q(created_at__lt=now - timedelta(hours=settings.REGISTRATION_REVIEW_LIMIT_HOURS))
        ),
    )
    yield GaugeMetricFamily(
        "kabinet_registration_requests_waiting",
        "Registration requests waiting for an operator",
        value=review["waiting"],
    )
    yield GaugeMetricFamily(
        "kabinet_registration_requests_overdue",
        "Registration requests waiting longer than the promised answer time (3 days by default)",
        value=review["overdue"],
    )


def _import_jobs() -> GaugeMetricFamily:
    from kabinet.billing.models import ImportJob

    jobs = GaugeMetricFamily("kabinet_import_jobs", "Billing file uploads by state", labels=["status"])
    counts = dict(ImportJob.objects.values_list("status").annotate(n=Count("id")).order_by())
    for status in ImportJob.Status.values:
        jobs.add_metric([status], counts.get(status, 0))
    return jobs


def _readings_last_hour(now) -> GaugeMetricFamily:
    from kabinet.meters.models import Reading

    return GaugeMetricFamily(
        "kabinet_readings_last_hour",
        "Meter readings submitted in the last hour",
        value=Reading.objects.filter(submitted_at__gte=now - timedelta(hours=1)).count(),
    )


def _worker_beats(now) -> GaugeMetricFamily:
    beats = GaugeMetricFamily(
        "kabinet_worker_heartbeat_age_seconds",
        "Seconds since the newest heartbeat of each worker kind",
        labels=["kind"],
    )
    for kind, newest in newest_beats().items():
        beats.add_metric([kind], (now - newest).total_seconds())
    return beats


def exposition() -> bytes:
    """Everything in Prometheus' text format: this node's requests, then the business figures."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(REQUESTS)
        registry.register(LATENCY)
    started = time.monotonic()
    registry.register(BusinessCollector())
    body = generate_latest(registry)
    scrape = "# HELP kabinet_scrape_seconds Time to compute this page\n# TYPE kabinet_scrape_seconds gauge\n"
    scrape += f"kabinet_scrape_seconds {time.monotonic() - started:.4f}\n"
    return body + scrape.encode()
