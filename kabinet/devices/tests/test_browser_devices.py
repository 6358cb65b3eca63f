"""A resident pairs a waterius and sees its value on the readings page, at 390 and 1280 px."""

import re

import pytest
from django.test import Client
from playwright.sync_api import expect

from kabinet.devices.models import Device
from kabinet.testing_browser import accessibility_violations, shoot

from .conftest import PASSWORD, firmware_body, post

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def looked_at(page, name: str, width: int) -> None:
    shoot(page, name)
    assert accessibility_violations(page) == [], name
    assert page.evaluate("document.documentElement.scrollWidth") <= width, name


@pytest.mark.parametrize("width", [390, 1280])
def test_resident_pairs_a_waterius_and_sees_its_value_on_the_readings_page(
    chromium, live_server, company, ivanov, hot_water, cold_water, window_closed, width
):
    context = chromium.new_context(viewport={"width": width, "height": 844}, locale="ru-RU")
    page = context.new_page()
    page.goto(f"{live_server.url}/login/?next=/cabinet/profile/")
    page.get_by_label("Логин").fill("1000123456")
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.get_by_role("link", name="Подключить и настроить устройства").click()
    expect(page.get_by_role("heading", name="Счётчики с Wi-Fi (Ватериус)", level=1)).to_be_visible()
    page.get_by_label("Название устройства").fill("Ватериус в ванной")
    page.get_by_role("button", name="Подключить устройство").click()

    address = page.locator(".device-address__url code")
    expect(address).to_contain_text("/devices/waterius/")
    token = re.search(r"/devices/waterius/(\S+)$", address.inner_text()).group(1)
    looked_at(page, "devices-01-paired", width)

    page.get_by_label("Вход 0: прибор учёта").select_option(label="Горячая вода, прибор № 21-123456, ванная")
    page.get_by_label("Вход 1: прибор учёта").select_option(label="Холодная вода, прибор № 21-654321, ванная")
    page.get_by_label("Передавать показание входа 1 автоматически в дни приёма").uncheck()
    page.get_by_role("button", name="Сохранить настройки устройства «Ватериус в ванной»").click()
    expect(page.get_by_text("Настройки устройства «Ватериус в ванной» сохранены.")).to_be_visible()

    assert post(Client(), token, firmware_body(battery="12")).status_code == 200
    page.reload()
    expect(page.get_by_text("Батарейки садятся")).to_be_visible()
    looked_at(page, "devices-02-after-a-post", width)

    page.goto(f"{live_server.url}/cabinet/meters/")
    hot = page.locator("section.meter-card", has=page.get_by_role("heading", name="Горячая вода"))
    expect(hot).to_contain_text("123,456 м³ по данным устройства на")
    expect(hot).to_contain_text("будет передано автоматически, когда откроется приём")
    cold = page.locator("section.meter-card", has=page.get_by_role("heading", name="Холодная вода"))
    expect(cold).to_contain_text("Автоматическая передача выключена")
    looked_at(page, "devices-03-readings-page", width)
    assert Device.objects.get().inputs.count() == 2
    context.close()
