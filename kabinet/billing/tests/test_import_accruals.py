import datetime
import shutil
from decimal import Decimal
from io import StringIO
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from kabinet.billing.imports import accruals, import_file
from kabinet.billing.models import AccountPeriod, Accrual, Service
from kabinet.billing.tests.factories import AccountFactory

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parents[3] / "docs" / "samples"
HEADER = (
    "account_number;period;service_code;service_name;unit;tariff;volume;volume_source;"
    "accrued;recalculation;recalculation_reason;benefit;to_pay"
)
OCT = datetime.date(2026, 10, 1)
NOV = datetime.date(2026, 11, 1)


def water(number: str = "1000000001", period: str = "10.2026", volume: str = "3,200", **over) -> str:
    values = {
        "tariff": "46,25",
        "source": "meter",
        "accrued": "148,00",
        "recalc": "",
        "reason": "",
        "benefit": "",
        "to_pay": "148,00",
    } | over
    return (
        f"{number};{period};HVS;Холодное водоснабжение;м³;{values['tariff']};{volume};{values['source']};"
        f"{values['accrued']};{values['recalc']};{values['reason']};{values['benefit']};{values['to_pay']}"
    )


def heating(number: str = "1000000001", period: str = "10.2026") -> str:
    return (
        f"{number};{period};OTP;Отопление;Гкал;2734,51;0,9774;norm;2672,71;-120,35;"
        '"Температура ниже нормы 3–7 октября; акт от 08.10";;2552,36'
    )


def run(path: Path, *args: str) -> tuple[list[str], str]:
    """stdout lines and stderr (the progress bar) of `import_billing accruals`."""
    out, err = StringIO(), StringIO()
    call_command("import_billing", "accruals", str(path), *args, stdout=out, stderr=err)
    return out.getvalue().splitlines(), err.getvalue()


@pytest.fixture
def accounts():
    return [AccountFactory(number="1000000001"), AccountFactory(number="1000000002")]


def test_the_sample_file_is_imported_line_by_line_as_the_billing_system_gave_it(accounts):
    output, progress = run(SAMPLES / "accruals.csv")

    assert output == ["Начисления: периоды 10.2026: загружено строк 11, заменено прежних 0, ошибок нет."]
    assert "строк 11" in progress and "строк/с" in progress and "100%" in progress
    line = Accrual.objects.get(account__number="1000000001", service__code="OTP")
    assert (line.period, line.tariff, line.volume, line.unit) == (
        OCT,
        Decimal("2734.51"),
        Decimal("0.9774"),
        "Гкал",
    )
    assert line.get_volume_source_display() == "по нормативу"
    assert (line.accrued, line.recalculation, line.to_pay) == (
        Decimal("2672.71"),
        Decimal("-120.35"),
        Decimal("2552.36"),
    )
    assert line.recalculation_reason.startswith("Перерасчёт за отопление: температура в квартире ниже нормы")
    waste = Accrual.objects.get(account__number="1000000001", service__code="TKO")
    assert (waste.benefit, waste.to_pay) == (Decimal("115.34"), Decimal("115.34"))
    assert Service.objects.get(code="EL").name == "Электроэнергия"


def test_the_xlsx_sample_gives_the_same_accruals_as_the_csv(accounts):
    run(SAMPLES / "accruals.csv")
    from_csv = sorted(
        Accrual.objects.values_list("account__number", "service__code", "volume", "to_pay", "tariff")
    )

    output, _ = run(SAMPLES / "accruals.xlsx")

    assert output == ["Начисления: периоды 10.2026: загружено строк 11, заменено прежних 11, ошибок нет."]
    assert sorted(
        Accrual.objects.values_list("account__number", "service__code", "volume", "to_pay", "tariff")
    ) == (from_csv)


