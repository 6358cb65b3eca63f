"""Billing systems' own exports read through a profile of their columns (imports/mapping.py):
the built-in profiles fed their samples from docs/samples/, and files of any separator,
format and encoding fed through a profile an operator saved."""

import datetime
from decimal import Decimal
from io import StringIO
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kabinet.billing.imports import import_file
from kabinet.billing.imports.built_in import ensure_built_in_profiles
from kabinet.billing.imports.mapping import Layout, preview
from kabinet.billing.models import Account, Accrual, ImportProfile, Payment
from kabinet.billing.tests.dbf import CP866, CP1251, write_dbf
from kabinet.meters.models import Meter, Resource

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def built_in_profiles(db):
    # What the migration made, again: a test on a live server empties the tables after itself.
    ensure_built_in_profiles(ImportProfile)


SAMPLES = Path(__file__).resolve().parents[3] / "docs" / "samples"
OCT = datetime.date(2026, 10, 1)


def run(kind: str, path: Path, *args: str) -> list[str]:
    out = StringIO()
    call_command("import_billing", kind, str(path), *args, "--no-progress", stdout=out, stderr=StringIO())
    return out.getvalue().splitlines()


def refused(kind: str, path: Path, *args: str) -> str:
    with pytest.raises(CommandError) as caught:
        run(kind, path, *args)
    return str(caught.value)


@pytest.fixture
def accounts():
    run("accounts", SAMPLES / "accounts.csv")
    return Account.objects.order_by("number")


@pytest.fixture
def billing_1c() -> ImportProfile:
    """A profile an operator saved for a «1С» export: Russian column names."""
    return ImportProfile.objects.create(
        name="1c-oborotka",
        title="1С: начисления",
        kind="accruals",
        mapping={
            "account_number": "ЛС",
            "period": "Период",
            "service_code": "Код",
            "service_name": "Услуга",
            "accrued": "Начислено",
            "to_pay": "К оплате",
        },
    )


ROWS_1C = [
    ["ЛС", "Период", "Код", "Услуга", "Начислено", "К оплате"],
    ["1000000001", "10.2026", "HVS", "Холодное водоснабжение", "148,00", "148,00"],
    ["1000000002", "10.2026", "SOD", "Содержание жилья", "1083,00", "1083,00"],
]


def write_text(path: Path, rows: list[list[str]], *, separator: str, encoding: str = "utf-8") -> Path:
    path.write_bytes("".join(separator.join(row) + "\r\n" for row in rows).encode(encoding))
    return path


def accruals() -> list[tuple]:
    return list(
        Accrual.objects.order_by("account_id", "service_id").values_list(
            "account_id", "period", "service_id", "service__name", "accrued", "to_pay"
        )
    )


# --- the built-in profiles and their samples -------------------------------------------------


def test_built_in_profiles_are_there_after_migrating():
    assert set(ImportProfile.objects.filter(built_in=True).values_list("kind", "name")) == {
        ("accounts", "1c-14-1"),
        ("accounts", "szn-dbf"),
        ("accruals", "kvado"),
        ("payments", "kvado"),
        ("meters", "condo-doma"),
    }


def test_1c_registry_template_14_1_updates_accounts_by_position(accounts):
    Account.objects.filter(number="1000000002").update(holder_name="Петрова А. С.")

    lines = run("accounts", SAMPLES / "1c-14-1.txt", "--profile", "1c-14-1")

    assert lines[-1] == "Лицевые счета: добавлено 0, обновлено 1, без изменений 2, ошибок 0."
    assert Account.objects.get(number="1000000002").holder_name == "Петрова Анна Сергеевна"


