"""In Chromium at a phone's and a desktop's width: the resident's charges with the penalties line
and the identifiers from ГИС ЖКХ; the operator's page «Обмен с ГИС ЖКХ». Screenshots land in
screenshots/ (<width>-gis-*.png): look at them."""

from io import BytesIO
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import expect

from kabinet.billing.balances import rebuild_balances
from kabinet.billing.tests.history import PASSWORD, resident_with
from kabinet.gis.services import run_queued_exports
from kabinet.testing_browser import (
    accessibility_violations,
    go_to_cabinet_section,
    shoot,
    sign_in_to_back_office,
)

from .test_exports import all_accounts, charged  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def looked_at(page, name: str) -> None:
    shoot(page, f"gis-{name}")
    assert accessibility_violations(page) == [], name


@pytest.mark.parametrize("width", [390, 1280])
def test_the_resident_sees_the_penalties_apart_and_the_els(chromium, live_server, charged, width):  # noqa: F811
    first, _ = charged
    rebuild_balances([a.pk for a in all_accounts()])
    resident_with(first)
    context = chromium.new_context(viewport={"width": width, "height": 900}, locale="ru-RU")
    page = context.new_page()
    page.goto(live_server.url + "/login/")
    page.get_by_label("Логин").fill(first.number)
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    expect(page.get_by_text("до 15 апреля").first).to_be_visible()  # March 2026: ЖК РФ ст. 155 as amended
    looked_at(page, "1-overview")

    go_to_cabinet_section(page, "Начисления")
    expect(page.get_by_role("heading", name="Март 2026")).to_be_visible()
    expect(page.get_by_text("69ТВ123456-01")).to_be_visible()
    expect(page.get_by_role("rowheader", name="Итого за услуги")).to_be_visible()
    penalty = page.locator("tr.charges__penalty")
    penalty.get_by_text("Что это?").click()
    expect(penalty.get_by_text("ЖК РФ ст. 155 ч. 14", exact=False)).to_be_visible()
    expect(page.get_by_role("rowheader", name="Итого с пенями")).to_be_visible()
    looked_at(page, "2-charges-penalties")
    context.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_the_operator_exports_the_payment_documents_for_gis(
    chromium,
    live_server,
    operator,
    charged,  # noqa: F811
    width,
    settings,
    tmp_path,
):
    settings.BILLING_IMPORT_DIR = tmp_path / "imports"
    context = chromium.new_context(
        viewport={"width": width, "height": 900}, locale="ru-RU", accept_downloads=True
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/gis/gisexchange/")
    sign_in_to_back_office(page, operator, "operator-pass-2026")
    expect(page.get_by_role("heading", name="Обмен с ГИС ЖКХ")).to_be_visible()
    page.get_by_label("Платёжные документы").check()
    page.get_by_label("Период").fill("2026-03")
    looked_at(page, "3-exchange")
    page.get_by_role("button", name="Выгрузить файл").click()
    expect(page.get_by_text("готовится", exact=False).first).to_be_visible()
    looked_at(page, "4-asked")
    assert run_queued_exports()  # what the billing worker does; the page reloads itself meanwhile
    expect(page.get_by_text("2 документа, 4 строки услуг, 1 строка пеней", exact=False)).to_be_visible(
        timeout=15_000
    )
    looked_at(page, "5-exported")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # fits a phone
    with page.expect_download() as download:
        page.get_by_role("link", name="gis-payment-documents-2026-03.xlsx").click()
    workbook = openpyxl.load_workbook(BytesIO(Path(download.value.path()).read_bytes()))
    assert workbook["Разделы 1-2"]["A4"].value == "69ТВ123456-01"
    context.close()
