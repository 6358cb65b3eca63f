"""The files ГИС ЖКХ gives back: the ЕЛС and ИЖКУ of each account, the number of each meter;
bad files are refused whole with the reason, and nothing changes."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from kabinet.billing.imports import ImportFileError, import_file
from kabinet.billing.models import Account
from kabinet.billing.tests.factories import AccountFactory
from kabinet.meters.models import Meter, Resource
from kabinet.meters.tests.factories import MeterFactory

from .samples import (
    ACCOUNTS_SAMPLE,
    DEMO_ACCOUNTS,
    METERS_SAMPLE,
    accounts_workbook,
    main_details_workbook,
    meters_workbook,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_accounts():
    return [AccountFactory(number=number, address=address) for number, _, _, address in DEMO_ACCOUNTS]


@pytest.fixture
def demo_meters(demo_accounts):
    by_number = {account.number: account for account in Account.objects.all()}
    return [
        MeterFactory(account=by_number["1000123461"], serial_number="ХВ-2231847"),
        MeterFactory(account=by_number["1000123461"], serial_number="ГВ-2231902", service=Resource.HOT_WATER),
        MeterFactory(
            account=by_number["1000123461"], serial_number="Э-0147733", service=Resource.ELECTRICITY
        ),
        MeterFactory(account=by_number["1000123462"], serial_number="ХВ-5520114"),
    ]


def identifiers() -> dict[str, tuple[str, str]]:
    return {a.number: (a.unified_number, a.service_id) for a in Account.objects.order_by("number")}


def run(kind: str, path, *args) -> str:
    out = StringIO()
    call_command("import_gis", kind, str(path), *args, stdout=out, stderr=out)
    return out.getvalue()


def save(workbook, tmp_path, name="gis.xlsx"):
    path = tmp_path / name
    workbook.save(path)
    return path


def test_the_els_export_stores_the_unified_number_and_the_service_id_of_each_account(demo_accounts):
    said = run("accounts", ACCOUNTS_SAMPLE)

    assert identifiers() == {
        "1000123456": ("69ТВ123456", "69ТВ123456-01"),
        "1000123457": ("69ТВ123457", "69ТВ123457-01"),
        "1000123461": ("69ТВ123461", "69ТВ123461-01"),
        "1000123462": ("69ТВ123462", "69ТВ123462-01"),
    }
    assert "ЕЛС и идентификаторы ЖКУ: добавлено 0, обновлено 4, без изменений 0, ошибок 0." in said


def test_the_same_file_again_changes_nothing(demo_accounts):
    run("accounts", ACCOUNTS_SAMPLE)
    said = run("accounts", ACCOUNTS_SAMPLE)

    assert "обновлено 0, без изменений 4" in said


def test_the_accounts_template_after_processing_gives_the_identifiers_too(demo_accounts, tmp_path):
    rows = [
        ("1000123456", "69ТВ123456", "69ТВ123456-01", "OK"),
        ("1000123457", "", "69ТВ123457-01", "OK"),  # the ЕЛС is the ИЖКУ's first ten characters
    ]
    run("accounts", save(main_details_workbook(rows), tmp_path))

    assert identifiers()["1000123456"] == ("69ТВ123456", "69ТВ123456-01")
    assert identifiers()["1000123457"] == ("69ТВ123457", "69ТВ123457-01")


def test_letters_are_stored_as_capitals_without_spaces(demo_accounts, tmp_path):
    rows = [("1000123456", "69тв 123456", "69тв123456-01", "")]
    run("accounts", save(accounts_workbook(rows), tmp_path))

    assert identifiers()["1000123456"] == ("69ТВ123456", "69ТВ123456-01")


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (
            ("1000123456", "69ТВ12345", "", ""),
            "строка 2: ЕЛС «69ТВ12345» — 9 знаков, а в ЕЛС их 10",
        ),
        (
            ("1000123456", "69ТВ1234567", "", ""),
            "строка 2: ЕЛС «69ТВ1234567» — 11 знаков, а в ЕЛС их 10",
        ),
        (
            ("1000123456", "69ТВ123456", "69ТВ123456-1", ""),
            "строка 2: идентификатор ЖКУ «69ТВ123456-1» — 12 знаков, а должно быть 13",
        ),
        (
            ("1000123456", "69ТВ123456", "69ТВ999999-01", ""),
            "строка 2: идентификатор ЖКУ 69ТВ999999-01 не начинается с ЕЛС 69ТВ123456",
        ),
        (
            ("1000999999", "69ТВ123456", "69ТВ123456-01", ""),
            "строка 2: лицевой счёт 1000999999 не найден в данных начислений",
        ),
        (
            ("1000123456", "", "", ""),
            "строка 2: у лицевого счёта 1000123456 нет ЕЛС и идентификатора ЖКУ",
        ),
    ],
)
def test_a_bad_row_is_named_and_the_file_changes_nothing(demo_accounts, tmp_path, row, reason):
    rows = [("1000123457", "69ТВ123457", "69ТВ123457-01", ""), row]
    path = save(accounts_workbook(rows[::-1]), tmp_path)
    out = StringIO()

    with pytest.raises(CommandError, match="Ничего не изменено"):
        call_command("import_gis", "accounts", str(path), stdout=out, stderr=out)

    assert reason in out.getvalue()
    assert set(identifiers().values()) == {("", "")}


def test_with_skip_bad_the_good_rows_are_stored(demo_accounts, tmp_path):
    rows = [("1000123456", "69ТВ12345", "", ""), ("1000123457", "69ТВ123457", "69ТВ123457-01", "")]
    said = run("accounts", save(accounts_workbook(rows), tmp_path), "--skip-bad")

    assert identifiers()["1000123457"] == ("69ТВ123457", "69ТВ123457-01")
    assert identifiers()["1000123456"] == ("", "")
    assert "строка 2: ЕЛС «69ТВ12345» — 9 знаков" in said


def test_a_service_id_another_account_holds_is_refused(demo_accounts, tmp_path):
    Account.objects.filter(number="1000123457").update(
        unified_number="69ТВ123456", service_id="69ТВ123456-01"
    )
    path = save(accounts_workbook([("1000123456", "69ТВ123456", "69ТВ123456-01", "")]), tmp_path)

    with pytest.raises(CommandError, match="Ничего не изменено"):
        run("accounts", path)

    assert identifiers()["1000123456"] == ("", "")


@pytest.mark.parametrize(
    ("workbook", "message"),
    [
        (
            lambda: meters_workbook(),
            "Это не файл лицевых счетов из ГИС ЖКХ: в файле нет листа «Шаблон экспорта ЕЛС» или "
            "«Основные сведения» (листы в файле: «Сведения о ПУ»). Ничего не изменено.",
        ),
        (
            lambda: accounts_workbook(sheet_name="Лист1"),
            "в файле нет листа «Шаблон экспорта ЕЛС» или «Основные сведения» (листы в файле: «Лист1»)",
        ),
        (
            lambda: accounts_workbook(header=["Номер ЛС", "Адрес", "Идентификатор ЖКУ", "", ""]),
            "Лист «Шаблон экспорта ЕЛС» не похож на файл лицевых счетов из ГИС ЖКХ: не найдены столбцы "
            "B «ЕЛС». Ничего не изменено.",
        ),
    ],
)
def test_a_file_of_another_template_is_refused_whole(demo_accounts, tmp_path, workbook, message):
    path = save(workbook(), tmp_path)

    with pytest.raises(ImportFileError) as refused:
        import_file(kind="gis-accounts", path=path)

    assert message in str(refused.value)
    assert set(identifiers().values()) == {("", "")}


def test_a_file_that_is_no_workbook_is_refused(demo_accounts, tmp_path):
    path = tmp_path / "gis.xlsx"
    path.write_text("Номер ЛС;ЕЛС\n1000123456;69ТВ123456\n", encoding="utf-8")

    with pytest.raises(CommandError, match="не читается как книга Excel"):
        run("accounts", path)


def test_the_meters_file_stores_the_gis_number_of_each_meter(demo_meters):
    run("accounts", ACCOUNTS_SAMPLE)  # one meter of the sample is named by the account's ИЖКУ
    said = run("meters", METERS_SAMPLE)

    numbers = dict(Meter.objects.values_list("serial_number", "gis_number"))
    assert numbers == {
        "ХВ-2231847": "69ПУ00000101",
        "ГВ-2231902": "69ПУ00000102",
        "Э-0147733": "69ПУ00000103",
        "ХВ-5520114": "69ПУ00000201",
    }
    assert "номера приборов учёта: добавлено 0, обновлено 4, без изменений 0, ошибок 0." in said
    assert "обновлено 0, без изменений 4" in run("meters", METERS_SAMPLE)


def test_a_meter_ghis_could_not_number_or_that_kabinet_lacks_is_named(demo_meters, tmp_path):
    rows = [
        ("ХВ-2231847", "1000123461", "Холодная вода", ""),
        ("ХВ-0000000", "1000123461", "Холодная вода", "69ПУ00000999"),
        ("ХВ-5520114", "1000999999", "Холодная вода", "69ПУ00000201"),
    ]
    out = StringIO()

    with pytest.raises(CommandError, match="Ничего не изменено"):
        call_command(
            "import_gis", "meters", str(save(meters_workbook(rows), tmp_path)), stdout=out, stderr=out
        )

    said = out.getvalue()
    assert "строка 2: у прибора № ХВ-2231847 нет номера в ГИС ЖКХ (Ошибка: прибор не найден)" in said
    assert "строка 3: у лицевого счёта 1000123461 нет прибора № ХВ-0000000" in said
    assert (
        "строка 4: лицевой счёт «1000999999» не найден ни по номеру, ни по ЕЛС, ни по идентификатору ЖКУ"
        in said
    )
    assert set(Meter.objects.values_list("gis_number", flat=True)) == {""}


def test_an_accounts_file_offered_as_meters_is_refused(demo_meters):
    with pytest.raises(
        CommandError, match="Это не файл приборов учёта из ГИС ЖКХ: в файле нет листа «Сведения о ПУ»"
    ):
        run("meters", ACCOUNTS_SAMPLE)
