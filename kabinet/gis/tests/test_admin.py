"""The back-office page «Обмен с ГИС ЖКХ»: the exports written by the worker and offered with
a summary, the files ГИС returns uploaded with the billing imports' progress and row report."""

import re
from datetime import timedelta
from io import BytesIO, StringIO
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from kabinet.audit.models import AuditEntry
from kabinet.billing.models import Account, ImportJob
from kabinet.billing.tests.factories import AccountFactory
from kabinet.core.models import User
from kabinet.gis.models import GisExport
from kabinet.testing import sign_in_staff

from .samples import ACCOUNTS_SAMPLE, DEMO_ACCOUNTS, METERS_SAMPLE
from .test_exports import charged  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db
PAGE = "/admin/gis/gisexchange/"


@pytest.fixture(autouse=True)
def import_dir(settings, tmp_path) -> Path:
    settings.BILLING_IMPORT_DIR = tmp_path / "imports"
    return settings.BILLING_IMPORT_DIR


def test_the_page_says_how_many_accounts_and_meters_gis_knows(admin_client, charged):  # noqa: F811
    page = admin_client.get(PAGE)

    assert page.status_code == 200
    assert "<h1>Обмен с ГИС ЖКХ</h1>" in page.text
    assert "сейчас это 2 из 3 лицевых счетов и 0 из 0 приборов в работе" in page.text
    assert "Файлов из ГИС ЖКХ пока не загружали." in page.text
    assert 'href="/admin/billing/importjob/add/?kind=gis-accounts"' in page.text


def test_the_payment_documents_are_written_by_the_worker_and_offered_with_what_they_hold(
    admin_client,
    charged,  # noqa: F811
):
    asked = admin_client.post(PAGE, {"kind": "payment-documents", "period": "2026-03"}, follow=True)
    waiting = asked.text.replace("\xa0", " ")

    assert "Файл «gis-payment-documents-2026-03.xlsx» (платёжные документы за март 2026) готовится" in waiting
    assert "<td>в очереди</td>" in waiting
    assert "Платёжные документы за март 2026, заказан" in waiting
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in waiting  # follows the worker
    assert worker_round() == "Выгрузки для ГИС ЖКХ: gis-payment-documents-2026-03.xlsx.\n"

    done = admin_client.get(PAGE).text.replace("\xa0", " ")
    assert 'http-equiv="refresh"' not in done
    assert (
        "Платёжные документы за март 2026 для ГИС ЖКХ: 2 документа, 4 строки услуг, 1 строка пеней." in done
    )
    assert "Пропущено: 1 лицевой счёт без идентификатора ЖКУ" in done
    link = re.search(
        r'href="(/admin/gis/gisexchange/export/\d+/)" download>gis-payment-documents-2026-03.xlsx<', done
    )
    assert link is not None
    response = admin_client.get(link.group(1))
    assert response["Content-Disposition"] == 'attachment; filename="gis-payment-documents-2026-03.xlsx"'
    workbook = openpyxl.load_workbook(BytesIO(b"".join(response.streaming_content)))
    assert workbook["Разделы 1-2"]["A4"].value == "69ТВ123456-01"
    assert AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).count() == 1


def test_an_export_whose_worker_died_is_written_by_the_next_worker(admin_client, settings, charged):  # noqa: F811
    admin_client.post(PAGE, {"kind": "payment-documents", "period": "2026-03"})
    died = timezone.now() - timedelta(minutes=settings.BILLING_IMPORT_LEASE_MINUTES + 1)
    GisExport.objects.update(status=GisExport.Status.RUNNING, started_at=died)  # its worker was killed

    assert worker_round() == "Выгрузки для ГИС ЖКХ: gis-payment-documents-2026-03.xlsx.\n"

    assert GisExport.objects.get().status == GisExport.Status.DONE


def test_an_export_being_written_is_left_to_its_worker(admin_client, charged):  # noqa: F811
    admin_client.post(PAGE, {"kind": "payment-documents", "period": "2026-03"})
    GisExport.objects.update(status=GisExport.Status.RUNNING, started_at=timezone.now())

    assert worker_round() == ""
    assert GisExport.objects.get().status == GisExport.Status.RUNNING


def test_an_export_that_fails_says_so_and_offers_no_file(admin_client, monkeypatch):
    def broken(period, target):
        raise OSError("диск полон")

    monkeypatch.setattr("kabinet.gis.payment_documents.write", broken)
    admin_client.post(PAGE, {"kind": "payment-documents", "period": "2026-03"})
    worker_round()

    page = admin_client.get(PAGE).text
    assert "Файл не удалось подготовить: ошибка на сервере. Закажите его ещё раз" in page
    assert "<td>не удалось</td>" in page
    assert "/admin/gis/gisexchange/export/" not in page


def worker_round() -> str:
    out = StringIO()
    call_command("run_billing_worker", "--once", stdout=out)
    return out.getvalue()


def test_a_bad_month_is_named_beside_the_field(admin_client):
    page = admin_client.post(PAGE, {"kind": "readings", "period": "март"})

    assert page.status_code == 200
    assert "Укажите месяц в виде 2026-03." in page.text


def test_the_files_gis_returns_are_uploaded_and_listed_with_their_summary(admin_client):
    for number, _, _, address in DEMO_ACCOUNTS:
        AccountFactory(number=number, address=address)
    data = {"kind": "gis-accounts", "upload": SimpleUploadedFile("els.xlsx", ACCOUNTS_SAMPLE.read_bytes())}
    admin_client.post("/admin/billing/importjob/add/", data, follow=True)
    wrong = {
        "kind": "gis-meters",
        "upload": SimpleUploadedFile("els-again.xlsx", ACCOUNTS_SAMPLE.read_bytes()),
    }
    admin_client.post("/admin/billing/importjob/add/", wrong, follow=True)

    call_command("run_billing_worker", "--once", stdout=StringIO())

    assert Account.objects.get(number="1000123456").service_id == "69ТВ123456-01"
    page = admin_client.get(PAGE).text
    assert "ГИС ЖКХ: ЕЛС и идентификаторы ЖКУ: добавлено 0, обновлено 4, без изменений 0, ошибок 0." in page
    assert (
        "Файл не загружен: Это не файл приборов учёта из ГИС ЖКХ: в файле нет листа «Сведения о ПУ»" in page
    )
    assert ImportJob.objects.get(file_name="els-again.xlsx").status == ImportJob.Status.FAILED
    assert METERS_SAMPLE.exists()


def test_staff_without_the_permission_do_not_see_the_page(client):
    clerk = User.objects.create_user("clerk", password="clerk-pass-2026", is_staff=True)
    sign_in_staff(client, clerk)

    assert client.get(PAGE).status_code == 403
