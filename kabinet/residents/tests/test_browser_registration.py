"""The seed's procedure in Chromium, as a resident walks it, with the operator's check between.

Screenshots of every page land in screenshots/ at 1280 and 390 px: look at them.
"""

import pytest
from captcha.models import CaptchaStore
from playwright.sync_api import expect

from kabinet.testing import IVANOV, last_sms_code
from kabinet.testing_browser import accessibility_violations, shoot, sign_in_to_back_office

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("published_policies"),
]


def looked_at(page, name: str) -> None:
    """Every page the resident sees is photographed and passes the axe-core check."""
    shoot(page, name)
    assert accessibility_violations(page) == [], name


def fill_request(page) -> None:
    page.get_by_label("ФИО").fill(IVANOV["full_name"])
    page.get_by_label("Номер лицевого счета").fill(IVANOV["account_number"])
    page.get_by_label("Номер мобильного телефона").fill(IVANOV["phone"])
    page.get_by_label("Адрес электронной почты").fill(IVANOV["email"])
    page.get_by_label("Пароль", exact=True).fill(IVANOV["password1"])
    page.get_by_label("Пароль (повторно)").fill(IVANOV["password2"])


def captcha_answer(page) -> str:
    key = page.locator("input[name=captcha_0]").input_value()
    return CaptchaStore.objects.get(hashkey=key).response


def refresh_captcha_keeps_typed_data(page) -> None:
    picture = page.locator("img.captcha-image")
    old = picture.get_attribute("src")
    page.get_by_role("button", name="Показать другую картинку").click()
    expect(picture).not_to_have_attribute("src", old)
    expect(page.get_by_label("ФИО")).to_have_value(IVANOV["full_name"])
    expect(page.get_by_label("Номер лицевого счета")).to_have_value(IVANOV["account_number"])
    expect(page.get_by_label("Пароль (повторно)")).to_have_value(IVANOV["password2"])


def submit_is_inactive_until_both_boxes_are_ticked(page) -> None:
    submit = page.get_by_role("button", name="Отправить заявку")
    expect(submit).to_be_disabled()
    page.get_by_label("Настоящее положение принимаю").check()
    expect(submit).to_be_disabled()
    page.get_by_label("Даю согласие на обработку персональных данных").check()
    expect(submit).to_be_enabled()


def operator_approves(chromium, base: str, operator) -> None:
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="ru-RU")
    page = context.new_page()
    page.goto(f"{base}/admin/residents/registrationrequest/")
    sign_in_to_back_office(page, operator, "operator-pass-2026")
    expect(page.get_by_text("Иванов Иван Иванович")).to_be_visible()
    shoot(page, "admin-01-queue")
    page.get_by_role("link", name="Иванов Иван Иванович").click()
    shoot(page, "admin-02-request")
    page.get_by_role("button", name="Одобрить и отправить код").click()
    expect(page.get_by_text("код подтверждения отправлен в SMS")).to_be_visible()
    context.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_resident_walks_the_seed_procedure(chromium, live_server, company, ivanov_account, operator, width):
    company.auto_approve_registrations = False  # the seed's way: an operator checks every request
    company.save()
    context = chromium.new_context(viewport={"width": width, "height": 900}, locale="ru-RU")
    page = context.new_page()

    page.goto(live_server.url + "/")
    looked_at(page, "01-home")
    page.get_by_role("link", name="Регистрация", exact=True).click()
    expect(page.get_by_role("heading", name="Заявка на регистрацию")).to_be_visible()
    looked_at(page, "02-request-form")

    fill_request(page)
    submit_is_inactive_until_both_boxes_are_ticked(page)
    refresh_captcha_keeps_typed_data(page)
    page.get_by_label("Введите цифры с картинки").fill(captcha_answer(page))
    shoot(page, "03-request-filled")
    page.get_by_role("button", name="Отправить заявку").click()

    window = page.get_by_role("dialog")
    expect(window).to_contain_text(
        "Заявка на регистрацию может обрабатываться от нескольких минут до трех суток."
    )
    shoot(page, "04-information-window")
    window.get_by_role("button", name="Понятно").click()
    expect(window).to_be_hidden()
    looked_at(page, "05-request-sent")

    operator_approves(chromium, live_server.url, operator)

    page.get_by_role("link", name="У меня есть код подтверждения").click()
    expect(page.get_by_label("Номер лицевого счета")).to_have_value("1000123456")
    page.get_by_label("Код подтверждения").fill(last_sms_code())
    looked_at(page, "06-code")
    page.get_by_role("button", name="Подтвердить регистрацию").click()
    expect(page.get_by_role("heading", name="Регистрация завершена")).to_be_visible()
    looked_at(page, "07-done")

    page.get_by_role("link", name="Войти в личный кабинет").click()
    expect(page.get_by_label("Логин")).to_have_value("1000123456")
    page.get_by_label("Пароль").fill(IVANOV["password1"])
    looked_at(page, "08-login")
    page.get_by_role("button", name="Войти").click()
    expect(page.get_by_text("Здравствуйте, Иванов Иван Иванович!")).to_be_visible()
    expect(page.get_by_text(ivanov_account.address, exact=True)).to_be_visible()
    looked_at(page, "09-cabinet")
    context.close()


