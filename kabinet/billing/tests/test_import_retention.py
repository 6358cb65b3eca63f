"""Uploaded billing files hold residents' ФИО, addresses and sums: the billing worker deletes each
KABINET_IMPORT_UPLOAD_KEEP_DAYS after its import ended (152-ФЗ ст. 5 ч. 7); the job keeps its
summary and report and its page says the file is gone. Queued and running jobs keep theirs."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kabinet.billing.imports.jobs import purge_old_uploads, queue_import
from kabinet.billing.models import ImportJob
from kabinet.billing.tests.factories import AccountFactory
from kabinet.billing.tests.test_import_accruals import HEADER, water
from kabinet.billing.tests.test_import_jobs import run_worker, upload

pytestmark = pytest.mark.django_db

KEEP_DAYS = 30


@pytest.fixture(autouse=True)
def import_dir(settings, tmp_path) -> Path:
    settings.BILLING_IMPORT_DIR = tmp_path / "imports"
    settings.IMPORT_UPLOAD_KEEP_DAYS = KEEP_DAYS
    return settings.BILLING_IMPORT_DIR


@pytest.fixture
def imported(admin_client) -> ImportJob:
    """An accruals file the worker imported, one row refused (the report has a line)."""
    AccountFactory(number="1000000001")
    content = "\r\n".join([HEADER, water(), water(number="9999999999")]).encode()
    upload(admin_client, "начисления октябрь.csv", content, skip_bad=True)
    run_worker()
    job = ImportJob.objects.get()
    assert job.finished and Path(job.stored_path).is_file()
    return job


def ended_days_ago(job: ImportJob, days: int) -> None:
    ImportJob.objects.filter(pk=job.pk).update(finished_at=timezone.now() - timedelta(days=days))


def job_page(client, job: ImportJob) -> str:
    return client.get(f"/admin/billing/importjob/{job.pk}/change/").text.replace("\xa0", " ")


def test_an_upload_past_its_keeping_time_is_deleted_and_the_job_keeps_its_summary(admin_client, imported):
    stored, summary, report = Path(imported.stored_path), imported.summary, imported.report
    ended_days_ago(imported, KEEP_DAYS + 1)

    assert run_worker() == "Удалено по сроку хранения загруженных файлов: 1.\n"

    assert not stored.exists()
    job = ImportJob.objects.get()
    assert (job.status, job.summary, job.report) == (ImportJob.Status.DONE, summary, report)
    assert job.file_purged_at is not None and job.stored_path == ""
    page = job_page(admin_client, job)
    assert "Файл удалён по сроку хранения" in page
    assert "итог и отчёт по строкам остаются" in page
    assert "лицевой счёт 9999999999 не найден" in page  # the report is still there
    assert run_worker() == ""  # and nothing is deleted twice


def test_a_fresh_upload_is_kept_and_its_page_says_until_when(admin_client, imported):
    ended_days_ago(imported, KEEP_DAYS - 1)

    assert run_worker() == ""

    assert Path(imported.stored_path).is_file()
    assert ImportJob.objects.get().file_purged_at is None
    assert "Хранится до " in job_page(admin_client, imported)


def test_a_failed_import_loses_its_file_too(admin_client):
    upload(admin_client, "accruals.csv", b"\xff\xfe\x00garbage\x81\x98")
    run_worker()
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED
    ended_days_ago(job, KEEP_DAYS + 1)

    purge_old_uploads()

    assert not Path(job.stored_path).exists()
    assert ImportJob.objects.get().summary.startswith("Файл не загружен:")


@pytest.mark.parametrize("status", [ImportJob.Status.QUEUED, ImportJob.Status.RUNNING])
def test_a_waiting_or_running_jobs_upload_is_never_removed_however_old(admin_client, status):
    upload(admin_client, "accruals.csv", "\r\n".join([HEADER, water()]).encode())
    long_ago = timezone.now() - timedelta(days=10 * KEEP_DAYS)
    # A finish time left from an earlier run must not count either: the job runs now.
    ImportJob.objects.update(
        status=status, created_at=long_ago, started_at=timezone.now(), finished_at=long_ago
    )
    job = ImportJob.objects.get()

    assert purge_old_uploads() == ""

    assert Path(job.stored_path).is_file()
    assert ImportJob.objects.get().file_purged_at is None


def upload_for_mapping(name: str) -> ImportJob:
    job = ImportJob(kind="accruals")
    upload = SimpleUploadedFile(name, "\r\n".join([HEADER, water()]).encode())
    return queue_import(job=job, upload=upload, user=None, map_columns=True)


def test_an_upload_left_waiting_for_its_columns_ends_and_is_deleted(admin_client):
    abandoned, fresh = upload_for_mapping("забытый.csv"), upload_for_mapping("свежий.csv")
    stored = Path(abandoned.stored_path)
    ImportJob.objects.filter(pk=abandoned.pk).update(
        created_at=timezone.now() - timedelta(days=KEEP_DAYS + 1)
    )

    assert purge_old_uploads() == "Удалено по сроку хранения загруженных файлов: 1."

    abandoned.refresh_from_db()
    assert abandoned.status == ImportJob.Status.FAILED
    assert "Столбцы файла не сопоставлены за 30 дн.: файл удалён по сроку хранения" in abandoned.summary
    assert not stored.exists() and abandoned.file_purged_at is not None
    assert Path(fresh.stored_path).is_file()
    assert ImportJob.objects.get(pk=fresh.pk).status == ImportJob.Status.MAPPING
    # The columns page of the ended job leads back to the job, which says what happened.
    columns = admin_client.get(f"/admin/billing/importjob/{abandoned.pk}/columns/", follow=True)
    assert "Столбцы файла не сопоставлены" in columns.text


def test_a_file_that_cannot_be_deleted_is_tried_again_and_the_others_go(admin_client, imported, tmp_path):
    stuck = ImportJob.objects.create(
        kind="accruals", file_name="stuck.csv", stored_path=str(tmp_path), status=ImportJob.Status.DONE
    )  # a directory: unlink refuses it
    ImportJob.objects.update(finished_at=timezone.now() - timedelta(days=KEEP_DAYS + 1))

    assert run_worker() == "Удалено по сроку хранения загруженных файлов: 1.\n"

    assert ImportJob.objects.get(pk=stuck.pk).file_purged_at is None
    assert ImportJob.objects.get(pk=imported.pk).file_purged_at is not None


def test_a_job_deleted_in_the_back_office_takes_its_file_along(admin_client, imported):
    stored = Path(imported.stored_path)

    admin_client.post(f"/admin/billing/importjob/{imported.pk}/delete/", {"post": "yes"})

    assert not ImportJob.objects.exists()
    assert not stored.exists()