def test_kvado_accruals_become_services_per_tariff_zone_with_to_pay_computed(accounts):
    lines = run("accruals", SAMPLES / "kvado-accruals.csv", "--profile", "kvado")

    assert "загружено строк 5" in lines[-1]
    assert accruals() == [
        ("1000000001", OCT, "12", "Холодное водоснабжение", Decimal("148.00"), Decimal("148.00")),
        ("1000000001", OCT, "15-день", "Электроэнергия (день)", Decimal("771.60"), Decimal("771.60")),
        ("1000000001", OCT, "15-ночь", "Электроэнергия (ночь)", Decimal("256.80"), Decimal("256.80")),
        ("1000000002", OCT, "12", "Холодное водоснабжение", Decimal("208.13"), Decimal("104.07")),
        ("1000000002", OCT, "3", "Содержание жилого помещения", Decimal("1083.00"), Decimal("1033.00")),
    ]
    cold = Accrual.objects.get(account_id="1000000002", service_id="12")
    assert (cold.volume_source, cold.volume, cold.tariff) == ("norm", Decimal("4.5"), Decimal("46.25"))


def test_kvado_payments_tab_separated_are_stored_with_kvado_ids(accounts):
    run("payments", SAMPLES / "kvado-payments.csv", "--profile", "kvado")

    assert list(
        Payment.objects.order_by("external_id").values_list(
            "account__number", "paid_on", "amount", "external_id", "note"
        )
    ) == [
        ("1000000001", datetime.date(2026, 10, 12), Decimal("4300.00"), "90211", "Сбербанк Онлайн"),
        ("1000000002", datetime.date(2026, 10, 20), Decimal("1033.00"), "90212", "касса"),
    ]


def test_social_protection_dbf_in_cp866_joins_name_and_address(accounts):
    lines = run("accounts", SAMPLES / "szn-lgoty.dbf", "--profile", "szn-dbf")

    assert lines[-1] == "Лицевые счета: добавлено 0, обновлено 1, без изменений 1, ошибок 0."
    account = Account.objects.get(number="1000000004")
    assert account.holder_name == "Кузнецова-Ельцова Мария Алексеевна"
    assert account.address == "г. Пермь, ул. Ленина, д. 10, кв. 4"


def test_condo_meters_table_in_xlsx_creates_meters(accounts):
    lines = run("meters", SAMPLES / "condo-meters.xlsx", "--profile", "condo-doma")

    assert lines[-1] == "Приборы учёта: добавлено 3, обновлено 0, без изменений 0, ошибок 0."
    meters = {m.serial_number: m for m in Meter.objects.all()}
    assert meters["Э-0147733"].service == Resource.ELECTRICITY
    assert meters["Э-0147733"].tariffs == 2
    assert meters["ТС-77120"].service == Resource.HEATING
    assert meters["ХВ-2231847"].next_check_date == datetime.date(2027, 3, 15)
    assert meters["ХВ-2231847"].place == "кухня"


def test_a_built_in_profile_loaded_twice_changes_nothing_the_second_time(accounts):
    run("accruals", SAMPLES / "kvado-accruals.csv", "--profile", "kvado")
    before = accruals()

    lines = run("accruals", SAMPLES / "kvado-accruals.csv", "--profile", "kvado")

    assert "заменено прежних 5" in lines[-1]
    assert accruals() == before
    assert run("meters", SAMPLES / "condo-meters.xlsx", "--profile", "condo-doma")  # first
    assert run("meters", SAMPLES / "condo-meters.xlsx", "--profile", "condo-doma")[-1] == (
        "Приборы учёта: добавлено 0, обновлено 0, без изменений 3, ошибок 0."
    )


# --- separators, formats, encodings ----------------------------------------------------------


@pytest.mark.parametrize("separator", [";", ",", "\t"])
def test_a_saved_profile_reads_csv_with_any_separator(accounts, billing_1c, tmp_path, separator):
    rows = [[cell.replace(",", ".") if separator == "," else cell for cell in row] for row in ROWS_1C]
    path = write_text(tmp_path / "1c.csv", rows, separator=separator)

    run("accruals", path, "--profile", "1c-oborotka")

    assert accruals() == [
        ("1000000001", OCT, "HVS", "Холодное водоснабжение", Decimal("148.00"), Decimal("148.00")),
        ("1000000002", OCT, "SOD", "Содержание жилья", Decimal("1083.00"), Decimal("1083.00")),
    ]


