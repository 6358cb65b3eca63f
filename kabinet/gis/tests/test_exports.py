"""The files for ГИС ЖКХ, read back with openpyxl and checked cell by cell."""

import datetime
import re
from decimal import Decimal
from io import StringIO

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from kabinet.audit.models import AuditEntry
from kabinet.billing.balances import rebuild_balances
from kabinet.billing.models import Account, Accrual, Payment, PaymentSource, Service, VolumeSource
from kabinet.billing.tests.factories import AccountFactory
from kabinet.billing.tests.history import fill_payment_details
from kabinet.meters.models import Reading, Resource
from kabinet.meters.tests.factories import MeterFactory

pytestmark = pytest.mark.django_db

MARCH = datetime.date(2026, 3, 1)


@pytest.fixture
def charged(company):
    """Two accounts charged for March 2026 (one with пени and a payment), one without an ИЖКУ."""
    fill_payment_details(company)
    first = AccountFactory(
        number="1000123456",
        area=Decimal("54.30"),
        unified_number="69ТВ123456",
        service_id="69ТВ123456-01",
    )
    second = AccountFactory(number="1000123457", unified_number="69ТВ123457", service_id="69ТВ123457-01")
    AccountFactory(number="1000123458")  # no ИЖКУ yet
    upkeep = Service.objects.create(code="SOD", name="Содержание жилого помещения", unit="м²", order=1)
    water = Service.objects.create(code="HVS", name="Холодное водоснабжение", unit="м³", order=2)
    common = Service.objects.create(code="HVS_ODN", name="ХВС на ОДН", unit="м³", order=3)
    penalty = Service.objects.create(code="PENI", name="Пени", is_penalty=True, order=99)
    for account in all_accounts():
        add(account, upkeep, accrued="1547.55", tariff="28.50", volume="54.30", source=VolumeSource.AREA)
    add(
        first,
        water,
        accrued="148.00",
        tariff="46.25",
        volume="3.200",
        source=VolumeSource.METER,
        recalculation="-46.25",
        reason="Показания за февраль учтены повторно",
    )
    add(first, common, accrued="12.95", tariff="46.25", volume="0.280", source=VolumeSource.NORM)
    add(first, penalty, accrued="37.12")
    Payment.objects.create(
        account=first,
        paid_on=datetime.date(2026, 3, 12),
        period=MARCH,
        amount=Decimal("1000.00"),
        source=PaymentSource.BILLING,
    )
    rebuild_balances([a.pk for a in all_accounts()])
    return first, second


def all_accounts():
    return Account.objects.order_by("number")


def add(account, service, *, accrued, tariff=None, volume=None, source="", recalculation="0", reason=""):
    accrued, recalculation = Decimal(accrued), Decimal(recalculation)
    Accrual.objects.create(
        account=account,
        period=MARCH,
        service=service,
        tariff=None if tariff is None else Decimal(tariff),
        volume=None if volume is None else Decimal(volume),
        unit=service.unit,
        volume_source=source,
        accrued=accrued,
        recalculation=recalculation,
        recalculation_reason=reason,
        to_pay=accrued + recalculation,
    )


def export(kind: str, tmp_path, period="2026-03"):
    path = tmp_path / f"{kind}.xlsx"
    out = StringIO()
    call_command("export_gis", kind, period, str(path), stdout=out)
    return openpyxl.load_workbook(path), out.getvalue().replace("\xa0", " ")  # counted() binds with nbsp


def row(ws, number: int, last: str) -> dict[str, object]:
    """The non-empty cells of a row up to column `last`, by letter."""
    from openpyxl.utils import column_index_from_string, get_column_letter

    cells = {}
    for index in range(1, column_index_from_string(last) + 1):
        letter = get_column_letter(index)
        value = ws[f"{letter}{number}"].value
        if value is not None:
            cells[letter] = value
    return cells


def test_the_payment_documents_file_has_the_templates_sheets_and_names_its_layout(charged, tmp_path):
    workbook, _ = export("payment-documents", tmp_path)

    assert workbook.sheetnames == [
        "Разделы 1-2",
        "Разделы 3-6",
        "ДПД",
        "Неустойки и судебные расходы",
        "Услуги исполнителя",
        "Капитальный ремонт",
    ]
    assert workbook.properties.subject == (
        "Шаблон импорта платежных документов ГИС ЖКХ, версия шаблона Разделы 1-2 A–AM, Разделы 3-6 A–AJ"
    )
    sections = workbook["Разделы 1-2"]
    assert sections["A3"].value == "Идентификатор ЖКУ"
    assert sections["D3"].value == "Расчетный период (ММ.ГГГГ)"
    assert sections["AK3"].value == "Идентификатор платежного документа"
    assert sections["AM3"].value == "Статус обработки"
    assert workbook["Разделы 3-6"]["B4"].value == "Услуга"
    assert workbook["Разделы 3-6"]["AJ4"].value == "Статус обработки"
    assert workbook["Неустойки и судебные расходы"]["B2"].value == "Вид начисления"