def test_form_without_javascript_keeps_data_on_a_new_picture(chromium, live_server, company):
    context = chromium.new_context(java_script_enabled=False, viewport={"width": 390, "height": 900})
    page = context.new_page()
    page.goto(live_server.url + "/registration/")
    fill_request(page)
    submit = page.get_by_role("button", name="Отправить заявку")
    expect(submit).to_be_enabled()  # without JavaScript the server checks the boxes

    page.get_by_role("button", name="Показать другую картинку").click()

    expect(page.get_by_label("ФИО")).to_have_value(IVANOV["full_name"])
    expect(page.get_by_label("Адрес электронной почты")).to_have_value(IVANOV["email"])
    submit.click()
    expect(
        page.get_by_text("Чтобы отправить заявку, примите Положение о конфиденциальности.", exact=True)
    ).to_be_visible()
    shoot(page, "nojs-errors")
    context.close()


@pytest.mark.parametrize("javascript", [True, False])
@pytest.mark.parametrize("width", [360, 390, 1280])
def test_enter_in_the_captcha_field_sends_the_form(
    chromium, live_server, company, ivanov_account, width, javascript
):
    """Issue 15 (1): Enter (or «Готово» on a phone keyboard) sends the form, never the refresh."""
    context = chromium.new_context(viewport={"width": width, "height": 844}, java_script_enabled=javascript)
    page = context.new_page()
    page.goto(live_server.url + "/registration/")
    fill_request(page)
    page.get_by_label("Настоящее положение принимаю").check()
    page.get_by_label("Даю согласие на обработку персональных данных").check()
    page.get_by_label("Введите цифры с картинки").fill(captcha_answer(page))

    page.get_by_label("Введите цифры с картинки").press("Enter")

    expect(page).to_have_url(live_server.url + "/registration/sent/")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    context.close()


@pytest.mark.parametrize("width", [360, 390, 1280])
def test_an_error_is_corrected_without_typing_the_passwords_or_the_captcha_again(
    chromium, live_server, company, ivanov_account, width
):
    """Issue 15 (7): the summary links to the field; the passwords and the solved CAPTCHA stay."""
    context = chromium.new_context(viewport={"width": width, "height": 844}, locale="ru-RU")
    page = context.new_page()
    page.goto(live_server.url + "/registration/")
    fill_request(page)
    page.get_by_label("Адрес электронной почты").fill("ivanov@")
    page.get_by_label("Настоящее положение принимаю").check()
    page.get_by_label("Даю согласие на обработку персональных данных").check()
    page.get_by_label("Введите цифры с картинки").fill(captcha_answer(page))
    page.get_by_label("Адрес электронной почты").press("Enter")

    summary = page.get_by_role("alert").filter(has_text="Заявка не отправлена")
    expect(summary).to_be_focused()
    looked_at(page, "i15-registration-error")
    summary.get_by_role(
        "link", name="Адрес электронной почты: Адрес электронной почты указан неверно"
    ).click()
    expect(page.get_by_label("Адрес электронной почты")).to_be_focused()
    expect(page.get_by_label("Пароль", exact=True)).to_have_value(IVANOV["password1"])
    expect(page.get_by_text("Цифры с картинки вы уже ввели верно")).to_be_visible()
    page.get_by_label("Адрес электронной почты").fill(IVANOV["email"])
    page.keyboard.press("Enter")

    expect(page).to_have_url(live_server.url + "/registration/sent/")
    context.close()
