"""Adding and removing a лицевой счёт in Chromium at 360, 390 and 1280 px (issue 15, item 3).

No page wider than the screen, axe-core finds nothing, the error stands beside its field with the
typed values kept. Screenshots: screenshots/<width>-accounts-*.png.
"""

import pytest
from playwright.sync_api import expect

from kabinet.billing.tests.factories import AccountFactory
from kabinet.core.models import User
from kabinet.residents.models import Resident, ResidentAccount
from kabinet.testing_browser import accessibility_violations, go_to_cabinet_section, shoot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("published_policies"),
]
PASSWORD = "Forgotten-Long-Ago-1"


def checked(page, name: str, width: int) -> None:
    shoot(page, f"accounts-{name}")
    assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{name} wider than {width}px"
    assert accessibility_violations(page) == [], name


@pytest.mark.parametrize("width", [360, 390, 1280])
def test_resident_adds_a_second_flat_and_removes_the_first(
    chromium, live_server, company, ivanov_account, width
):
    AccountFactory(
        number="1000123470",
        holder_name="Иванов Иван Иванович",
        phone="+79123456789",
        address="г. Тверь, ул. Трёхсвятская, д. 3, кв. 9",
    )
    user = User.objects.create_user("1000123456", password=PASSWORD, email="ivanov@mail.ru")
    resident = Resident.objects.create(user=user, full_name="Иванов Иван Иванович", phone="+79123456789")
    ResidentAccount.objects.create(resident=resident, account=ivanov_account)
    context = chromium.new_context(viewport={"width": width, "height": 844}, locale="ru-RU")
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Логин").fill("1000123456")
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    go_to_cabinet_section(page, "Профиль")
    expect(page.get_by_role("heading", name="Лицевые счета")).to_be_visible()
    checked(page, "01-profile", width)

    accounts = page.locator("#accounts")
    accounts.get_by_label("Номер лицевого счета").fill("1000123470")
    accounts.get_by_label("ФИО").fill("Иванов")  # a slip: the error beside the field, the number kept
    accounts.get_by_role("button", name="Подключить счёт").click()
    expect(page.locator("#accounts .field__error")).to_contain_text("Укажите фамилию, имя и отчество")
    expect(accounts.get_by_label("Номер лицевого счета")).to_have_value("1000123470")
    checked(page, "02-add-error", width)

    accounts.get_by_label("ФИО").fill("Иванов Иван Иванович")
    accounts.get_by_label("ФИО").press("Enter")  # Enter sends the form
    expect(page.get_by_text("Лицевой счёт 1000123470 подключён к кабинету")).to_be_visible()
    expect(page.locator("#accounts").get_by_text("ул. Трёхсвятская")).to_be_visible()
    checked(page, "03-added", width)

    page.locator("#accounts").get_by_role("link", name="Убрать из кабинета счёт 1000123456").click()
    expect(page.get_by_role("heading", name="Убрать лицевой счёт из кабинета")).to_be_visible()
    checked(page, "04-remove-confirm", width)
    page.get_by_role("button", name="Убрать счёт 1000123456").click()
    expect(page.get_by_text("Лицевой счёт 1000123456 убран из кабинета")).to_be_visible()
    expect(page.get_by_text("Единственный счёт убрать из кабинета нельзя")).to_be_visible()
    checked(page, "05-removed", width)
    context.close()
    assert [link.account.number for link in resident.account_links.all()] == ["1000123470"]
