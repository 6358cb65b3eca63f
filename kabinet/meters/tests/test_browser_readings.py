"""A resident submits readings in Chromium, at 390 and 1280 px; screenshots in screenshots/."""

from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kabinet.meters.models import Reading, Service
from kabinet.meters.window import add_months
from kabinet.testing_browser import accessibility_violations, shoot

from .conftest import PASSWORD
from .factories import MeterFactory, history

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def looked_at(page, name: str) -> None:
    shoot(page, name)
    assert accessibility_violations(page) == [], name


@pytest.mark.parametrize("width", [1280, 390])
def test_resident_submits_readings_and_confirms_an_unusual_one(
    chromium, live_server, company, ivanov, ivanov_account, window_open, width
):
    water = MeterFactory(account=ivanov_account, serial_number="ХВ-2231847")
    last = history(water, start=add_months(timezone.localdate(), -6), months=6, use=Decimal(5))
    MeterFactory(
        account=ivanov_account, serial_number="Э-0147733", service=Service.ELECTRICITY, tariffs=2,
        digits_before=6, digits_after=0, initial_value=Decimal(18344), initial_value_t2=Decimal(7120),
        place="прихожая",
    )  # fmt: skip
    context = chromium.new_context(viewport={"width": width, "height": 900}, locale="ru-RU")
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Логин").fill("1000123456")
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    expect(page.get_by_text("Окно приёма показаний открыто до")).to_be_visible()
    page.get_by_role("link", name="Передать показания").click()
    expect(page.get_by_role("heading", name="Показания приборов учёта")).to_be_visible()
    looked_at(page, "meters-01-page")

    power = page.locator("section", has=page.get_by_role("heading", name="Электроэнергия, 2 тарифа"))
    power.get_by_label("Показание Т1 (день), кВт·ч").fill("18500")
    power.get_by_label("Показание Т2 (ночь), кВт·ч").fill("7100")
    power.get_by_role("button", name="Передать показание").click()
    power = page.locator("section", has=page.get_by_role("heading", name="Электроэнергия, 2 тарифа"))
    expect(power.get_by_text("Показание меньше предыдущего (7120)")).to_be_visible()
    looked_at(page, "meters-02-lower-refused")
    power.get_by_label("Показание Т2 (ночь), кВт·ч").fill("7190")
    power.get_by_role("button", name="Передать показание").click()
    expect(page.get_by_text("Показание прибора Электроэнергия № Э-0147733 принято.")).to_be_visible()

    water_card = page.locator("section", has=page.get_by_role("heading", name="ХВС"))
    typed = f"{last + 30:f}".replace(".", ",")
    water_card.get_by_label("Показание, м³").fill(typed)
    water_card.get_by_role("button", name="Передать показание").click()
    water_card = page.locator("section", has=page.get_by_role("heading", name="ХВС"))
    expect(water_card.get_by_text("намного больше обычного")).to_be_visible()
    looked_at(page, "meters-03-confirm-question")
    water_card.get_by_label("Показание верное, расход действительно такой").check()
    water_card.get_by_role("button", name="Отправить ещё раз").click()
    expect(page.get_by_text("Показание прибора ХВС № ХВ-2231847 принято.")).to_be_visible()
    looked_at(page, "meters-04-accepted")
    assert Reading.objects.filter(period=timezone.localdate().replace(day=1)).count() == 2

    page.locator(f"#meter-{water.pk}").get_by_role("link", name="История показаний и график расхода").click()
    expect(page.get_by_role("img", name="Расход по месяцам, м³")).to_be_visible()
    looked_at(page, "meters-05-history")
    context.close()
