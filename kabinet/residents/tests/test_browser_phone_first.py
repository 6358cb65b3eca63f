"""Issue 15 in Chromium: every resident page it touched, at 360, 390 and 1280 px.

No page wider than the screen, axe-core finds nothing, «₽» never wraps away from its sum, and at
390×844 what the page is for (the amount and «Оплатить», the amount to pay) is on the first screen.
Screenshots: screenshots/<width>-i15-*.png.
"""

import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kabinet.appeals.models import Appeal, AppealCategory
from kabinet.billing.tests.history import PASSWORD, make_history, resident_with
from kabinet.meters.models import ReadingSchedule
from kabinet.meters.tests.factories import MeterFactory, history
from kabinet.meters.window import add_months
from kabinet.testing_browser import accessibility_violations, shoot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("published_policies"),
]
FIRST_SCREEN = 844


def checked(page, name: str, width: int) -> None:
    shoot(page, f"i15-{name}")
    assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{name} wider than {width}px"
    assert accessibility_violations(page) == [], name
    text = page.inner_text("main")
    assert not re.search(r"\d ₽", text), f"{name}: an ordinary space before «₽»"


def bottom_of(locator) -> float:
    box = locator.bounding_box()
    return box["y"] + box["height"]


@pytest.mark.parametrize("width", [360, 390, 1280])
def test_resident_pages_fit_the_screen_pass_axe_and_put_the_purpose_first(
    chromium, live_server, company, ivanov_account, width
):
    schedule = ReadingSchedule.load()
    schedule.opens_day, schedule.closes_day = 1, 31  # the window open on any test day
    schedule.save()
    make_history(ivanov_account)
    resident = resident_with(ivanov_account)
    meter = MeterFactory(account=ivanov_account, serial_number="ХВ-2231847")
    history(meter, start=add_months(timezone.localdate(), -14), months=13, use=Decimal(5))
    category = AppealCategory.objects.create(name="Сантехника", answer_days=5)
    appeal = Appeal.objects.create(
        account=ivanov_account, resident=resident, category=category, text="Течёт."
    )
    context = chromium.new_context(viewport={"width": width, "height": FIRST_SCREEN}, locale="ru-RU")
    page = context.new_page()
    page.goto(f"{live_server.url}/registration/")
    checked(page, "registration", width)
    page.goto(f"{live_server.url}/documents/privacy/")
    checked(page, "privacy", width)
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Логин").fill(ivanov_account.number)
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()

    pay = page.get_by_role("link", name=re.compile(r"^Оплатить"))
    expect(pay).to_be_visible()
    assert bottom_of(pay) <= FIRST_SCREEN
    assert bottom_of(page.locator(".balance-card__sum")) <= FIRST_SCREEN
    checked(page, "overview", width)
    page.goto(f"{live_server.url}/cabinet/pay/")
    assert bottom_of(page.get_by_label("Сумма к оплате, ₽")) <= FIRST_SCREEN
    checked(page, "pay", width)
    page.goto(f"{live_server.url}/cabinet/meters/")
    assert bottom_of(page.get_by_label("Показание, м³")) <= FIRST_SCREEN
    checked(page, "meters", width)
    page.goto(f"{live_server.url}/cabinet/meters/{meter.pk}/history/")
    checked(page, "meter-history", width)
    page.goto(f"{live_server.url}/cabinet/charges/")
    checked(page, "charges", width)
    page.goto(f"{live_server.url}/cabinet/appeals/new/")
    checked(page, "appeal-new", width)
    page.goto(f"{live_server.url}/cabinet/appeals/{appeal.pk}/")
    expect(page.get_by_text("Ответ ожидается")).to_be_visible()
    checked(page, "appeal", width)
    page.goto(f"{live_server.url}/cabinet/profile/")
    checked(page, "profile", width)
    if width < 721:
        # The menus are folded on a phone and open with one tap.
        page.locator("details.site-menu summary").click()
        expect(page.get_by_role("navigation", name="Главное меню").get_by_role("link").first).to_be_visible()
        page.locator("details.cabinet-menu summary").click()
        expect(page.get_by_role("navigation", name="Разделы личного кабинета")).to_be_visible()
        checked(page, "menus-open", width)
    context.close()


def test_without_javascript_the_menus_fold_on_a_phone_and_open_on_a_wide_screen(
    chromium, live_server, company, ivanov_account
):
    make_history(ivanov_account)
    resident_with(ivanov_account)
    for width, shown in ((390, False), (1280, True)):
        context = chromium.new_context(
            viewport={"width": width, "height": FIRST_SCREEN}, java_script_enabled=False
        )
        page = context.new_page()
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("Логин").fill(ivanov_account.number)
        page.get_by_label("Пароль").fill(PASSWORD)
        page.get_by_role("button", name="Войти").click()
        sections = page.get_by_role("navigation", name="Разделы личного кабинета").get_by_role(
            "link", name="Начисления"
        )
        assert sections.is_visible() is shown
        if not shown:
            page.locator("details.cabinet-menu summary").click()
        sections.click()
        expect(page.get_by_role("heading", name="Начисления", exact=True)).to_be_visible()
        context.close()
