"""Penalties (пени, ЖК РФ ст. 155 ч. 14) from the billing export: a line of their own on the
charges page and the receipt, apart from the services."""

from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from kabinet.billing.imports.accrual_rows import is_penalty
from kabinet.billing.models import Service
from kabinet.billing.tests.factories import AccountFactory
from kabinet.billing.tests.history import PASSWORD, fill_payment_details, resident_with
from kabinet.billing.tests.test_payment_document_pdf import pdf_pages

SAMPLE = Path(__file__).resolve().parents[3] / "docs" / "samples" / "accruals-penalties.csv"


@pytest.mark.parametrize(
    ("code", "name", "penalty"),
    [
        ("PENI", "Пени", True),
        ("P01", "Пени за просрочку оплаты", True),
        ("P02", "Пеня", True),
        ("penalty", "Неустойка", True),
        ("HVS", "Холодное водоснабжение", False),
        ("SOD", "Содержание жилого помещения", False),
        ("PENS", "Скидка пенсионерам", False),
    ],
)
def test_a_penalties_line_is_known_by_its_code_or_name(code, name, penalty):
    assert is_penalty(code, name) is penalty


def load(path: Path) -> None:
    out = StringIO()
    call_command("import_billing", "accruals", str(path), "--no-progress", stdout=out, stderr=out)


@pytest.fixture
def imported(db, company, client):
    fill_payment_details(company)
    account = AccountFactory(number="1000123456", unified_number="69ТВ123456", service_id="69ТВ123456-01")
    call_command(
        "import_billing", "accruals", str(SAMPLE), "--no-progress", stdout=StringIO(), stderr=StringIO()
    )
    resident_with(account)
    assert client.login(username=account.number, password=PASSWORD)
    return client


def test_the_import_marks_the_penalties_service(imported):
    assert Service.objects.get(code="PENI").is_penalty
    assert not Service.objects.get(code="HVS").is_penalty


def test_the_charges_page_shows_the_penalties_apart_from_the_services(imported):
    html = imported.get(reverse("billing:charges")).content.decode()

    services, _, footer = html.partition("<tfoot>")
    assert "Пени" not in services.split("<tbody>")[1]  # not among the services
    assert "Итого за услуги" in footer and "1\u00a0695,55" in footer
    assert "Пени" in footer and "37,12" in footer and "ЖК РФ ст. 155 ч. 14" in footer
    assert "Итого с пенями" in footer and "1\u00a0732,67" in footer


def test_the_receipt_has_the_penalties_line_under_the_services_total(imported):
    response = imported.get(reverse("billing:payment_document_pdf", args=[date(2026, 3, 1)]))
    _, text = pdf_pages(response.content)
    text = text.replace("\r\n", "\n").replace("\u00a0", " ")

    # Under the services' total, then the total with them: a line of its own.
    assert "Всего за услуги 1 695,55 0,00 0,00 1 695,55\nПени 37,12 37,12\nВсего с пенями 1 732,67" in text


def test_the_receipt_and_the_charges_page_show_the_els_and_the_service_id(imported):
    html = imported.get(reverse("billing:charges")).content.decode()
    response = imported.get(reverse("billing:payment_document_pdf", args=[date(2026, 3, 1)]))
    _, text = pdf_pages(response.content)

    assert "ЕЛС в ГИС ЖКХ" in html and "69ТВ123456" in html
    assert "Идентификатор ЖКУ" in html and "69ТВ123456-01" in html
    assert "ЕЛС в ГИС ЖКХ: 69ТВ123456" in text
    assert "Идентификатор ЖКУ: 69ТВ123456-01" in text


def test_without_penalties_the_totals_stay_one_line(db, company, client, tmp_path):
    account = AccountFactory(number="1000123456")
    path = tmp_path / "accruals.csv"  # the same month without the пени line
    path.write_text("\n".join(SAMPLE.read_text(encoding="utf-8").splitlines()[:-1]) + "\n", encoding="utf-8")
    call_command(
        "import_billing", "accruals", str(path), "--no-progress", stdout=StringIO(), stderr=StringIO()
    )
    resident_with(account)
    assert client.login(username=account.number, password=PASSWORD)

    html = client.get(reverse("billing:charges")).content.decode()

    assert "Итого за услуги" not in html and "Итого с пенями" not in html
    assert ">Итого<" in html
