from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from kabinet.billing.models import (
    Account,
    Accrual,
    AgentTransfer,
    ImportJob,
    Payment,
    PaymentRegistry,
    UnmatchedPayment,
)
from kabinet.billing.tests.factories import AccountFactory
from kabinet.billing.tests.test_import_accruals import HEADER, water

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parents[3] / "docs" / "samples"


@pytest.fixture(autouse=True)
def import_dir(settings, tmp_path) -> Path:
    settings.BILLING_IMPORT_DIR = tmp_path / "imports"
    return settings.BILLING_IMPORT_DIR


@pytest.fixture
def accounts():
    return [AccountFactory(number="1000000001"), AccountFactory(number="1000000002")]


def upload(client, name: str, content: bytes, *, kind: str = "accruals", skip_bad: bool = False):
    data = {"kind": kind, "upload": SimpleUploadedFile(name, content)}
    if skip_bad:
        data["skip_bad"] = "on"
    return client.post("/admin/billing/importjob/add/", data, follow=True)


def run_worker() -> str:
    out = StringIO()
    call_command("run_billing_worker", "--once", stdout=out)
    return out.getvalue()


def test_an_operator_uploads_accruals_and_sees_progress_then_the_summary(admin_client, accounts, import_dir):
    page = upload(admin_client, "октябрь.xlsx", (SAMPLES / "accruals.xlsx").read_bytes())

    job = ImportJob.objects.get()
    assert page.status_code == 200
    assert "Файл «октябрь.xlsx» поставлен в очередь на загрузку" in page.text
    assert '<meta http-equiv="refresh" content="2">' in page.text
    assert "в очереди" in page.text
    assert Path(job.stored_path).parent == import_dir  # kept under var/, not in the web root

    assert run_worker() == "Загружено файлов: 1.\n"

    page = admin_client.get(f"/admin/billing/importjob/{job.pk}/change/")
    assert "http-equiv" not in page.text
    assert "Начисления: периоды 10.2026: загружено строк 11, заменено прежних 0, ошибок нет." in page.text
    assert 'value="100"' in page.text
    assert Accrual.objects.count() == 11


def test_a_job_page_shows_only_the_layout_its_file_was_read_with(admin_client, accounts):
    upload(admin_client, "октябрь.xlsx", (SAMPLES / "accruals.xlsx").read_bytes())
    upload(admin_client, "реестр.txt", (SAMPLES / "sber-17.txt").read_bytes(), kind="sber-registry")
    accruals, registry = ImportJob.objects.order_by("pk")

    accruals_page = admin_client.get(f"/admin/billing/importjob/{accruals.pk}/change/").text
    registry_page = admin_client.get(f"/admin/billing/importjob/{registry.pk}/change/").text

    assert "Формат файла" in accruals_page
    assert "Профиль реестра банка" not in accruals_page
    assert "Профиль реестра банка" in registry_page
    assert "Формат файла" not in registry_page


def test_the_job_page_lists_every_bad_row_and_nothing_is_imported(admin_client, accounts):
    content = "\r\n".join([HEADER, water(), water(number="9999999999"), water(period="2026")]).encode()
    upload(admin_client, "accruals.csv", content)

    run_worker()

    job = ImportJob.objects.get()
    page = admin_client.get(f"/admin/billing/importjob/{job.pk}/change/")
    assert job.get_status_display() == "не загружен"
    assert "строка 3: лицевой счёт 9999999999 не найден" in page.text
    assert "строка 4: период «2026» не распознан" in page.text
    assert "Ничего не изменено" in page.text
    assert Accrual.objects.count() == 0


def test_the_upload_pages_are_titled_in_plain_russian(admin_client, accounts):
    listed = admin_client.get("/admin/billing/importjob/")
    form = admin_client.get("/admin/billing/importjob/add/")
    upload(admin_client, "accruals.csv", "\r\n".join([HEADER, water()]).encode())
    job = admin_client.get(f"/admin/billing/importjob/{ImportJob.objects.get().pk}/change/")

    assert 'href="/admin/billing/importjob/add/" class="addlink">Загрузить файл</a>' in listed.text
    assert "<h1>Загрузки файлов</h1>" in listed.text
    assert "<h1>Загрузить файл</h1>" in form.text
    assert '<input type="submit" value="Загрузить" class="default" name="_save">' in form.text
    assert "Сохранить и добавить другой объект" not in form.text
    assert "<h1>Загрузка файла</h1>" in job.text
    for page in (listed, form, job):
        assert "Добавить загрузка" not in page.text and "Просмотреть загрузка" not in page.text