def test_xlsx_with_bad_rows_names_the_sheet_rows(accounts, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER.split(";"))
    good = ["1000000001", datetime.date(2026, 10, 1), "HVS", "ХВС", "м³", 46.25, 3.2, "meter", 148.0]
    sheet.append([*good, None, None, None, 148.0])
    sheet.append([])
    sheet.append(
        ["1000000001", "10.2026", "EL", "Свет", "кВт·ч", 5.47, 100, "счётчик", 547.0, None, None, None, 547]
    )
    sheet.append(["1000000001", "10.2026", "GVS", "ГВС", "м³", 245.6, 2, "meter", 491.2, 0, None, 0, 500])
    path = tmp_path / "accruals.xlsx"
    book.save(path)
    out = StringIO()

    with pytest.raises(CommandError):
        call_command("import_billing", "accruals", str(path), stdout=out, stderr=StringIO())

    assert out.getvalue().splitlines()[:2] == [
        "строка 4: способ определения объёма «счётчик» не распознан: нужно meter, average, norm, area, fixed "
        "или пусто",
        "строка 5: к оплате 500 не сходится: начислено 491.2 + перерасчёт 0 − льгота 0 = 491.2",
    ]
    assert Accrual.objects.count() == 0


def test_reimporting_a_period_replaces_it_whole_and_leaves_other_periods(accounts, write_file):
    run(write_file([HEADER, water(), heating(), water(period="11.2026")], name="first.csv"))
    second = write_file([HEADER, water(volume="4,000", accrued="185,00", to_pay="185,00")], name="second.csv")

    output, _ = run(second)

    assert output == ["Начисления: периоды 10.2026: загружено строк 1, заменено прежних 2, ошибок нет."]
    october = Accrual.objects.filter(period=OCT)
    assert list(october.values_list("service__code", "volume")) == [("HVS", Decimal("4.000"))]
    assert Accrual.objects.filter(period=NOV).count() == 1


def test_a_bad_row_changes_nothing_and_every_bad_row_is_reported(accounts, write_file):
    run(write_file([HEADER, water()], name="before.csv"))
    lines = [
        HEADER,
        water(number="1000000002"),
        water(period="13.2026"),
        water(accrued="148,00", to_pay="150,00"),
        water(number="9999999999"),
        water(number="1000000002"),
        water(volume="-1"),
    ]

    out = StringIO()
    with pytest.raises(CommandError, match="Файл не загружен"):
        call_command("import_billing", "accruals", str(write_file(lines)), stdout=out, stderr=StringIO())

    assert out.getvalue().splitlines() == [
        "строка 3: период «13.2026» не распознан: нужен месяц, например 2026-10 или 10.2026",
        "строка 4: к оплате 150.00 не сходится: начислено 148.00 + перерасчёт 0 − льгота 0 = 148.00",
        "строка 5: лицевой счёт 9999999999 не найден — сначала загрузите лицевые счета",
        "строка 6: та же услуга по тому же счёту за тот же период уже была в строке 2",
        "строка 7: объём «-1» отрицательное",
        "Начисления: строк с ошибками 5. Ничего не изменено: исправьте эти строки и загрузите файл снова "
        "или загрузите его с пропуском строк с ошибками (--skip-bad).",
    ]
    assert list(Accrual.objects.values_list("account__number", flat=True)) == ["1000000001"]


def test_skip_bad_imports_the_good_rows_and_reports_the_rest(accounts, write_file):
    lines = [HEADER, water(), water(number="9999999999"), water(), heating(number="1000000002"), "1;2;3"]

    output, _ = run(write_file(lines), "--skip-bad")

    assert output == [
        "строка 3: лицевой счёт 9999999999 не найден — сначала загрузите лицевые счета",
        "строка 4: та же услуга по тому же счёту за тот же период уже была в строке 2",
        "строка 6: полей в строке: 3, в заголовке: 13 — проверьте разделитель и кавычки вокруг значений, "
        "в которых он встречается",
        "Начисления: периоды 10.2026: загружено строк 2, заменено прежних 0, пропущено строк с ошибками 3.",
    ]
    assert sorted(Accrual.objects.values_list("account__number", "service__code")) == [
        ("1000000001", "HVS"),
        ("1000000002", "OTP"),
    ]


