"""A member of staff sets up the second factor in Chromium, as they would with a phone in hand.

Screenshots land in screenshots/<width>-staff-*.png: look at them.
"""

import re
from base64 import b32decode

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from kabinet.testing_browser import accessibility_violations, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def looked_at(page, name: str) -> None:
    shoot(page, f"staff-{name}")
    assert accessibility_violations(page) == [], name
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), name


def app_code(secret: str) -> str:
    """What an authenticator app shows for the key typed into it by hand."""
    key = b32decode(secret.replace(" ", ""))
    return f"{TOTP(key).token():06d}"


@pytest.mark.parametrize("width", [390, 1280])
def test_staff_set_up_the_app_keep_the_recovery_codes_and_sign_in_with_a_code(
    chromium, live_server, operator, width
):
    context = chromium.new_context(viewport={"width": width, "height": 900}, locale="ru-RU")
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/residents/registrationrequest/")
    page.get_by_label("Имя пользователя").fill("operator")
    page.get_by_label("Пароль").fill("operator-pass-2026")
    page.get_by_role("button", name="Войти").click()

    expect(page.get_by_role("heading", name="Подключите второй фактор")).to_be_visible()
    expect(page.get_by_role("img", name="QR-код для приложения-аутентификатора")).to_be_visible()
    looked_at(page, f"01-setup-{width}")
    secret = page.locator("code").inner_text()
    page.get_by_label("Код из приложения").fill("000000")
    page.get_by_role("button", name="Подключить").click()
    expect(page.get_by_text("Код не подошёл")).to_be_visible()
    looked_at(page, f"02-setup-wrong-{width}")
    page.get_by_label("Код из приложения").fill(app_code(secret))
    page.get_by_role("button", name="Подключить").click()

    expect(page.get_by_text("Сохраните их сейчас")).to_be_visible()
    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(r"[a-z2-7]{4} [a-z2-7]{4}", code) for code in codes)
    looked_at(page, f"03-recovery-codes-{width}")
    page.get_by_role("link", name="Я сохранил коды, продолжить").click()
    expect(page.get_by_text("Заявки на регистрацию").first).to_be_visible()

    page.get_by_role("button", name="Выйти").click()
    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("Имя пользователя").fill("operator")
    page.get_by_label("Пароль").fill("operator-pass-2026")
    page.get_by_role("button", name="Войти").click()
    expect(page.get_by_role("heading", name="Подтверждение входа")).to_be_visible()
    looked_at(page, f"04-verify-{width}")
    page.get_by_label("Код").fill(codes[0])  # the phone is at home: a recovery code
    page.get_by_role("button", name="Подтвердить").click()
    expect(page.get_by_text("Рабочее место сотрудника")).to_be_visible()
    context.close()