def test_a_plainly_written_csv_is_imported_by_the_worker(admin_client, accounts):
    """On PostgreSQL such a file takes the fast road, whose COPY runs in threads of its own
    while the job's progress is written."""
    from kabinet.billing.tests.test_fast_road import line

    content = "\r\n".join([HEADER, line(), line(number="1000000002")]).encode()
    upload(admin_client, "accruals.csv", content)

    assert run_worker() == "Загружено файлов: 1.\n"

    job = ImportJob.objects.get()
    assert job.get_status_display() == "загружен"
    assert job.summary == "Начисления: периоды 10.2026: загружено строк 2, заменено прежних 0, ошибок нет."
    assert job.rows_done == 2
    assert Accrual.objects.count() == 2


def test_skip_bad_in_the_upload_form_imports_the_good_rows(admin_client, accounts):
    content = "\r\n".join([HEADER, water(), water(number="9999999999")]).encode()
    upload(admin_client, "accruals.csv", content, skip_bad=True)

    run_worker()

    job = ImportJob.objects.get()
    assert job.get_status_display() == "загружен"
    assert job.error_count == 1
    assert Accrual.objects.count() == 1


def test_a_file_of_another_type_is_refused_beside_the_field(admin_client):
    page = upload(admin_client, "accruals.pdf", b"%PDF-1.4")

    assert "Нужен файл CSV, XLSX, DBF или TXT" in page.text
    assert not ImportJob.objects.exists()


def test_an_unreadable_file_ends_the_job_with_the_reason(admin_client):
    upload(admin_client, "accruals.csv", b"\xff\xfe\x00garbage\x81\x98")

    run_worker()

    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED
    assert job.summary.startswith("Файл не загружен:")


def test_jobs_list_shows_status_and_filters(admin_client, accounts):
    upload(admin_client, "accruals.csv", "\r\n".join([HEADER, water()]).encode())

    page = admin_client.get("/admin/billing/importjob/", {"status": "queued"})

    assert "accruals.csv" in page.text
    assert "в очереди" in page.text


def test_a_job_whose_worker_died_is_imported_again_by_the_next_worker(admin_client, accounts, settings):
    upload(admin_client, "октябрь.xlsx", (SAMPLES / "accruals.xlsx").read_bytes())
    long_ago = timezone.now() - timedelta(minutes=settings.BILLING_IMPORT_LEASE_MINUTES + 1)
    ImportJob.objects.update(status=ImportJob.Status.RUNNING, started_at=long_ago)  # its worker was killed

    assert run_worker() == "Загружено файлов: 1.\n"

    assert ImportJob.objects.get().status == ImportJob.Status.DONE
    assert Accrual.objects.count() == 11


def test_a_job_running_now_is_left_to_its_worker(admin_client, accounts):
    upload(admin_client, "октябрь.xlsx", (SAMPLES / "accruals.xlsx").read_bytes())
    ImportJob.objects.update(status=ImportJob.Status.RUNNING, started_at=timezone.now())

    assert run_worker() == ""  # nothing to do: the other worker has it
    assert Accrual.objects.count() == 0


ACCOUNTS_HEADER = "account_number;full_name;address;area;phone;email"


def accounts_file(*rows: str) -> bytes:
    return "\r\n".join([ACCOUNTS_HEADER, *rows]).encode()


FIVE_ACCOUNTS = [
    f"100000010{n};Иванов Иван Иванович;г. Пермь, ул. Ленина, д. 1, кв. {n};;;" for n in range(5)
]


def test_an_accounts_upload_reports_the_rows_it_read_beside_what_it_added(admin_client):
    upload(admin_client, "accounts.csv", accounts_file(*FIVE_ACCOUNTS), kind="accounts")

    run_worker()

    job = ImportJob.objects.get()
    page = admin_client.get(f"/admin/billing/importjob/{job.pk}/change/").text
    assert job.get_status_display() == "загружен"
    assert job.rows_done == 5
    assert "строк прочитано: 5" in page
    assert "Лицевые счета: добавлено 5, обновлено 0, без изменений 0, ошибок 0." in page


