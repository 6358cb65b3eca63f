"""The payment document: a bank app reading its QR code gets every field right, the sum above all."""

import re
from datetime import date
from decimal import Decimal

import pypdfium2
import pytest
import zxingcpp
from django.urls import reverse

from kabinet.billing import payment_qr
from kabinet.billing.models import Accrual, Service
from kabinet.billing.tests.history import PASSWORD, fill_payment_details, make_history, resident_with
from kabinet.meters.models import Resource
from kabinet.meters.tests.factories import MeterFactory, ReadingFactory


def pdf_pages(pdf: bytes, scale: float = 3) -> tuple[list, str]:
    """The first page as an image (as a phone camera sees the paper) and the document's text."""
    document = pypdfium2.PdfDocument(pdf)
    page = document[0]
    image = page.render(scale=scale).to_pil()
    text = "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    return image, text


@pytest.fixture
def receipt(client, company, ivanov_account):
    fill_payment_details(company)
    make_history(ivanov_account)
    resident_with(ivanov_account)
    client.login(username=ivanov_account.number, password=PASSWORD)
    response = client.get(reverse("billing:payment_document_pdf", args=[date(2026, 10, 1)]))
    assert response.status_code == 200
    return response.content


def test_the_qr_code_on_the_receipt_carries_every_field_of_gost_r_56042(receipt):
    image, _ = pdf_pages(receipt)
    codes = zxingcpp.read_barcodes(image)

    assert len(codes) == 1 and codes[0].format == zxingcpp.BarcodeFormat.QRCode
    text = codes[0].text
    assert text.startswith("ST00012|")
    fields = payment_qr.parse(text)
    assert fields == {
        "Name": "ООО «УК Уютный дом»",
        "PersonalAcc": "40702810563000001234",
        "BankName": "Тверское отделение № 8607 ПАО Сбербанк",
        "BIC": "042809679",
        "CorrespAcc": "30101810700000000679",
        "PayeeINN": "6950123450",
        "KPP": "695001001",
        "Sum": "1411078",  # the debt at the end of October 2026, in kopecks
        "Purpose": "Оплата ЖКУ за октябрь 2026, л/с 1000123456",
        "PersAcc": "1000123456",
        "LastName": "Иванов",
        "FirstName": "Иван",
        "MiddleName": "Иванович",
        "PayerAddress": "г. Тверь, ул. Советская, д. 12, кв. 5",
        "PaymPeriod": "102026",
        "TechCode": "02",
    }


def test_the_receipt_follows_the_standard_form_in_cyrillic(receipt):
    _, text = pdf_pages(receipt)
    flat = " ".join(text.split())

    for part in (
        "ПЛАТЁЖНЫЙ ДОКУМЕНТ (ЕДИНЫЙ)",
        "Раздел 1. Сведения о плательщике и исполнителе услуг",
        "Раздел 2. Информация для внесения платы получателю платежа",
        "Раздел 3. Расчёт размера платы",
        "Раздел 4. Справочная информация",
        "Иванов Иван Иванович",
        "БИК 042809679",
        "Холодное водоснабжение",
        "Итого к оплате: 14 110,78 ₽",
        "Перерасчёт за сентябрь: показания счётчика переданы после закрытия периода",
        "по показаниям прибора учёта",
    ):
        assert part in flat.replace("\u00a0", " "), part


def test_without_the_company_bank_details_the_receipt_has_no_qr_code_but_says_why(
    client, company, ivanov_account
):
    make_history(ivanov_account, months=1)
    resident_with(ivanov_account)
    client.login(username=ivanov_account.number, password=PASSWORD)
    pdf = client.get(reverse("billing:payment_document_pdf", args=[date(2025, 11, 1)])).content
    image, text = pdf_pages(pdf)

    assert zxingcpp.read_barcodes(image) == []
    assert "Реквизиты для QR-кода не заполнены" in " ".join(text.split())


def test_payload_drops_separators_and_rounds_the_sum_to_kopecks():
    payee = payment_qr.Payee(
        name="ТСЖ «Берёзка|Плюс»",
        inn="6950123450",
        kpp="695001001",
        bank_name="Банк",
        bic="042809679",
        account="40702810563000001234",
        correspondent_account="30101810700000000679",
    )
    text = payment_qr.payload(
        payee=payee,
        amount=Decimal("1234.565"),
        purpose="Оплата\nЖКУ",
        account_number="1000123456",
        period=date(2026, 1, 1),
    )
    fields = payment_qr.parse(text)

    assert fields["Name"] == "ТСЖ «Берёзка Плюс»"
    assert fields["Sum"] == "123457"
    assert fields["Purpose"] == "Оплата ЖКУ"
    assert fields["PaymPeriod"] == "012026"


def flat_text(pdf: bytes) -> str:
    _, text = pdf_pages(pdf)
    return " ".join(text.replace("\u00a0", " ").split())


def test_the_bank_is_named_after_a_label_and_the_area_is_written_as_the_calculation_writes_it(receipt):
    text = flat_text(receipt)

    assert "Банк получателя: Тверское отделение № 8607 ПАО Сбербанк" in text
    assert " в Тверское" not in text
    assert "Общая площадь: 54,3 м²" in text  # the account's area, 54.30
    assert "Содержание жилого помещения м² 54,3" in text  # the volume billed by that area


def test_the_receipt_shows_the_readings_it_was_calculated_from(client, company, ivanov_account):
    fill_payment_details(company)
    make_history(ivanov_account)
    resident_with(ivanov_account)
    cold = MeterFactory(account=ivanov_account, serial_number="ХВ-2231847", initial_value=Decimal("300"))
    ReadingFactory(meter=cold, period=date(2026, 9, 1), value=Decimal("371.698"), consumption=Decimal("5.2"))
    ReadingFactory(
        meter=cold, period=date(2026, 10, 1), value=Decimal("376.210"), consumption=Decimal("4.512")
    )
    power = MeterFactory(
        account=ivanov_account, serial_number="Э-0147733", service=Resource.ELECTRICITY, tariffs=2,
        digits_after=0, initial_value=Decimal(20000), initial_value_t2=Decimal(7800),
    )  # fmt: skip
    common = Service.objects.create(
        code="cold_common", name="Холодная вода на содержание общего имущества", unit="м³"
    )
    Accrual.objects.create(
        account=ivanov_account, period=date(2026, 10, 1), service=common, tariff=Decimal("52.31"),
        volume=Decimal("0.120"), unit="м³", accrued=Decimal("6.28"), to_pay=Decimal("6.28"),
    )  # fmt: skip
    client.login(username=ivanov_account.number, password=PASSWORD)

    pdf = client.get(reverse("billing:payment_document_pdf", args=[date(2026, 10, 1)])).content
    text = flat_text(pdf)

    assert "Показания индивидуальных приборов учёта" in text
    # A zone's label stays on the line of its number in a narrow cell («Т2:» never ends a line).
    assert re.search(r"Т\d:\s*[\r\n]", pdf_pages(pdf)[1]) is None
    # meter, previous and current reading, consumption, volume in the flat, volume on common property
    assert "Холодная вода № ХВ-2231847 371,698 376,210 4,512 м³ 4,512 м³ 0,12 м³" in text
    assert f"Электроэнергия № Э-0147733 {power.shown_initial} не передано —" in text
