"""Workers' queues (kabinet/core/queues.py): the oldest row first, never one row to two workers,
a row whose worker died taken again once its lease is over. Shown on ГИС ЖКХ's exports and the
billing uploads, the two queues that use it."""

import datetime

import pytest
from django.utils import timezone

from kabinet.billing.models import ImportJob
from kabinet.core.queues import claim_oldest
from kabinet.gis.models import GisExport

pytestmark = pytest.mark.django_db
HOUR = datetime.timedelta(hours=1)
MARCH, APRIL = datetime.date(2026, 3, 1), datetime.date(2026, 4, 1)


def test_the_oldest_queued_row_is_taken_and_never_twice():
    older = GisExport.objects.create(kind="readings", period=MARCH)
    newer = GisExport.objects.create(kind="readings", period=APRIL)
    GisExport.objects.filter(pk=newer.pk).update(created_at=older.created_at + HOUR)

    first = claim_oldest(GisExport, lease=HOUR)
    second = claim_oldest(GisExport, lease=HOUR)

    assert (first.pk, second.pk) == (older.pk, newer.pk)
    assert first.status == GisExport.Status.RUNNING and first.started_at is not None
    assert claim_oldest(GisExport, lease=HOUR) is None


def test_a_row_running_past_its_lease_is_taken_again_and_one_within_it_is_left():
    died = timezone.now() - datetime.timedelta(minutes=11)
    ImportJob.objects.create(
        kind="accruals", file_name="ноябрь.csv", status=ImportJob.Status.RUNNING, started_at=died, rows_done=7
    )

    assert claim_oldest(ImportJob, lease=datetime.timedelta(minutes=15)) is None  # its worker may live

    again = claim_oldest(ImportJob, lease=datetime.timedelta(minutes=10), restart={"rows_done": 0})
    assert again is not None
    assert (again.file_name, again.status, again.rows_done) == ("ноябрь.csv", ImportJob.Status.RUNNING, 0)
    assert again.started_at > died
