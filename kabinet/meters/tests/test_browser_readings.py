"""A resident submits readings in Chromium, at 390 and 1280 px; screenshots in screenshots/."""

from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kabinet.meters.models import Reading, Resource
from kabinet.meters.window import add_months
from kabinet.testing_browser import accessibility_violations, shoot

from .conftest import PASSWORD
from .factories import MeterFactory, history

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def looked_at(page, name: str) -> None:
    shoot(page, name)
    assert accessibility_violations(page) == [], name


@pytest.mark.parametrize("width", [1280, 390, 360])
def test_resident_submits_all_readings_in_one_form_and_confirms_an_unusual_one(
    chromium, live_server, company, ivanov, ivanov_account, window_open, width
):
    water = MeterFactory(account=ivanov_account, serial_number="ХВ-2231847")
    last = history(water, start=add_months(timezone.localdate(), -6), months=6, use=Decimal(5))
    MeterFactory(
        account=ivanov_account, serial_number="Э-0147733", service=Resource.ELECTRICITY, tariffs=2,
        digits_before=6, digits_after=0, initial_value=Decimal(18344), initial_value_t2=Decimal(7120),
        place="прихожая",
    )  # fmt: skip
    context = chromium.new_context(viewport={"width": width, "height": 844}, locale="ru-RU")
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Логин").fill("1000123456")
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    expect(page.get_by_text("Окно приёма показаний открыто до")).to_be_visible()
    page.get_by_role("link", name="Передать показания").click()
    expect(page.get_by_role("heading", name="Показания приборов учёта")).to_be_visible()
    # What the page is for comes first: the first meter's input is within the first screen.
    first_input = page.locator("input[inputmode=decimal]").first
    assert first_input.bounding_box()["y"] + first_input.bounding_box()["height"] <= 844
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    looked_at(page, "meters-01-page")

    power = page.locator(
        "section.meter-card", has=page.get_by_role("heading", name="Электроэнергия, 2 тарифа")
    )
    water_card = page.locator("section.meter-card", has=page.get_by_role("heading", name="Холодная вода"))
    power.get_by_label("Показание Т1 (день), кВт·ч").fill("18500")
    power.get_by_label("Показание Т2 (ночь), кВт·ч").fill("7100")
    typed = f"{last + 30:f}".replace(".", ",")
    water_card.get_by_label("Показание, м³").fill(typed)
    page.get_by_role("button", name="Передать показания").click()

    summary = page.locator("#readings-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text(
        "Не принято: Электроэнергия, прибор № Э-0147733 — Показание меньше предыдущего (7120)"
    )
    expect(summary).to_contain_text("Не принято: Холодная вода, прибор № ХВ-2231847")
    expect(water_card.get_by_text("намного больше обычного")).to_be_visible()
    looked_at(page, "meters-02-refused-and-question")

    power.get_by_label("Показание Т2 (ночь), кВт·ч").fill("7190")
    water_card.get_by_label("Показание верное, расход действительно такой").check()
    page.get_by_role("button", name="Передать показания").click()
    expect(summary).to_contain_text("Принято: Электроэнергия, прибор № Э-0147733 — Т1: 18500; Т2: 7190 кВт·ч")
    expect(summary).to_contain_text("Принято: Холодная вода, прибор № ХВ-2231847")
    looked_at(page, "meters-03-accepted")
    assert Reading.objects.filter(period=timezone.localdate().replace(day=1)).count() == 2

    page.locator(f"#meter-{water.pk}").get_by_role("link", name="История показаний и график расхода").click()
    expect(page.get_by_role("img", name="Расход по месяцам, м³")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    looked_at(page, "meters-04-history")
    context.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_an_expired_meter_leads_to_an_appeal_prefilled_with_it(
    chromium, live_server, company, ivanov, ivanov_account, window_open, width
):
    from datetime import date

    MeterFactory(account=ivanov_account, serial_number="ХВ-0000007", next_check_date=date(2025, 3, 1))
    context = chromium.new_context(viewport={"width": width, "height": 844}, locale="ru-RU")
    page = context.new_page()
    page.goto(f"{live_server.url}/login/?next=/cabinet/meters/")
    page.get_by_label("Логин").fill("1000123456")
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    expect(page.get_by_text("Срок поверки истёк 1 марта 2025.")).to_be_visible()
    looked_at(page, "meters-05-expired")

    page.get_by_role("link", name="Сообщить о поверке или замене прибора").click()

    expect(page.get_by_label("Текст обращения")).to_contain_text("Холодная вода, прибор № ХВ-0000007")
    looked_at(page, "meters-06-appeal-prefilled")
    context.close()
