"""An operator uploads a billing export of a layout Kabinet has not seen, maps its columns on
the «Столбцы файла» page, saves the profile and sees the import's summary."""

import pytest
from playwright.sync_api import expect

from kabinet.billing.imports.built_in import ensure_built_in_profiles
from kabinet.billing.imports.jobs import run_queued_imports
from kabinet.billing.models import Accrual, ImportJob, ImportProfile
from kabinet.billing.tests.factories import AccountFactory
from kabinet.testing_browser import shoot, sign_in_to_back_office

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A wide export, as billing systems write them: more columns than a phone's screen holds.
EXPORT = (
    "Лицевой счёт;Расчётный период;Код услуги;Наименование услуги;Ед. изм.;Тариф, руб.;"
    "Объём;Начислено, руб.;Перерасчёт, руб.;Льгота, руб.;Итого к оплате, руб.\r\n"
    "1000000001;10.2026;HVS;Холодное водоснабжение;м3;46,25;3,200;148,00;0;0;148,00\r\n"
    "1000000001;10.2026;SOD;Содержание жилого помещения;м2;28,50;54,30;1547,55;0;0;1547,55\r\n"
    "1000000002;10.2026;HVS;Холодное водоснабжение;м3;46,25;2,000;92,50;-10,00;0;82,50\r\n"
)


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def upload_page(chromium, live_server, operator, *, width: int, height: int):
    """The back-office upload page, signed in as the operator, at `width` px."""
    context = chromium.new_context(viewport={"width": width, "height": height}, locale="ru-RU")
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/billing/importjob/add/")
    sign_in_to_back_office(page, operator, "operator-pass-2026")
    return context, page


def choose_a_new_accruals_layout(page, export) -> None:
    page.get_by_label("Что в файле").select_option(label="Начисления")
    page.get_by_label("Формат файла").select_option(label="Другой — сопоставить столбцы")
    page.locator("#id_upload").set_input_files(str(export))


def test_an_operator_maps_a_new_csv_once_and_sees_the_summary(
    chromium, live_server, operator, settings, tmp_path
):
    settings.BILLING_IMPORT_DIR = tmp_path / "imports"
    ensure_built_in_profiles(ImportProfile)
    AccountFactory(number="1000000001")
    AccountFactory(number="1000000002")
    export = tmp_path / "начисления-октябрь.csv"
    export.write_bytes(EXPORT.encode("cp1251"))
    context, page = upload_page(chromium, live_server, operator, width=1280, height=900)

    choose_a_new_accruals_layout(page, export)
    shoot(page, "admin-profile-01-upload")
    page.get_by_role("button", name="Загрузить", exact=True).click()

    expect(page.get_by_role("heading", name="Столбцы файла")).to_be_visible()
    expect(page.get_by_text("(кодировка: Windows-1251)")).to_be_visible()
    expect(page.get_by_role("cell", name="Содержание жилого помещения")).to_be_visible()
    shoot(page, "admin-profile-02-columns")
    page.get_by_label("Лицевой счёт:").select_option("Лицевой счёт")  # guessed already: chosen again
    page.get_by_label("Период:").select_option("Расчётный период")
    page.get_by_label("Код услуги:").select_option("Код услуги")
    page.get_by_label("Название услуги:").select_option("Наименование услуги")
    page.get_by_label("Единица:").select_option("Ед. изм.")
    page.get_by_label("Тариф:").select_option("Тариф, руб.")
    page.get_by_label("Объём:", exact=True).select_option("Объём")
    page.get_by_label("Начислено:").select_option("Начислено, руб.")
    page.get_by_label("Перерасчёт:").select_option("Перерасчёт, руб.")
    page.get_by_label("Льгота:").select_option("Льгота, руб.")
    page.get_by_label("К оплате:").select_option("Итого к оплате, руб.")
    page.get_by_label("Название профиля:").fill("Наша 1С: начисления")
    shoot(page, "admin-profile-03-mapped")
    page.get_by_role("button", name="Сохранить профиль и загрузить файл").click()

    expect(page.get_by_text("Профиль «Наша 1С: начисления» сохранён")).to_be_visible()
    assert run_queued_imports() == 1  # what the worker does; the page reloads itself meanwhile
    expect(page.get_by_text("загружено строк 3")).to_be_visible(timeout=15_000)
    shoot(page, "admin-profile-04-done")
    assert Accrual.objects.count() == 3
    assert ImportJob.objects.get().column_profile.title == "Наша 1С: начисления"

    page.goto(f"{live_server.url}/admin/billing/importjob/add/")
    saved = page.get_by_label("Формат файла").locator("option", has_text="Наша 1С: начисления")
    expect(saved).to_have_count(1)
    profile = ImportProfile.objects.get(title="Наша 1С: начисления")
    page.goto(f"{live_server.url}/admin/billing/importprofile/{profile.pk}/change/")
    expect(page.get_by_label("Период:")).to_have_value("Расчётный период")
    shoot(page, "admin-profile-05-profile")
    context.close()


def test_the_columns_page_fits_a_phone(chromium, live_server, operator, settings, tmp_path):
    settings.BILLING_IMPORT_DIR = tmp_path / "imports"
    AccountFactory(number="1000000001")
    export = tmp_path / "export.csv"
    export.write_bytes(EXPORT.encode("cp1251"))
    context, page = upload_page(chromium, live_server, operator, width=390, height=844)
    choose_a_new_accruals_layout(page, export)
    shoot(page, "admin-profile-01-upload")
    assert no_sideways_scroll(page)
    page.get_by_role("button", name="Загрузить", exact=True).click()

    expect(page.get_by_role("heading", name="Столбцы файла")).to_be_visible()
    shoot(page, "admin-profile-02-columns")
    assert no_sideways_scroll(page)  # the wide file scrolls inside its box
    context.close()


def test_the_upload_form_shows_only_the_choices_that_fit_the_kind(chromium, live_server, operator):
    ensure_built_in_profiles(ImportProfile)
    context, page = upload_page(chromium, live_server, operator, width=1280, height=900)
    bank_profile, layout = page.get_by_label("Профиль реестра банка"), page.get_by_label("Формат файла")

    page.get_by_label("Что в файле").select_option(label="Начисления")
    expect(bank_profile).to_be_hidden()
    expect(layout).to_be_visible()
    assert not layout.locator("optgroup[label='Начисления']").evaluate("group => group.hidden")
    assert layout.locator("optgroup[label='Оплаты']").evaluate("group => group.hidden")  # КВАДО's payments
    layout.select_option(label="КВАДО: начисления")

    page.get_by_label("Что в файле").select_option(label="Реестр платежей банка")
    expect(bank_profile).to_be_visible()
    expect(layout).to_be_hidden()
    expect(layout).to_have_value("")  # Kabinet's own: the accruals' format is not sent with a registry
    context.close()