def test_balances_follow_the_accruals(accounts, write_file):
    run(write_file([HEADER, water(), heating(), water(period="11.2026")]))

    balances = AccountPeriod.objects.filter(account__number="1000000001").order_by("period")

    assert [(b.period, b.opening_balance, b.accrued, b.paid, b.closing_balance) for b in balances] == [
        (OCT, Decimal("0"), Decimal("2700.36"), Decimal("0"), Decimal("2700.36")),
        (NOV, Decimal("2700.36"), Decimal("148.00"), Decimal("0"), Decimal("2848.36")),
    ]
    assert balances[1].due_date == datetime.date(2026, 12, 15)  # ЖК РФ ст. 155 ч. 1 since March 2026


def test_a_file_that_is_not_a_workbook_is_refused_whole(accounts, tmp_path):
    path = tmp_path / "accruals.xlsx"
    shutil.copy(SAMPLES / "accruals.csv", path)

    with pytest.raises(CommandError, match="не читается как книга Excel"):
        run(path)


def test_a_missing_column_is_named(accounts, write_file):
    path = write_file([HEADER.replace(";to_pay", ""), water().rsplit(";", 1)[0]])

    with pytest.raises(CommandError, match="В заголовке нет столбцов: to_pay"):
        run(path)


def test_unusual_lines_take_the_careful_road_and_keep_their_text(accounts, write_file):
    lines = [
        HEADER,
        water(tariff="1 046,25", accrued="3 348,00", to_pay="3 348,00"),  # spaces between digits
        '1000000001;10.2026;OTP;Отопление;Гкал;2734,51;1;norm;2734,51;-0,51;"акт № 5\\1, ""холодно"";\r\n'
        'вторая строка причины";;2734,00',
        "1000000002;2026-10-01;hvs ;Холодное  водоснабжение;м³;46.25;3.2;Прибор;148.00;;;;148.00",
    ]

    output, _ = run(write_file(lines))

    assert output == ["Начисления: периоды 10.2026: загружено строк 3, заменено прежних 0, ошибок нет."]
    assert Accrual.objects.get(service__code="HVS", account__number="1000000001").accrued == Decimal(
        "3348.00"
    )
    heating_line = Accrual.objects.get(service__code="OTP")
    assert heating_line.recalculation_reason == 'акт № 5\\1, "холодно"; вторая строка причины'
    other = Accrual.objects.get(account__number="1000000002")
    assert (other.service.code, other.volume_source) == ("hvs", "meter")
    assert Service.objects.get(code="hvs").name == "Холодное водоснабжение"


def test_a_sum_that_does_not_add_up_is_found_by_the_database_and_skipped(accounts, write_file):
    lines = [HEADER, water(), water(number="1000000002", accrued="148,00", to_pay="148,01")]

    output, _ = run(write_file(lines), "--skip-bad")

    assert (
        output[0]
        == "строка 3: к оплате 148.01 не сходится: начислено 148.00 + перерасчёт 0 − льгота 0 = 148.00"
    )
    assert list(Accrual.objects.values_list("account__number", flat=True)) == ["1000000001"]


def test_a_file_broken_halfway_changes_nothing(accounts, write_file):
    run(write_file([HEADER, water()], name="before.csv"))
    lines = [HEADER, water(number="1000000002"), *[water(period=f"{m:02d}.2025") for m in range(1, 13)]]
    lines.append('1000000002;10.2026;GVS;"ГВС' + "x" * 200_000)  # a quote never closed
    lines.append(water(number="1000000002", period="11.2026"))

    with pytest.raises(CommandError, match="строка 15: файл не удаётся разобрать"):
        run(write_file(lines))

    assert list(Accrual.objects.values_list("account__number", flat=True)) == ["1000000001"]


def test_a_file_of_unknown_accounts_lists_the_first_rows_and_counts_the_rest(
    accounts, write_file, monkeypatch
):
    monkeypatch.setattr("kabinet.billing.imports.report.MAX_REPORTED_ERRORS", 3)
    lines = [HEADER, *[water(number=f"20000000{n:02d}") for n in range(10)]]

    out = StringIO()
    with pytest.raises(CommandError):
        call_command("import_billing", "accruals", str(write_file(lines)), stdout=out, stderr=StringIO())

    assert out.getvalue().splitlines()[2:4] == [
        "строка 4: лицевой счёт 2000000002 не найден — сначала загрузите лицевые счета",
        "… и ещё строк с ошибками: 7 (показаны первые 3)",
    ]
    assert "строк с ошибками 10." in out.getvalue()