def test_an_accounts_file_with_a_bad_row_ends_failed_and_changes_nothing_unless_skipping(admin_client):
    content = accounts_file(*FIVE_ACCOUNTS, ";Петров Пётр;Пермь;;;")
    upload(admin_client, "accounts.csv", content, kind="accounts")
    run_worker()
    failed = ImportJob.objects.get()

    assert failed.get_status_display() == "не загружен"
    assert failed.rows_done == 6
    assert "строка 7: не указан номер лицевого счёта" in failed.report
    assert "Ничего не изменено" in failed.summary
    assert not Account.objects.exists()

    upload(admin_client, "accounts.csv", content, kind="accounts", skip_bad=True)
    run_worker()
    skipped = ImportJob.objects.exclude(pk=failed.pk).get()

    assert skipped.get_status_display() == "загружен"
    assert skipped.summary == "Лицевые счета: добавлено 5, обновлено 0, без изменений 0, ошибок 1."
    assert Account.objects.count() == 5


def test_the_operator_reads_the_registry_by_the_name_it_was_uploaded_under(admin_client, import_dir):
    """The upload is kept under a random name; the summary, the unmatched payment and the
    registry's record name the file as the operator's computer did."""
    AccountFactory(number="1000000002")
    name = "Сбербанк 21.11.txt"
    upload(admin_client, name, (SAMPLES / "sber-short.txt").read_bytes(), kind="sber-registry")

    assert run_worker() == "Загружено файлов: 1.\n"

    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.DONE
    assert job.summary.startswith(f"Реестр платежей банка: реестр {name}: платежей 2 на ")
    page = admin_client.get(f"/admin/billing/importjob/{job.pk}/change/").text
    assert f"реестр {name}: платежей 2" in page
    assert PaymentRegistry.objects.get().file_name == name
    assert Payment.objects.get().note == f"Сбербанк, реестр {name}"
    waiting = UnmatchedPayment.objects.get()
    assert waiting.file_name == name
    assert "Кузьмин Пётр Ильич" in admin_client.get("/admin/billing/unmatchedpayment/", {"q": name}).text
    assert name in admin_client.get(f"/admin/billing/unmatchedpayment/{waiting.pk}/change/").text
    registries = admin_client.get("/admin/billing/paymentregistry/").text
    assert name in registries and Path(job.stored_path).name not in registries
    # The upload itself stays where uploads are kept, under its stored name.
    assert list(import_dir.iterdir()) == [Path(job.stored_path)]
    assert Path(job.stored_path).name != name


@pytest.mark.parametrize(
    ("kind", "name", "content", "said"),
    [
        ("sber-registry", "реестр ноябрь.txt", "1000000002;Петрова".encode(), "в кодировке UTF-8, а реестр"),
        ("bank-statement", "выписка ноябрь.txt", b"not a statement", "не в формате обмена 1С"),
        ("payments", "оплаты ноябрь.xlsx", b"not a workbook", "не читается как книга Excel"),
        ("meters", "приборы ноябрь.xlsx", b"not a workbook", "не читается как книга Excel"),
        ("gis-accounts", "ЕЛС из ГИС.xlsx", b"not a workbook", "не читается как книга Excel"),
        ("gis-meters", "ПУ из ГИС.xlsx", b"not a workbook", "не читается как книга Excel"),
    ],
)
def test_a_refused_upload_is_named_as_the_operator_named_it(admin_client, kind, name, content, said):
    upload(admin_client, name, content, kind=kind)

    run_worker()

    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED
    assert job.summary.startswith(f"Файл не загружен: Файл «{name}» ")
    assert said in job.summary
    assert Path(job.stored_path).name not in job.summary


def test_a_statement_names_the_uploaded_file_in_its_summary_and_what_it_keeps(admin_client):
    AccountFactory(number="1000000001")
    name = "Выписка 20.11.txt"
    upload(admin_client, name, (SAMPLES / "bank-statement.txt").read_bytes(), kind="bank-statement")

    run_worker()

    assert f"Выписка банка (1С): выписка {name}: платежей 2" in ImportJob.objects.get().summary
    assert UnmatchedPayment.objects.get().file_name == name
    assert AgentTransfer.objects.get().statement_file == name
