"""Nothing the cabinet keeps is shown stale: after an import, a payment, a reading, or a change of
the company's details or reading window, the pages and the kept receipt show the new facts.

The company and the reading schedule are kept only in a shared cache (Redis in production): those
tests run with one (a local-memory cache: what matters is that one is there).
"""

from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from kabinet.billing.models import AccountPeriod
from kabinet.billing.payment_documents import pdf
from kabinet.billing.services import record_payment
from kabinet.billing.tests.history import PASSWORD, fill_payment_details, make_history, resident_with
from kabinet.billing.tests.test_payment_document_pdf import flat_text
from kabinet.core.models import Company
from kabinet.meters.models import ReadingSchedule
from kabinet.meters.services import submit_reading
from kabinet.meters.tests.factories import MeterFactory
from kabinet.meters.window import add_months

LOCAL_CACHE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
OCTOBER = date(2026, 10, 1)
ACCRUALS_HEADER = (
    "account_number;period;service_code;service_name;unit;tariff;volume;volume_source;"
    "accrued;recalculation;recalculation_reason;benefit;to_pay"
)


@pytest.fixture
def signed_in(client, company, ivanov_account):
    fill_payment_details(company)
    make_history(ivanov_account)  # November 2025 – October 2026, October left to pay: 14 110,78 ₽
    resident_with(ivanov_account)
    assert client.login(username=ivanov_account.number, password=PASSWORD)
    return client


@pytest.fixture
def made_receipts(monkeypatch):
    """How many receipts were made (not read from the kept files)."""
    made = []
    render = pdf.render_pdf

    def counted(*args, **kwargs):
        made.append(args[0].period)
        return render(*args, **kwargs)

    monkeypatch.setattr(pdf, "render_pdf", counted)
    return made


def receipt(client, period: date = OCTOBER) -> str:
    response = client.get(reverse("billing:payment_document_pdf", args=[period]))
    assert response.status_code == 200
    return flat_text(response.content)


def page(client, name: str, **params) -> str:
    response = client.get(reverse(name), params)
    assert response.status_code == 200
    return " ".join(response.content.decode().replace("\u00a0", " ").split())


def import_accruals(tmp_path: Path, account: str, period: date, lines: list[tuple[str, str, str]]) -> None:
    """An accruals file of one month: (service code, name, to pay) per line, as the billing sends."""
    rows = [ACCRUALS_HEADER] + [
        f"{account};{period:%Y-%m-%d};{code};{name};;;;;{amount};0;;0;{amount}"
        for code, name, amount in lines
    ]
    path = tmp_path / f"accruals-{period:%Y-%m}.csv"
    path.write_text("\r\n".join(rows) + "\r\n", encoding="utf-8")
    call_command("import_billing", "accruals", str(path), stdout=StringIO(), stderr=StringIO())


def test_a_receipt_asked_again_is_the_kept_one_not_made_again(signed_in, made_receipts):
    first = signed_in.get(reverse("billing:payment_document_pdf", args=[OCTOBER])).content
    again = signed_in.get(reverse("billing:payment_document_pdf", args=[OCTOBER])).content

    assert again == first
    assert made_receipts == [OCTOBER]


def test_after_an_import_the_pages_and_the_receipt_show_the_new_charges(
    signed_in, ivanov_account, tmp_path, made_receipts
):
    assert "14 110,78 ₽" in receipt(signed_in)
    page(signed_in, "billing:charges")

    # The billing corrects October (one line instead of four) and adds November.
    import_accruals(
        tmp_path, ivanov_account.number, OCTOBER, [("maint", "Содержание жилого помещения", "1000.00")]
    )
    import_accruals(
        tmp_path, ivanov_account.number, date(2026, 11, 1), [("cold", "Холодное водоснабжение", "250.00")]
    )

    # Debt at the end of September 10 784,95 + 1 000,00 for October.
    assert "11 784,95 ₽" in receipt(signed_in)
    assert made_receipts == [OCTOBER, OCTOBER]
    charges = page(signed_in, "billing:charges")
    assert "Ноябрь 2026" in charges and "250,00" in charges
    october = page(signed_in, "billing:charges", period="2026-10")
    assert "1 000,00" in october and "Холодное водоснабжение" not in october
    overview = page(signed_in, "residents:cabinet")
    assert "Начислено за ноябрь 2026" in overview and "12 034,95 ₽" in overview