def test_each_account_with_a_service_id_is_a_payment_document_cell_by_cell(charged, tmp_path):
    workbook, said = export("payment-documents", tmp_path)
    ws = workbook["Разделы 1-2"]

    assert row(ws, 4, "AM") == {
        "A": "69ТВ123456-01",
        "B": "Текущий",
        "C": "1000123456-202603",
        "D": "03.2026",
        "E": 54.3,
        "I": 1699.37,  # 1547.55 + 148.00 − 46.25 + 12.95 + 37.12 пени
        "J": 0,
        "K": 0,
        "L": 1000,
        "N": datetime.datetime(2026, 3, 12),
        "P": 699.37,
        "Q": "042809679",
        "R": "40702810563000001234",
        "AD": 1662.25,  # the services without the penalties
        "AF": 37.12,  # the penalties
    }
    assert row(ws, 5, "AM")["A"] == "69ТВ123457-01" and row(ws, 5, "AM")["I"] == 1547.55
    assert "AF" not in row(ws, 5, "AM")
    assert row(ws, 6, "AM") == {}  # 1000123458 has no ИЖКУ: not written
    assert said.startswith(
        "Платёжные документы за март 2026 для ГИС ЖКХ: 2 документа, 4 строки услуг, 1 строка пеней. "
        "Пропущено: 1 лицевой счёт без идентификатора ЖКУ"
    )


def test_each_service_is_a_line_of_sections_3_to_6_cell_by_cell(charged, tmp_path):
    workbook, _ = export("payment-documents", tmp_path)
    ws = workbook["Разделы 3-6"]

    assert row(ws, 5, "AJ") == {
        "A": "1000123456-202603",
        "B": "Содержание жилого помещения",
        "C": "м²",
        "D": "Иное",
        "E": 54.3,
        "H": 28.5,
        "K": 1547.55,
        "AD": 1547.55,
    }
    assert row(ws, 6, "AJ") == {
        "A": "1000123456-202603",
        "B": "Холодное водоснабжение",
        "C": "м³",
        "D": "Прибор учета",
        "E": 3.2,
        "H": 46.25,
        "I": 148,
        "K": 148,
        "N": -46.25,
        "W": "Показания за февраль учтены повторно",
        "X": -46.25,
        "AD": 101.75,
        "AE": 101.75,
    }
    assert row(ws, 7, "AJ") == {  # a line for common property goes to the ОДН columns
        "A": "1000123456-202603",
        "B": "ХВС на ОДН",
        "C": "м³",
        "F": "Норматив",
        "G": 0.28,
        "H": 46.25,
        "J": 12.95,
        "K": 12.95,
        "AD": 12.95,
        "AF": 12.95,
    }
    assert row(ws, 8, "AJ")["A"] == "1000123457-202603"
    assert row(ws, 9, "AJ") == {}  # пени are no service line


def test_the_penalties_go_to_their_own_sheet(charged, tmp_path):
    workbook, _ = export("payment-documents", tmp_path)
    ws = workbook["Неустойки и судебные расходы"]

    assert row(ws, 3, "H") == {"A": "1000123456-202603", "B": "Пени", "C": "ЖК РФ ст. 155 ч. 14", "D": 37.12}
    assert row(ws, 4, "H") == {}


