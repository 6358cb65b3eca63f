"""A resident in Chromium: charges and «how was this calculated?», the receipt, paying through the
development provider and the payment in the history, at a phone's and a desktop's width.

Screenshots land in screenshots/ (<width>-billing-*.png): look at them.
"""

from pathlib import Path

import pypdfium2
import pytest
import zxingcpp
from playwright.sync_api import expect

from kabinet.billing import payment_qr
from kabinet.billing.tests.history import PASSWORD, fill_payment_details, make_history, resident_with
from kabinet.testing_browser import accessibility_violations, go_to_cabinet_section, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def looked_at(page, name: str) -> None:
    shoot(page, f"billing-{name}")
    assert accessibility_violations(page) == [], name


@pytest.mark.parametrize("width", [390, 1280])
def test_resident_reads_charges_downloads_the_receipt_and_pays(
    chromium, live_server, settings, company, ivanov_account, width
):
    settings.PAYMENT_PROVIDER = "dev"
    fill_payment_details(company)
    make_history(ivanov_account)
    resident_with(ivanov_account)
    context = chromium.new_context(
        viewport={"width": width, "height": 900}, locale="ru-RU", accept_downloads=True
    )
    page = context.new_page()
    page.goto(live_server.url + "/login/")
    page.get_by_label("Логин").fill(ivanov_account.number)
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    expect(page.get_by_text("14 110,78 ₽").first).to_be_visible()
    looked_at(page, "1-overview")

    go_to_cabinet_section(page, "Начисления")
    expect(page.get_by_role("heading", name="Октябрь 2026")).to_be_visible()
    how = page.locator("details.charges__how").nth(1)
    how.get_by_text("Как посчитано?").click()
    expect(how.get_by_text("4,512 м³ × 52,31 ₽ = 236,02 ₽.")).to_be_visible()
    expect(how.get_by_text("Объём — по показаниям прибора учёта.")).to_be_visible()
    expect(page.get_by_role("img", name="Начислено к оплате по месяцам, ₽")).to_be_attached()
    looked_at(page, "2-charges")
    page.get_by_label("Месяц", exact=True).select_option("2025-12")
    page.get_by_role("button", name="Показать").click()
    expect(page.get_by_role("heading", name="Декабрь 2025")).to_be_visible()

    go_to_cabinet_section(page, "Квитанции")
    looked_at(page, "3-receipts")
    with page.expect_download() as download:
        page.get_by_role("link", name="Квитанция за октябрь 2026").click()
    pdf = Path(download.value.path()).read_bytes()
    image = pypdfium2.PdfDocument(pdf)[0].render(scale=3).to_pil()
    assert payment_qr.parse(zxingcpp.read_barcodes(image)[0].text)["Sum"] == "1411078"

    go_to_cabinet_section(page, "Оплата")
    amount = page.get_by_label("Сумма к оплате, ₽")
    expect(amount).to_have_value("14110,78")
    amount.fill("0,5")
    page.get_by_role("button", name="Перейти к оплате").click()
    expect(page.get_by_text("Сумма должна быть не меньше 1,00 ₽.")).to_be_visible()
    looked_at(page, "4-pay-error")
    page.get_by_label("Сумма к оплате, ₽").fill("1 500,50")
    page.get_by_role("button", name="Перейти к оплате").click()
    expect(page.get_by_role("heading", name="Тестовая оплата")).to_be_visible()
    looked_at(page, "5-dev-provider")
    page.get_by_role("button", name="Оплатить").click()
    expect(page.get_by_text("Оплата прошла.")).to_be_visible()
    looked_at(page, "6-paid")

    page.get_by_role("link", name="История оплат").click()
    row = page.get_by_role("row").filter(has_text="Онлайн-оплата в личном кабинете")
    expect(row).to_contain_text("1 500,50")
    looked_at(page, "7-history")
    go_to_cabinet_section(page, "Обзор")
    expect(page.get_by_text("12 610,28 ₽").first).to_be_visible()
    context.close()
