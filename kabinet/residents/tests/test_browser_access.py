"""«Забыли пароль?» and the profile in Chromium, at a phone's width and a desktop's.

Screenshots land in screenshots/<width>-access-*.png: look at them.
"""

import pytest
from playwright.sync_api import expect

from kabinet.core.models import User
from kabinet.residents.models import Resident, ResidentAccount
from kabinet.testing_browser import accessibility_violations, go_to_cabinet_section, shoot

from .conftest import sms_code

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("published_policies"),
]
NEW_PASSWORD = "Birch-Volga-Evening-7"


def looked_at(page, name: str) -> None:
    shoot(page, f"access-{name}")
    assert accessibility_violations(page) == [], name


@pytest.fixture
def ivanov(ivanov_account) -> Resident:
    user = User.objects.create_user("1000123456", password="Forgotten-Long-Ago-1", email="ivanov@mail.ru")
    resident = Resident.objects.create(user=user, full_name="Иванов Иван Иванович", phone="+79123456789")
    ResidentAccount.objects.create(resident=resident, account=ivanov_account)
    return resident


@pytest.mark.parametrize("width", [390, 1280])
def test_resident_resets_the_password_and_uses_the_profile(chromium, live_server, company, ivanov, width):
    context = chromium.new_context(viewport={"width": width, "height": 900}, locale="ru-RU")
    page = context.new_page()
    csp_errors = []
    page.on("console", lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None)

    page.goto(f"{live_server.url}/login/")
    page.get_by_role("link", name="Забыли пароль?").click()
    expect(page.get_by_role("heading", name="Забыли пароль?")).to_be_visible()
    looked_at(page, "01-forgot")

    page.get_by_label("Номер лицевого счета или телефон").fill("1000123456")
    page.get_by_role("button", name="Получить код").click()
    expect(page.get_by_role("heading", name="Новый пароль")).to_be_visible()
    looked_at(page, "02-code")

    page.get_by_label("Код из SMS").fill("000000")  # a slip first: the error stands beside the field
    page.get_by_label("Новый пароль", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Новый пароль (повторно)").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Сохранить новый пароль").click()
    expect(page.locator(".field__error").get_by_text("Код неверный или устарел")).to_be_visible()
    looked_at(page, "03-wrong-code")

    page.get_by_label("Код из SMS").fill(sms_code("+79123456789", "Код для восстановления пароля:"))
    page.get_by_label("Новый пароль", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Новый пароль (повторно)").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Сохранить новый пароль").click()
    expect(page.get_by_text("Пароль изменён. Войдите с новым паролем.")).to_be_visible()
    looked_at(page, "04-login-after-reset")

    page.get_by_label("Логин").fill("1000123456")
    page.get_by_label("Пароль").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Войти").click()
    expect(page.get_by_text("Здравствуйте, Иванов Иван Иванович!")).to_be_visible()

    go_to_cabinet_section(page, "Профиль")
    expect(page.get_by_role("heading", name="Профиль", exact=True)).to_be_visible()
    looked_at(page, "05-profile")

    page.get_by_label("Новый номер мобильного телефона").fill("8 999 111-22-33")
    page.get_by_role("button", name="Отправить код").click()
    expect(page.get_by_text("Код отправлен в SMS на номер +7 999 ***-**-33")).to_be_visible()
    page.get_by_label("Код из SMS на новый номер").fill(sms_code("+79991112233", "смены телефона"))
    page.get_by_role("button", name="Подтвердить новый номер").click()
    expect(page.get_by_text("Номер телефона изменён на +7 999 ***-**-33")).to_be_visible()

    page.get_by_role("radio", name="Электронная почта").check()
    page.get_by_role("button", name="Сохранить", exact=True).click()
    expect(page.get_by_text("Настройки напоминаний сохранены.")).to_be_visible()
    looked_at(page, "06-profile-saved")

    page.get_by_role("link", name="Отозвать согласие и закрыть кабинет").click()
    looked_at(page, "07-close")

    assert csp_errors == []
    context.close()
    ivanov.refresh_from_db()
    assert ivanov.phone == "+79991112233" and ivanov.reminder_channel == "email"
