"""The seed's procedure through Django's test client, as a resident walks it."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from kabinet.residents.models import RegistrationRequest
from kabinet.residents.services import registration
from kabinet.testing import IVANOV, last_sms_code, registration_post

pytestmark = pytest.mark.django_db
REGISTER = "/registration/"


def field_error(response, field: str) -> str:
    """The error text shown beside the field: the element the input's aria-describedby names."""
    html = response.content.decode()
    match = re.search(rf'<p class="field__error" id="id_{field}_error">(.*?)</p>', html, re.S)
    assert match, f"no error beside {field}"
    assert (
        f'aria-describedby="id_{field}_helptext id_{field}_error"' in html
        or f'aria-describedby="id_{field}_error"' in html
    )
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


class TestRequestForm:
    def test_form_has_the_seed_fields_with_real_labels_and_hints(self, client, company):
        html = client.get(REGISTER).content.decode()

        for field, label in [
            ("full_name", "ФИО"),
            ("account_number", "Номер лицевого счета"),
            ("phone", "Номер мобильного телефона"),
            ("email", "Адрес электронной почты"),
            ("password1", "Пароль"),
            ("password2", "Пароль (повторно)"),
        ]:
            assert f'<label for="id_{field}">{label}</label>' in html
        assert "например, 1000123456" in html
        assert "На данный номер вам будет направлен код для подтверждения регистрации" in html
        assert "идентификации ответственного квартиросъемщика" in html

    def test_form_shows_captcha_policy_consents_and_submit_button(self, client, company):
        html = client.get(REGISTER).content.decode()

        assert re.search(r'<img class="captcha-image" src="/captcha/image/\w+/"', html)
        assert "Показать другую картинку" in html
        assert 'class="policy-box"' in html and "152-ФЗ" in html
        assert "Настоящее положение принимаю" in html
        assert "Даю согласие на обработку персональных данных" in html
        assert reverse("residents:policy", args=["consent"]) in html
        assert re.search(
            r'<button type="submit"[^>]*data-requires="id_accept_policy id_accept_consent"[^>]*>'
            r"Отправить заявку",
            html,
        )
        assert "У меня есть код подтверждения" in html

    def test_captcha_refresh_without_javascript_keeps_typed_data(self, client, company):
        first = client.get(REGISTER).content.decode()
        old_key = re.search(r'name="captcha_0" value="(\w+)"', first).group(1)

        response = client.post(
            REGISTER, {**IVANOV, "captcha_0": old_key, "captcha_1": "12", "captcha_refresh": "1"}
        )

        html = response.content.decode()
        assert response.status_code == 200
        assert 'value="Иванов Иван Иванович"' in html
        assert 'value="1000123456"' in html
        assert 'value="ivanov@mail.ru"' in html
        # The passwords stay typed in, on a page that no cache keeps.
        assert html.count('value="Sunflower-Tver-1961"') == 2
        assert "no-store" in response["Cache-Control"]
        assert old_key not in html
        assert 'class="field__error"' not in html
        assert RegistrationRequest.objects.count() == 0

    def test_captcha_refresh_with_javascript_gives_a_new_picture(self, client, company):
        response = client.get("/captcha/refresh/", headers={"x-requested-with": "XMLHttpRequest"})

        data = response.json()
        assert data["image_url"].startswith("/captcha/image/") and data["key"]