def careful_road(path: Path, *, skip_bad: bool = False):
    """The import as on SQLite and for XLSX: the reader and the Python row checks."""
    return accruals.import_staged(path=path, skip_bad=skip_bad)


def stored_accruals() -> list[tuple]:
    return sorted(
        Accrual.objects.values_list(
            "account__number",
            "period",
            "service__code",
            "service__name",
            "tariff",
            "volume",
            "unit",
            "volume_source",
            "accrued",
            "recalculation",
            "recalculation_reason",
            "benefit",
            "to_pay",
        )
    )


FILE_OF_EVERY_KIND = [
    HEADER,
    water(),
    heating(),
    "",
    ";;;;;;;;;;;;",
    water(
        number="1000000002", tariff="", volume="", source="", recalc="-0,50", reason="акт", to_pay="147,50"
    ),
    water(number="1000000002", period="2026-11", benefit="48", to_pay="100"),
    '1000000001;01.11.2026;TKO;"Обращение с ТКО";чел.;115,34;2;norm;230,68;;"две\r\nстроки";115,34;115,34',
    "1000000001;11.2026;EL;Электроэнергия;кВт·ч;5,47;100,5;Прибор;549,74;;;;549,74",
]


@pytest.mark.parametrize(("encoding", "bom"), [("utf-8", False), ("utf-8", True), ("cp1251", False)])
def test_both_roads_store_the_same_accruals(accounts, write_file, encoding, bom):
    lines = [line.replace("м³", "м3").replace("кВт·ч", "кВт*ч") for line in FILE_OF_EVERY_KIND]
    path = write_file(lines if encoding == "cp1251" else FILE_OF_EVERY_KIND, encoding=encoding, bom=bom)

    report = import_file(kind="accruals", path=path)
    first = stored_accruals()
    again = careful_road(path)

    assert (report.loaded, report.periods, report.errors) == (6, [OCT, NOV], [])
    assert (again.loaded, again.periods, again.errors, again.replaced) == (6, [OCT, NOV], [], 6)
    assert stored_accruals() == first


@pytest.mark.parametrize("skip_bad", [False, True])
def test_both_roads_report_the_same_bad_rows(accounts, write_file, skip_bad):
    lines = [
        *FILE_OF_EVERY_KIND,
        water(period="13.2026"),
        water(accrued="148,001", to_pay="148,001"),
        water(number="9999999999"),
        water(volume=".5"),
        water(accrued="1e3", to_pay="1e3"),
        "1;2;3",
        water(volume="5."),
        water(accrued="-5", to_pay="-5"),
        water(recalc="-.5", to_pay="147,50"),
        water(accrued="1,4,8", to_pay="148"),
        water(number="1000000002", period="12.2026", volume="3 200"),  # spaces between digits: good
    ]
    path = write_file(lines)

    report = import_file(kind="accruals", path=path, skip_bad=skip_bad)
    stored = stored_accruals()
    with transaction.atomic():
        careful = careful_road(path, skip_bad=skip_bad)
        transaction.set_rollback(True)

    assert [line for line, _ in report.errors] == [11, 12, 13, 14, 15, 16, 17, 18, 19, 20]
    assert (report.errors, report.applied, report.loaded) == (careful.errors, careful.applied, careful.loaded)
    assert len(stored) == (7 if skip_bad else 0)


def test_a_file_of_only_a_header_replaces_nothing(accounts, write_file):
    run(write_file([HEADER, water()], name="before.csv"))

    output, _ = run(write_file([HEADER]))

    assert output == ["Начисления: периоды нет: загружено строк 0, заменено прежних 0, ошибок нет."]
    assert Accrual.objects.count() == 1
