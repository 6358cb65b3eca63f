"""The profile's «Приложения и устройства» in Chromium at 390 and 1280 px: fits, axe finds
nothing, a token is revoked. Screenshots: screenshots/<width>-profile-apps-*.png."""

import pytest
from playwright.sync_api import expect

from kabinet.api import services
from kabinet.billing.tests.history import PASSWORD
from kabinet.testing_browser import accessibility_violations, go_to_cabinet_section, shoot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("published_policies"),
]


def checked(page, name: str, width: int) -> None:
    page.locator("#apps").scroll_into_view_if_needed()
    shoot(page, f"profile-apps-{name}")
    assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{name} wider than {width}px"
    assert accessibility_violations(page) == [], name


@pytest.mark.parametrize("width", [390, 1280])
def test_resident_sees_the_apps_and_revokes_one(chromium, live_server, ivanov, width):
    services.issue_token(resident=ivanov, device_name="iPhone Ивана", how="password", ip=None)
    services.issue_token(resident=ivanov, device_name="Home Assistant на даче", how="sms", ip=None)
    context = chromium.new_context(viewport={"width": width, "height": 844}, locale="ru-RU")
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Логин").fill("1000123456")
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    go_to_cabinet_section(page, "Профиль")
    apps = page.locator("#apps")
    expect(apps.get_by_role("heading", name="Приложения и устройства")).to_be_visible()
    expect(apps).to_contain_text("iPhone Ивана")
    checked(page, "01-list", width)

    apps.get_by_role("button", name="Отозвать ключ устройства «iPhone Ивана»").click()
    expect(page.get_by_text("Ключ устройства «iPhone Ивана» отозван")).to_be_visible()
    expect(page.locator("#apps")).not_to_contain_text("iPhone Ивана")
    expect(page.locator("#apps")).to_contain_text("Home Assistant на даче")
    checked(page, "02-revoked", width)
    context.close()


def test_the_api_docs_open_from_our_own_files_under_the_sites_csp(chromium, live_server, db):
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="ru-RU")
    page = context.new_page()
    problems, outside = [], []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None)
    page.goto(f"{live_server.url}/api/v1/docs/")
    expect(page.get_by_role("heading", name="Кабинет жителя: API")).to_be_visible()
    expect(page.get_by_text("/api/v1/readings/").first).to_be_visible()
    shoot(page, "api-docs")
    assert problems == [] and outside == []
    context.close()
