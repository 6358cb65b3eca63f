"""The back-office side of foreign layouts: an upload of a new layout stops on «Столбцы файла»,
the operator maps the columns once, and the profile is kept for the next file."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from kabinet.billing.imports.built_in import ensure_built_in_profiles
from kabinet.billing.models import Accrual, ImportJob, ImportProfile, Payment
from kabinet.billing.tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def built_in_profiles(db):
    # What the migration made, again: a test on a live server empties the tables after itself.
    ensure_built_in_profiles(ImportProfile)


SAMPLES = Path(__file__).resolve().parents[3] / "docs" / "samples"
EXPORT_1C = (
    "ЛС;Месяц;Код;Услуга;Сумма;К оплате\r\n"
    "1000000001;10.2026;HVS;Холодное водоснабжение;148,00;148,00\r\n"
    "1000000002;10.2026;SOD;Содержание жилья;1083,00;1083,00\r\n"
)


@pytest.fixture(autouse=True)
def import_dir(settings, tmp_path) -> Path:
    settings.BILLING_IMPORT_DIR = tmp_path / "imports"
    return settings.BILLING_IMPORT_DIR


@pytest.fixture
def accounts():
    return [AccountFactory(number="1000000001"), AccountFactory(number="1000000002")]


def upload(client, name: str, content: bytes, *, kind: str = "accruals", layout: str = ""):
    data = {"kind": kind, "layout": layout, "upload": SimpleUploadedFile(name, content)}
    return client.post("/admin/billing/importjob/add/", data, follow=True)


def run_worker() -> str:
    out = StringIO()
    call_command("run_billing_worker", "--once", stdout=out)
    return out.getvalue()


MAPPING_1C = {
    "col_account_number": "ЛС",
    "col_period": "Месяц",
    "col_service_code": "Код",
    "col_service_name": "Услуга",
    "col_accrued": "Сумма",
    "col_to_pay": "К оплате",
}


def test_a_new_layout_is_mapped_once_then_imported_and_kept(admin_client, accounts):
    page = upload(admin_client, "1c.csv", EXPORT_1C.encode("cp1251"), layout="new")

    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.MAPPING
    assert page.redirect_chain[-1][0] == f"/admin/billing/importjob/{job.pk}/columns/"
    assert "<h1>Столбцы файла</h1>" in page.text
    assert "(кодировка: Windows-1251)" in page.text
    assert '<th scope="col">Месяц</th>' in page.text
    assert '<td data-label="Услуга">Холодное водоснабжение</td>' in page.text
    assert '<option value="ЛС" selected>ЛС</option>' in page.text  # guessed, for the operator to check
    run_worker()
    assert ImportJob.objects.get().status == ImportJob.Status.MAPPING  # waits for its columns, not run

    page = admin_client.post(
        f"/admin/billing/importjob/{job.pk}/columns/",
        {
            "encoding": "",
            "separator": "",
            "header_row": "1",
            "title": "1С: начисления",
            "_save": "1",
            **MAPPING_1C,
        },
        follow=True,
    )

    assert "Профиль «1С: начисления» сохранён" in page.text
    profile = ImportProfile.objects.get(title="1С: начисления")
    assert (profile.name, profile.kind, profile.built_in) == ("1s-nachisleniya", "accruals", False)
    assert profile.mapping["period"] == "Месяц"
    run_worker()
    page = admin_client.get(f"/admin/billing/importjob/{job.pk}/change/")
    assert "Начисления: периоды 10.2026: загружено строк 2, заменено прежних 0, ошибок нет." in page.text
    assert Accrual.objects.count() == 2

    form = admin_client.get("/admin/billing/importjob/add/")
    assert f'<option value="p{profile.pk}">1С: начисления</option>' in form.text
    upload(admin_client, "1c-again.csv", EXPORT_1C.encode("cp1251"), layout=f"p{profile.pk}")
    run_worker()
    assert ImportJob.objects.filter(status=ImportJob.Status.DONE).count() == 2


def test_a_required_field_left_unmapped_is_named_beside_its_select(admin_client, accounts):
    upload(admin_client, "1c.csv", EXPORT_1C.encode("utf-8"), layout="new")
    job = ImportJob.objects.get()

    page = admin_client.post(
        f"/admin/billing/importjob/{job.pk}/columns/",
        {"header_row": "1", "title": "1С", "_save": "1", **MAPPING_1C, "col_period": ""},
    )

    assert "Это поле Кабинету нужно: выберите столбец файла." in page.content.decode()
    assert not ImportProfile.objects.filter(title="1С").exists()
    assert ImportJob.objects.get().status == ImportJob.Status.MAPPING


def test_the_operator_overrides_the_encoding_and_sees_the_rows_again(admin_client, accounts):
    upload(admin_client, "1c.csv", EXPORT_1C.encode("cp866"), layout="new")
    job = ImportJob.objects.get()

    guessed = admin_client.get(f"/admin/billing/importjob/{job.pk}/columns/")
    forced = admin_client.post(
        f"/admin/billing/importjob/{job.pk}/columns/",
        {"encoding": "cp1251", "separator": "", "header_row": "1", "title": "", "_preview": "1"},
    )

    assert "(кодировка: DOS (cp866))" in guessed.content.decode()
    assert '<td data-label="Услуга">Холодное водоснабжение</td>' in guessed.content.decode()
    assert "(кодировка: Windows-1251)" in forced.content.decode()
    assert "Холодное водоснабжение" not in forced.content.decode()


def test_a_saved_profile_refuses_a_file_without_its_column_and_nothing_changes(admin_client, accounts):
    kvado = ImportProfile.objects.get(kind="payments", name="kvado")
    text = (SAMPLES / "kvado-payments.csv").read_text().replace("accounts_id", "account")

    upload(admin_client, "kvado.csv", text.encode(), kind="payments", layout=f"p{kvado.pk}")
    run_worker()

    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED
    assert job.summary.startswith(
        "Файл не загружен: В файле нет столбца «accounts_id», который профиль «КВАДО: платежи» "
        "берёт для поля «Лицевой счёт»."
    )
    assert not Payment.objects.exists()


def test_a_profile_of_another_kind_is_refused_beside_the_field(admin_client):
    kvado = ImportProfile.objects.get(kind="payments", name="kvado")

    page = upload(admin_client, "kvado.csv", b"x", kind="accruals", layout=f"p{kvado.pk}")

    assert (
        "Профиль «КВАДО: платежи» — для файлов вида «Оплаты», а выбрано «Начисления»" in page.content.decode()
    )
    assert not ImportJob.objects.exists()


def test_an_operator_renames_a_profile_and_corrects_its_columns(admin_client):
    kvado = ImportProfile.objects.get(kind="accruals", name="kvado")
    url = f"/admin/billing/importprofile/{kvado.pk}/change/"
    page = admin_client.get(url)
    assert 'value="accounts_id"' in page.content.decode()

    data = {
        "title": "КВАДО: начисления (наш)",
        "name": "kvado-our",
        "file_format": "",
        "encoding": "cp1251",
        "separator": ";",
        "header_row": "1",
        "col_account_number": "ls",
        "col_period": "period",
        "col_service_code": "utilities_id",
        "col_accrued": "value",
    }
    admin_client.post(url, data)

    kvado.refresh_from_db()
    assert (kvado.title, kvado.name, kvado.encoding) == ("КВАДО: начисления (наш)", "kvado-our", "cp1251")
    assert kvado.mapping == {
        "account_number": "ls",
        "period": "period",
        "service_code": "utilities_id",
        "accrued": "value",
    }
    page = admin_client.post(url, {**data, "col_account_number": ""})
    assert "Это поле Кабинету нужно: укажите столбец файла." in page.content.decode()


def test_joined_columns_are_shown_and_kept_with_a_plus(admin_client):
    szn = ImportProfile.objects.get(name="szn-dbf")

    page = admin_client.get(f"/admin/billing/importprofile/{szn.pk}/change/")

    assert 'value="FAM_L + IM_L + OT_L"' in page.content.decode()
