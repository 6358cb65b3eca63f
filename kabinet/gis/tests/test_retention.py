"""ГИС ЖКХ's exports hold residents' ФИО and addresses: the billing worker deletes each file
KABINET_EXPORT_KEEP_DAYS after it was written (152-ФЗ ст. 5 ч. 7). The row keeps its summary, the
page says «Файл удалён по сроку хранения» instead of a link, and an old link explains itself."""

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from kabinet.gis.models import GisExport
from kabinet.gis.services import purge_old_exports

from .test_admin import PAGE, worker_round
from .test_exports import charged  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db
KEEP_DAYS = 30


@pytest.fixture(autouse=True)
def import_dir(settings, tmp_path) -> Path:
    settings.BILLING_IMPORT_DIR = tmp_path / "imports"
    settings.EXPORT_KEEP_DAYS = KEEP_DAYS
    return settings.BILLING_IMPORT_DIR


def written_days_ago(days: int) -> None:
    GisExport.objects.update(finished_at=timezone.now() - timedelta(days=days))


def page(client) -> str:
    return client.get(PAGE).text.replace("\xa0", " ")


def test_an_export_past_its_keeping_time_is_deleted_its_summary_kept_and_the_page_says_so(
    admin_client,
    charged,  # noqa: F811
):
    admin_client.post(PAGE, {"kind": "payment-documents", "period": "2026-03"})
    worker_round()
    export = GisExport.objects.get()
    stored, summary = Path(export.stored_path), export.summary
    link = f"/admin/gis/gisexchange/export/{export.pk}/"
    assert stored.is_file() and link in page(admin_client)
    written_days_ago(KEEP_DAYS + 1)

    assert worker_round() == "Удалено по сроку хранения выгрузок для ГИС ЖКХ: 1.\n"

    assert not stored.exists()
    export.refresh_from_db()
    assert (export.status, export.summary) == (GisExport.Status.DONE, summary)
    assert export.file_purged_at is not None
    listed = page(admin_client)
    assert "Файл удалён по сроку хранения" in listed
    assert "Платёжные документы за март 2026 для ГИС ЖКХ: 2 документа" in listed  # the summary stays
    assert link not in listed  # no dead link
    old_link = admin_client.get(link)
    assert old_link.status_code == 410
    said = old_link.text.replace("\xa0", " ")
    assert "<h1>Файл удалён</h1>" in said
    assert re.search(
        r"Файл «gis-payment-documents-2026-03\.xlsx» \(платёжные документы за март 2026\) удалён", said
    )
    assert "по сроку хранения" in said and "закажите выгрузку заново" in said


def make_export(tmp_path: Path, status=GisExport.Status.DONE, **fields) -> GisExport:
    stored = tmp_path / "gis-readings.xlsx"
    stored.write_bytes(b"PK fake workbook")
    return GisExport.objects.create(
        kind="readings",
        period=date(2026, 3, 1),
        status=status,
        stored_path=str(stored) if status == GisExport.Status.DONE else "",
        summary="Показания за март 2026 для ГИС ЖКХ: 12 показаний.",
        finished_at=timezone.now() if status in (GisExport.Status.DONE, GisExport.Status.FAILED) else None,
        **fields,
    )


def test_a_fresh_export_stays_and_the_page_says_until_when(admin_client, tmp_path):
    export = make_export(tmp_path)
    written_days_ago(KEEP_DAYS - 1)

    assert purge_old_exports() == ""

    assert Path(export.stored_path).is_file()
    listed = page(admin_client)
    assert f'href="/admin/gis/gisexchange/export/{export.pk}/" download>' in listed
    assert "Хранится до " in listed and "Файл удалён" not in listed
    assert admin_client.get(f"/admin/gis/gisexchange/export/{export.pk}/").status_code == 200


@pytest.mark.parametrize("status", [GisExport.Status.QUEUED, GisExport.Status.RUNNING])
def test_an_export_being_written_is_never_touched(tmp_path, status):
    export = make_export(tmp_path, status=status, started_at=timezone.now())
    GisExport.objects.update(created_at=timezone.now() - timedelta(days=10 * KEEP_DAYS))

    assert purge_old_exports() == ""

    assert GisExport.objects.get(pk=export.pk).file_purged_at is None


def test_a_failed_exports_half_written_file_goes_too(settings, tmp_path):
    export = make_export(tmp_path, status=GisExport.Status.FAILED)
    half = Path(settings.BILLING_IMPORT_DIR) / "gis" / f"{export.pk}-{export.file_name}"
    half.parent.mkdir(parents=True)
    half.write_bytes(b"PK half")
    written_days_ago(KEEP_DAYS + 1)

    purge_old_exports()

    assert not half.exists()


def test_a_file_missing_from_the_server_is_explained_not_a_bare_404(admin_client, tmp_path):
    export = make_export(tmp_path)
    Path(export.stored_path).unlink()  # a disk restored without it

    missing = admin_client.get(f"/admin/gis/gisexchange/export/{export.pk}/")

    assert missing.status_code == 404
    assert "нет на сервере" in missing.text and "закажите выгрузку заново" in missing.text