def test_a_saved_profile_reads_xlsx_with_the_header_further_down(accounts, billing_1c, tmp_path):
    billing_1c.header_row = 3
    billing_1c.save()
    book = openpyxl.Workbook()
    book.active.append(["Оборотная ведомость за октябрь 2026"])
    book.active.append([])
    for row in ROWS_1C:
        book.active.append(row)
    book.save(tmp_path / "1c.xlsx")

    run("accruals", tmp_path / "1c.xlsx", "--profile", "1c-oborotka")

    assert [row[2] for row in accruals()] == ["HVS", "SOD"]


def test_a_dbf_written_in_cp1251_is_read_by_its_header_code_page(accounts, tmp_path):
    ImportProfile.objects.create(
        name="dbf-accounts",
        title="ЛС из DBF",
        kind="accounts",
        mapping={"account_number": "LS", "full_name": "FIO", "address": "ADR", "area": "PL"},
    )
    path = write_dbf(
        tmp_path / "ls.dbf",
        fields=[("LS", "C", 10, 0), ("FIO", "C", 40, 0), ("ADR", "C", 60, 0), ("PL", "N", 8, 2)],
        records=[
            {
                "LS": "1000000003",
                "FIO": "Сидоров Пётр Николаевич",
                "ADR": "г. Пермь, ул. Ленина, д. 10, кв. 3",
                "PL": 72.15,
            }
        ],
        encoding="cp1251",
        language_driver=CP1251,
    )

    run("accounts", path, "--profile", "dbf-accounts")

    assert Account.objects.get(number="1000000003").holder_name == "Сидоров Пётр Николаевич"


@pytest.mark.parametrize("encoding", ["cp1251", "cp866"])
def test_the_encoding_is_found_from_the_text(accounts, billing_1c, tmp_path, encoding):
    path = write_text(tmp_path / "1c.csv", ROWS_1C, separator=";", encoding=encoding)

    header, rows, found = preview(path, Layout.of(billing_1c))

    assert found == {"cp1251": "Windows-1251", "cp866": "DOS (cp866)"}[encoding]
    assert header[3] == "Услуга" and rows[0][3] == "Холодное водоснабжение"
    run("accruals", path, "--profile", "1c-oborotka")
    assert accruals()[0][3] == "Холодное водоснабжение"


def test_the_encoding_a_profile_names_overrides_the_guess(accounts, billing_1c, tmp_path):
    path = write_text(tmp_path / "1c.csv", ROWS_1C, separator=";", encoding="cp866")
    billing_1c.encoding = "cp1251"
    billing_1c.save()

    _, rows, found = preview(path, Layout.of(billing_1c))

    assert found == "Windows-1251"
    assert rows[0][3] != "Холодное водоснабжение"  # the operator sees the garbage and picks another


def test_a_dbf_in_cp866_is_found_when_its_header_names_no_code_page(tmp_path):
    path = write_dbf(
        tmp_path / "x.dbf",
        fields=[("FIO", "C", 30, 0)],
        records=[{"FIO": "Ёлкина Ольга Петровна"}],
        encoding="cp866",
    )
    header, rows, found = preview(path, Layout(kind="accounts"))
    assert (header, rows, found) == (["FIO"], [["Ёлкина Ольга Петровна"]], "DOS (cp866)")
    wrong = write_dbf(
        tmp_path / "y.dbf",
        fields=[("FIO", "C", 30, 0)],
        records=[{"FIO": "Ёлкина Ольга Петровна"}],
        encoding="cp866",
        language_driver=CP866,
    )
    assert preview(wrong, Layout(kind="accounts", encoding="cp866"))[1] == [["Ёлкина Ольга Петровна"]]


# --- refusals --------------------------------------------------------------------------------