def test_after_a_payment_the_overview_and_the_receipt_show_the_new_balance(signed_in, ivanov_account):
    assert "14 110,78 ₽" in page(signed_in, "residents:cabinet")
    assert "14 110,78 ₽" in receipt(signed_in)

    record_payment(account=ivanov_account, amount=Decimal("4110.78"), paid_on=date(2026, 10, 28))

    overview = page(signed_in, "residents:cabinet")
    assert "10 000,00 ₽" in overview and "4 110,78 ₽, 28 октября 2026" in overview
    assert "10 000,00 ₽" in receipt(signed_in)
    assert "10 000,00" in page(signed_in, "payments:pay")


def test_after_a_payment_in_a_month_without_charges_the_charges_list_no_new_month(signed_in, ivanov_account):
    record_payment(
        account=ivanov_account, amount=Decimal("110.78"), paid_on=date(2026, 12, 3), period=date(2026, 12, 1)
    )

    assert AccountPeriod.objects.filter(
        account=ivanov_account, period=date(2026, 12, 1), charged=False
    ).exists()
    charges = page(signed_in, "billing:charges")
    assert "Декабрь 2026" not in charges and "Октябрь 2026" in charges
    overview = page(signed_in, "residents:cabinet")
    assert "Начислено за октябрь 2026" in overview and "14 000,00 ₽" in overview


def test_a_month_charged_nothing_in_total_is_still_a_month_with_charges(signed_in, ivanov_account, tmp_path):
    import_accruals(
        tmp_path, ivanov_account.number, date(2026, 11, 1), [("maint", "Содержание жилого помещения", "0.00")]
    )

    assert "Ноябрь 2026" in page(signed_in, "billing:charges")


def test_after_a_reading_the_readings_page_and_the_months_receipt_show_it(client, company, ivanov_account):
    today = timezone.localdate()
    this_month = today.replace(day=1)
    make_history(ivanov_account, months=2, first=add_months(this_month, -1))
    schedule = ReadingSchedule.load()
    schedule.opens_day, schedule.closes_day = 1, 31
    schedule.save()
    meter = MeterFactory(account=ivanov_account, serial_number="ХВ-777")
    resident_with(ivanov_account)
    assert client.login(username=ivanov_account.number, password=PASSWORD)
    assert "не передано" in receipt(client, this_month)

    submit_reading(meter=meter, values=(Decimal("123.456"),), today=today)

    assert "123,456" in receipt(client, this_month)
    assert "123,456" in page(client, "meters:readings")


@override_settings(CACHES=LOCAL_CACHE)
def test_a_change_of_the_company_shows_on_the_next_page_and_receipt(signed_in):
    cache.clear()
    assert "ООО «УК Уютный дом»" in receipt(signed_in)
    page(signed_in, "residents:cabinet")  # the company is kept now

    company = Company.load()
    company.name = "ООО «Новый дом»"
    company.emergency_phone = "+7 (4822) 55-55-55"
    company.save()

    assert "ООО «Новый дом»" in receipt(signed_in)
    assert "+7 (4822) 55-55-55" in page(signed_in, "residents:cabinet")


@override_settings(CACHES=LOCAL_CACHE)
def test_a_change_of_the_reading_window_shows_on_the_next_page(signed_in, ivanov_account):
    cache.clear()
    MeterFactory(account=ivanov_account, building=None)
    today = timezone.localdate()
    schedule = ReadingSchedule.load()
    schedule.opens_day, schedule.closes_day = 1, 31
    schedule.save()
    assert "Окно приёма показаний открыто" in page(signed_in, "residents:cabinet")

    schedule = ReadingSchedule.load()
    schedule.opens_day = schedule.closes_day = 28 if today.day < 28 else 1
    schedule.save()

    assert "Окно приёма показаний откроется" in page(signed_in, "residents:cabinet")


@override_settings(CACHES=LOCAL_CACHE)
def test_news_published_or_coming_due_show_on_the_next_overview(signed_in, monkeypatch):
    from datetime import timedelta

    from kabinet.public.models import NewsItem

    cache.clear()
    now = timezone.now()
    NewsItem.objects.create(title="Плановая уборка", slug="uborka", summary="Коротко", body="Текст")
    NewsItem.objects.create(
        title="Отключение отопления",
        slug="otoplenie",
        summary="Коротко",
        body="Текст",
        published_at=now + timedelta(minutes=10),
    )
    assert "Плановая уборка" in page(signed_in, "residents:cabinet")  # the news are kept now

    NewsItem.objects.create(title="Собрание жильцов", slug="sobranie", summary="Коротко", body="Текст")
    overview = page(signed_in, "residents:cabinet")
    assert "Собрание жильцов" in overview and "Отключение отопления" not in overview

    monkeypatch.setattr(timezone, "now", lambda: now + timedelta(minutes=20))  # within the session
    assert "Отключение отопления" in page(signed_in, "residents:cabinet")