class TestValidation:
    def test_wrong_captcha_is_reported_beside_it_and_data_kept(self, client, company, ivanov_account):
        response = client.post(REGISTER, registration_post(captcha_1="00000"))

        assert "Цифры с картинки введены неверно" in field_error(response, "captcha")
        assert 'value="Иванов Иван Иванович"' in response.content.decode()
        assert RegistrationRequest.objects.count() == 0

    @pytest.mark.parametrize("box", ["accept_policy", "accept_consent"])
    def test_request_without_consent_is_refused_by_the_server(self, client, company, ivanov_account, box):
        data = registration_post()
        del data[box]

        response = client.post(REGISTER, data)

        assert "Чтобы отправить заявку" in field_error(response, box)
        assert RegistrationRequest.objects.count() == 0

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("full_name", "Иванов", "фамилию, имя и отчество"),
            ("full_name", "<script>alert(1)</script>", "фамилию, имя и отчество"),
            ("account_number", "12 34 !!", "Номер лицевого счета указан неверно"),
            ("phone", "8-123-456-7896", "мобильного телефона"),
            ("email", "ivanov@", "Адрес электронной почты указан неверно"),
            ("password2", "something-else-2024", "Пароли не совпадают"),
        ],
    )
    def test_bad_field_gets_a_russian_message_beside_it(
        self, client, company, ivanov_account, field, value, message
    ):
        response = client.post(REGISTER, registration_post(**{field: value}))

        assert response.status_code == 200
        assert message in field_error(response, field)
        assert RegistrationRequest.objects.count() == 0

    @pytest.mark.parametrize("password", ["1234567", "qwerty123", "1000123456"])
    def test_weak_password_is_refused_with_the_reason(self, client, company, ivanov_account, password):
        response = client.post(REGISTER, registration_post(password1=password, password2=password))

        assert field_error(response, "password1")
        assert RegistrationRequest.objects.count() == 0

    @pytest.mark.parametrize(
        "phone", ["8-912-345-67-89", "+7 (912) 345-67-89", "89123456789", "912 345 67 89"]
    )
    def test_phone_is_accepted_as_people_write_it_and_stored_as_e164(
        self, client, company, ivanov_account, phone
    ):
        client.post(REGISTER, registration_post(phone=phone))

        assert RegistrationRequest.objects.get().phone == "+79123456789"

    def test_second_request_for_a_pending_account_gets_a_clear_answer(self, client, company, ivanov_account):
        client.post(REGISTER, registration_post(full_name="Иванова Мария Петровна"))

        response = client.post(REGISTER, registration_post(full_name="Петров Пётр Петрович"))

        assert "заявка уже подана и проверяется" in field_error(response, "account_number")
        assert RegistrationRequest.objects.count() == 1

    def test_request_for_a_registered_account_points_to_login(self, client, company, ivanov_account):
        complete_registration(client)

        response = client.post(REGISTER, registration_post())

        assert "уже зарегистрирован" in field_error(response, "account_number")


class TestWholeProcedure:
    def test_pending_request_shows_the_seed_information_window(self, client, company, ivanov_account):
        response = client.post(REGISTER, registration_post(full_name="Иванова Мария Петровна"), follow=True)

        html = response.content.decode()
        assert "Заявка отправлена на проверку" in html
        assert '<dialog class="info-window" open' in html
        assert "Обращаем Ваше внимание то, что обработка Вашей заявки займёт некоторое время." in html
        assert "Заявка на регистрацию может обрабатываться от нескольких минут до трех суток." in html

    def test_resident_registers_confirms_the_code_and_logs_in(self, client, company, ivanov_account):
        response = client.post(REGISTER, registration_post(), follow=True)
        assert (
            "SMS с кодом подтверждения придёт на номер <strong>+7 912 ***-**-89</strong>"
            in response.content.decode()
        )

        page = client.get(reverse("residents:confirm_code")).content.decode()
        assert 'value="1000123456"' in page  # the account number is remembered from the request

        response = client.post(
            reverse("residents:confirm_code"),
            {"account_number": "1000123456", "code": last_sms_code()},
            follow=True,
        )
        assert "Регистрация завершена" in response.content.decode()

        response = client.post(
            reverse("residents:login"),
            {"username": "1000123456", "password": IVANOV["password1"]},
            follow=True,
        )
        html = response.content.decode()
        assert "Иванов Иван Иванович" in html
        assert "г. Тверь, ул. Советская, д. 12, кв. 5" in html
        assert "1000123456" in html

    def test_wrong_code_is_reported_beside_the_code_field(self, client, company, ivanov_account):
        client.post(REGISTER, registration_post())
        code = last_sms_code()
        wrong = f"{(int(code) + 1) % 1_000_000:06d}"

        response = client.post(
            reverse("residents:confirm_code"), {"account_number": "1000123456", "code": wrong}
        )

        assert "Неверный код" in field_error(response, "code")

    def test_code_for_an_account_without_approved_request_is_explained(self, client, company, ivanov_account):
        response = client.post(
            reverse("residents:confirm_code"), {"account_number": "1000123456", "code": "123456"}
        )

        assert "нет заявки, которая ждёт кода" in field_error(response, "account_number")

    def test_new_code_is_refused_during_the_cooldown_then_sent(self, client, company, ivanov_account):
        client.post(REGISTER, registration_post())

        response = client.post(reverse("residents:resend_code"), {"account_number": "1000123456"})

        assert "Новый код можно запросить через" in field_error(response, "code")


def complete_registration(client) -> None:
    client.post(REGISTER, registration_post())
    client.post(reverse("residents:confirm_code"), {"account_number": "1000123456", "code": last_sms_code()})
    client.logout()


def test_rejected_applicant_sees_the_reason_and_can_apply_again(client, company, ivanov_account, operator):
    client.post(REGISTER, registration_post(full_name="Иванова Мария Петровна"))
    request = RegistrationRequest.objects.get()
    registration.reject_request(registration_request=request, staff=operator, reason="ФИО не совпадает.")

    html = client.get(reverse("residents:request_sent")).content.decode()

    assert "Причина: ФИО не совпадает." in html
    assert f'href="{REGISTER}">Подать заявку снова' in html