def test_a_file_without_a_column_the_profile_takes_is_refused_and_nothing_changes(
    accounts, billing_1c, tmp_path
):
    rows = [["Лиц. счёт", *ROWS_1C[0][1:]], *ROWS_1C[1:]]
    path = write_text(tmp_path / "1c.csv", rows, separator=";")

    message = refused("accruals", path, "--profile", "1c-oborotka")

    assert message.startswith(
        "В файле нет столбца «ЛС», который профиль «1С: начисления» берёт для поля «Лицевой счёт»."
    )
    assert "«Лиц. счёт»" in message
    assert accruals() == []


def test_an_unknown_profile_is_refused_naming_the_profiles_there_are(tmp_path):
    message = refused("accruals", SAMPLES / "kvado-accruals.csv", "--profile", "kvad")

    assert message == "Профиля «kvad» для вида «Начисления» нет. Есть: kvado (КВАДО: начисления)."


def test_a_profile_without_a_required_field_is_refused(accounts, tmp_path):
    ImportProfile.objects.create(
        name="half", title="Половина", kind="payments", mapping={"account_number": "ЛС"}
    )
    path = write_text(tmp_path / "p.csv", [["ЛС", "Дата"], ["1000000001", "12.10.2026"]], separator=";")

    message = refused("payments", path, "--profile", "half")

    assert (
        message == "Профиль «Половина» не говорит, из какого столбца брать поле «Дата оплаты»: "
        "укажите столбец в профиле."
    )
    assert not Payment.objects.exists()


def test_a_bad_row_is_reported_by_the_line_of_the_operators_file(accounts, billing_1c, tmp_path):
    rows = [*ROWS_1C[:2], [], ["9999999999", "10.2026", "HVS", "Холодное водоснабжение", "1,00", "1,00"]]
    path = write_text(tmp_path / "1c.csv", rows, separator=";")

    out = StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_billing", "accruals", str(path), "--profile", "1c-oborotka", "--no-progress", stdout=out
        )

    assert "строка 4: лицевой счёт 9999999999 не найден" in out.getvalue()
    assert accruals() == []


def test_a_profile_for_another_format_refuses_the_file(accounts, tmp_path):
    message = refused("accounts", SAMPLES / "accounts.csv", "--profile", "szn-dbf")

    assert message == "Профиль ждёт файл в формате «файл DBF (.dbf)», а загружен «accounts.csv»."


def test_the_upload_job_imports_through_its_column_profile(accounts, billing_1c, tmp_path):
    path = write_text(tmp_path / "1c.csv", ROWS_1C, separator=";")

    report = import_file(kind="accruals", path=path, column_profile=billing_1c)

    assert report.applied and len(accruals()) == 2


def test_an_unclosed_quote_refuses_the_file_with_its_line(accounts, billing_1c, tmp_path):
    path = tmp_path / "1c.csv"
    path.write_text(";".join(ROWS_1C[0]) + '\n1000000001;10.2026;HVS;"Холодное водоснабжение;148,00;148,00\n')

    message = refused("accruals", path, "--profile", "1c-oborotka")

    assert message.startswith("строка 2: файл не удаётся разобрать — незакрытая кавычка")
    assert accruals() == []


def test_progress_runs_over_the_rewrite_and_the_import_up_to_the_whole_file(billing_1c, tmp_path):
    ImportProfile.objects.create(
        name="ls",
        title="Счета",
        kind="accounts",
        mapping={"account_number": "ЛС", "full_name": "ФИО", "address": "Адрес"},
    )
    rows = [
        ["ЛС", "ФИО", "Адрес"],
        *([f"20{n:08d}", "Иванов Иван", f"ул. Ленина, д. {n}"] for n in range(9000)),
    ]
    path = write_text(tmp_path / "ls.csv", rows, separator=";")
    seen: list[tuple[int, float]] = []

    report = import_file(
        kind="accounts", path=path, profile="ls", progress=lambda rows, share: seen.append((rows, share))
    )

    assert report.created == 9000
    shares = [share for _, share in seen]
    assert shares == sorted(shares) and 0 < shares[0] <= 0.5 < shares[-1] <= 1.0
