import csv
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from kabinet.audit.models import AuditEntry
from kabinet.billing.tests.factories import AccountFactory
from kabinet.meters.models import Resource
from kabinet.testing import sign_in_staff

from .factories import MeterFactory, ReadingFactory

pytestmark = pytest.mark.django_db
NOV = date(2026, 11, 1)


@pytest.fixture
def november(db):
    water = MeterFactory(account=AccountFactory(number="1000000002"), serial_number="ХВ-1")
    power = MeterFactory(
        account=AccountFactory(number="1000000001"),
        serial_number="Э-1",
        service=Resource.ELECTRICITY,
        tariffs=2,
        digits_before=6,
        digits_after=0,
    )
    ReadingFactory(meter=water, period=NOV, value=Decimal("104.250"), consumption=Decimal("4.25"))
    ReadingFactory(
        meter=power, period=NOV, value=Decimal(1160), value_t2=Decimal(470), consumption=Decimal(230)
    )
    ReadingFactory(meter=water, period=date(2026, 10, 1), value=Decimal(100))


def test_csv_export_has_one_row_per_meter_of_the_period_sorted_by_account(november, tmp_path):
    path = tmp_path / "readings.csv"
    out = StringIO()

    call_command("export_readings", "2026-11", str(path), stdout=out)

    assert "Выгружено показаний за 11.2026: 2" in out.getvalue()
    rows = list(csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines(), delimiter=";"))
    assert [(r["account_number"], r["serial_number"]) for r in rows] == [
        ("1000000001", "Э-1"),
        ("1000000002", "ХВ-1"),
    ]
    assert (rows[0]["service"], rows[0]["value"], rows[0]["value_t2"]) == (
        "Электроэнергия",
        "1160,000",
        "470,000",
    )
    assert (rows[1]["period"], rows[1]["value"], rows[1]["value_t2"]) == ("2026-11", "104,250", "")


def test_xlsx_export_keeps_numbers_as_numbers(november, tmp_path):
    path = tmp_path / "readings.xlsx"

    call_command("export_readings", "2026-11", str(path), stdout=StringIO())

    sheet = load_workbook(path).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("account_number", "serial_number", "service", "period", "value")
    assert len(rows) == 3
    assert rows[2][4] == pytest.approx(104.25)


def test_a_bad_period_is_explained(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="укажите месяц в виде 2026-11"):
        call_command("export_readings", "ноябрь", str(tmp_path / "x.csv"))


def test_back_office_export_streams_the_csv_and_says_how_many(client, operator, november):
    sign_in_staff(client, operator)
    url = reverse("admin:meters_reading_export")

    page = client.get(url).content.decode()
    response = client.post(url, {"period": "2026-11", "file_format": "csv"})

    assert "Выгрузка показаний для системы начислений" in page
    assert response.streaming
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert body.count("\r\n") == 3
    assert response["Content-Disposition"] == 'attachment; filename="readings-2026-11.csv"'
    listing = client.get(reverse("admin:meters_reading_changelist")).content.decode()
    assert "Выгружено показаний за 11.2026: 2" in listing


def test_back_office_export_refuses_a_missing_period(client, operator):
    sign_in_staff(client, operator)

    response = client.post(reverse("admin:meters_reading_export"), {"period": "", "file_format": "csv"})

    assert "Укажите месяц." in response.content.decode()


def test_every_export_is_in_the_audit_log_with_who_and_how_many(client, operator, november, tmp_path):
    sign_in_staff(client, operator)
    client.post(reverse("admin:meters_reading_export"), {"period": "2026-11", "file_format": "xlsx"})
    call_command("export_readings", "2026-11", str(tmp_path / "r.csv"), stdout=StringIO())

    from_office, from_command = AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).order_by("at")
    assert from_office.actor == operator
    assert from_office.target == "показания за 11.2026"
    assert from_office.details["readings"] == 2
    assert from_command.actor is None
    assert from_command.details["readings"] == 2