def test_the_page_named_in_the_rejection_sms_shows_the_whole_reason_in_any_browser(
    client, company, ivanov_account, operator
):
    client.post(REGISTER, registration_post(full_name="Иванова Мария Петровна"))
    request = RegistrationRequest.objects.get()
    reason = "ФИО в заявке не совпадает с ФИО в квитанции. Укажите ФИО так, как в квитанции. " * 2
    registration.reject_request(registration_request=request, staff=operator, reason=reason)
    request.refresh_from_db()

    other_browser = Client()
    page = other_browser.get(f"/registration/{request.status_token}/")

    assert page.status_code == 200
    assert reason.strip() in " ".join(page.content.decode().split())
    assert f'href="{REGISTER}">Подать заявку снова' in page.content.decode()


def test_a_guessed_address_of_a_request_page_opens_nothing(client, company, ivanov_account, operator):
    client.post(REGISTER, registration_post(full_name="Иванова Мария Петровна"))

    assert client.get("/registration/abcdefghij/").status_code == 404


class TestCorrectingErrors:
    """Issue 15 (7): correcting an error costs the resident as little as it safely can."""

    @pytest.mark.parametrize(
        ("password", "message"),
        [
            ("1234567", "Пароль слишком короткий"),
            ("qwerty123", "легко угадать"),
            ("ivanov-ivan", "похож на ваше имя или адрес почты"),
            ("1000123456", "Пароль похож на номер лицевого счёта"),
        ],
    )
    def test_a_weak_password_gets_one_plain_message(self, client, company, ivanov_account, password, message):
        response = client.post(REGISTER, registration_post(password1=password, password2=password))

        shown = field_error(response, "password1")
        assert message in shown
        html = response.content.decode()
        assert html.count('class="field__error"') == 1
        assert "имя пользователя" not in html and "Этот пароль" not in shown

    def test_the_summary_lists_each_error_as_a_link_to_its_field(self, client, company, ivanov_account):
        response = client.post(REGISTER, registration_post(full_name="Иванов", email="ivanov@"))

        html = response.content.decode()
        summary = re.search(r'<div class="form-errors error-summary".*?</div>', html, re.S).group(0)
        assert '<a href="#id_full_name">ФИО: Укажите фамилию, имя и отчество' in summary
        assert (
            '<a href="#id_email">Адрес электронной почты: Адрес электронной почты указан неверно' in summary
        )
        assert "красным" not in html

    def test_after_another_fields_error_the_solved_captcha_and_passwords_are_not_asked_again(
        self, client, company, ivanov_account
    ):
        refused = client.post(REGISTER, registration_post(email="ivanov@"))

        html = refused.content.decode()
        assert 'name="captcha_1"' not in html
        assert "Цифры с картинки вы уже ввели верно" in html
        assert html.count('value="Sunflower-Tver-1961"') == 2
        data = {k: v for k, v in registration_post().items() if not k.startswith("captcha")}
        accepted = client.post(REGISTER, data)
        assert accepted.status_code == 302
        assert RegistrationRequest.objects.count() == 1

    def test_the_captcha_is_waived_for_one_retry_only(self, client, company, ivanov_account):
        client.post(REGISTER, registration_post(email="ivanov@"))
        no_captcha = {
            k: v for k, v in registration_post(email="ivanov@").items() if not k.startswith("captcha")
        }

        retry = client.post(REGISTER, no_captcha)  # the one retry: still a bad address
        again = client.post(REGISTER, {**no_captcha, "email": "ivanov@mail.ru"})

        assert 'name="captcha_1"' in retry.content.decode()  # a new picture for the next one
        assert "Введите цифры с картинки" in field_error(again, "captcha")
        assert RegistrationRequest.objects.count() == 0

    def test_the_retry_belongs_to_the_session_that_solved_the_captcha(self, client, company, ivanov_account):
        client.post(REGISTER, registration_post(email="ivanov@"))
        no_captcha = {k: v for k, v in registration_post().items() if not k.startswith("captcha")}

        other = Client().post(REGISTER, no_captcha)

        assert "Введите цифры с картинки" in field_error(other, "captcha")
        assert RegistrationRequest.objects.count() == 0

    def test_a_refused_password_is_not_sent_back(self, client, company, ivanov_account):
        response = client.post(REGISTER, registration_post(password2="something-else-2024"))

        assert "Sunflower" not in response.content.decode()
        assert "something-else" not in response.content.decode()

    def test_enter_sends_the_form_its_first_submit_button_is_the_default(self, client, company):
        html = client.get(REGISTER).content.decode()
        form = html[html.index('<form method="post" action="/registration/"') :]
        first_button = re.search(r"<button[^>]*>", form).group(0)
        assert 'type="submit"' in first_button and "captcha_refresh" not in first_button