def test_the_payment_documents_are_read_a_chunk_of_accounts_at_a_time(charged, tmp_path):
    """Two queries per 500 accounts, not two per account: a company's month is one file."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        export("payment-documents", tmp_path)
    upkeep = Service.objects.get(code="SOD")
    new = [AccountFactory(number=f"20000000{n:02d}", service_id=f"69ТВ2000{n:02d}-01") for n in range(20)]
    for account in new:
        add(account, upkeep, accrued="1")
    rebuild_balances([account.pk for account in new])
    with CaptureQueriesContext(connection) as many:
        workbook, _ = export("payment-documents", tmp_path)

    assert len(many) == len(few)
    documents = workbook["Разделы 1-2"]
    assert documents.max_row == 3 + 22  # the header, the 2 charged before and the 20 new ones
    assert documents["A25"].value == "69ТВ200019-01"


def test_the_export_is_recorded_in_the_audit_log(charged, tmp_path):
    export("payment-documents", tmp_path)

    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT)
    assert entry.target == "ГИС ЖКХ: платёжные документы за 03.2026"
    assert entry.details["documents"] == 2 and entry.details["without_service_id"] == 1


@pytest.fixture
def read_meters(db):
    account = AccountFactory(address="г. Тверь, ул. Советская, д. 12, кв. 5")
    water = MeterFactory(account=account, serial_number="ХВ-1", gis_number="69ПУ00000101")
    power = MeterFactory(
        account=account,
        serial_number="Э-1",
        service=Resource.ELECTRICITY,
        tariffs=2,
        digits_after=0,
        gis_number="69ПУ00000103",
    )
    unnumbered = MeterFactory(account=account, serial_number="ГВ-1", service=Resource.HOT_WATER)
    taken = datetime.datetime(2026, 3, 20, 10, 0, tzinfo=datetime.UTC)
    Reading.objects.create(meter=water, period=MARCH, value=Decimal("112.345"), submitted_at=taken)
    Reading.objects.create(
        meter=power, period=MARCH, value=Decimal("20360"), value_t2=Decimal("8002"), submitted_at=taken
    )
    Reading.objects.create(meter=unnumbered, period=MARCH, value=Decimal("50.500"), submitted_at=taken)
    Reading.objects.create(meter=water, period=datetime.date(2026, 2, 1), value=Decimal("107.000"))


def test_the_readings_file_is_the_template_13_1_3_1_cell_by_cell(read_meters, tmp_path):
    workbook, said = export("readings", tmp_path)

    assert workbook.sheetnames == ["Импорт показаний ИПУ", "Импорт показаний ОДПУ"]
    assert workbook.properties.subject == (
        "Шаблон импорта показаний приборов учёта ГИС ЖКХ, версия шаблона 13.1.3.1"
    )
    ws = workbook["Импорт показаний ИПУ"]
    assert [ws[f"{c}1"].value for c in "ABCDEFGHIJ"] == [
        "Адрес дома",
        "Номер ПУ в ГИС ЖКХ",
        "Коммунальный ресурс",
        "Период, за который передаются показания",
        "Значение показания (Т1)",
        "Значение показания (Т2), является обязательным для двух- и трехтарифного ПУ",
        "Значение показания (Т3), является обязательным для трехтарифного ПУ",
        "Дата снятия показания",
        "Тех. возможность авто-расчета потребляемого объема",
        "Статус обработки",
    ]
    assert row(ws, 2, "J") == {
        "A": "г. Тверь, ул. Советская, д. 12",
        "B": "69ПУ00000101",
        "C": "Холодная вода",
        "D": datetime.datetime(2026, 3, 1),
        "E": 112.345,
        "H": datetime.datetime(2026, 3, 20),
    }
    assert ws["D2"].number_format == "MM.YYYY"
    assert row(ws, 3, "J") == {
        "A": "г. Тверь, ул. Советская, д. 12",
        "B": "69ПУ00000103",
        "C": "Электрическая энергия",
        "D": datetime.datetime(2026, 3, 1),
        "E": 20360,
        "F": 8002,
        "H": datetime.datetime(2026, 3, 20),
    }
    assert row(ws, 4, "J") == {}  # the hot-water meter has no number in ГИС: not written
    assert workbook["Импорт показаний ОДПУ"].max_row == 1  # house meters: Kabinet keeps none
    assert said.startswith(
        "Показания за март 2026 для ГИС ЖКХ: 2 показания. Пропущены показания 1 прибора без номера в ГИС ЖКХ"
    )


def test_a_bad_period_or_file_name_is_refused_with_the_reason(tmp_path):
    with pytest.raises(
        CommandError, match=re.escape("Период «март» не распознан: укажите месяц в виде 2026-03.")
    ):
        call_command("export_gis", "readings", "март", str(tmp_path / "r.xlsx"))
    with pytest.raises(CommandError, match=re.escape("имя должно оканчиваться на .xlsx")):
        call_command("export_gis", "readings", "2026-03", str(tmp_path / "r.csv"))
    assert not list(tmp_path.iterdir())
