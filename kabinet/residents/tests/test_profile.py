"""Profile: e-mail, phone confirmed by SMS, password, reminders, withdrawing consent."""

import pytest
from django.test import Client
from django.urls import reverse

from kabinet.audit.models import AuditEntry
from kabinet.billing.models import Account
from kabinet.core.models import User
from kabinet.messaging.models import OutboxMessage
from kabinet.residents.models import Consent, Resident, ResidentAccount
from kabinet.residents.selectors import registration_state
from kabinet.testing import submit_request

from .conftest import PASSWORD, sms_code

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Birch-Volga-Evening-7"
PHONE_SMS = "Код для смены телефона в личном кабинете:"


@pytest.fixture
def signed_in(client, company, registered_ivanov) -> Client:
    client.force_login(registered_ivanov.user)
    return client


def test_profile_is_in_the_cabinet_menu_and_shows_the_contacts(signed_in, registered_ivanov):
    html = signed_in.get(reverse("residents:cabinet")).content.decode()
    assert reverse("residents:profile") in html

    html = signed_in.get(reverse("residents:profile")).content.decode()
    assert 'aria-current="page">Профиль' in html
    assert "ivanov@mail.ru" in html
    assert "+7 912 ***-**-89" in html


def test_profile_needs_login(client, company):
    response = client.get(reverse("residents:profile"))

    assert response["Location"].startswith(reverse("residents:login"))


def test_resident_changes_the_email(signed_in, registered_ivanov):
    response = signed_in.post(reverse("residents:profile_email"), {"email": "ivan@yandex.ru"}, follow=True)

    assert "Адрес электронной почты сохранён" in response.content.decode()
    registered_ivanov.user.refresh_from_db()
    assert registered_ivanov.user.email == "ivan@yandex.ru"
    assert AuditEntry.objects.filter(action=AuditEntry.Action.EMAIL_CHANGED).exists()


def test_bad_email_is_refused_beside_the_field(signed_in, registered_ivanov):
    html = signed_in.post(reverse("residents:profile_email"), {"email": "ivanov@"}).content.decode()

    assert "Адрес электронной почты указан неверно" in html
    registered_ivanov.user.refresh_from_db()
    assert registered_ivanov.user.email == "ivanov@mail.ru"


def test_new_phone_is_confirmed_by_a_code_sent_to_it(signed_in, registered_ivanov):
    signed_in.post(reverse("residents:profile_phone"), {"phone": "8 (999) 111-22-33"})
    registered_ivanov.refresh_from_db()
    assert registered_ivanov.phone == "+79123456789"  # not yet: the code has not come back

    code = sms_code("+79991112233", PHONE_SMS)
    response = signed_in.post(reverse("residents:profile_phone_code"), {"code": code}, follow=True)

    assert "Номер телефона изменён" in response.content.decode()
    registered_ivanov.refresh_from_db()
    assert registered_ivanov.phone == "+79991112233"
    assert AuditEntry.objects.filter(action=AuditEntry.Action.PHONE_CHANGED).exists()


def test_wrong_phone_code_leaves_the_phone_and_counts_attempts(signed_in, registered_ivanov):
    signed_in.post(reverse("residents:profile_phone"), {"phone": "+79991112233"})
    code = sms_code("+79991112233", PHONE_SMS)
    wrong = f"{(int(code) + 1) % 1000000:06d}"

    html = signed_in.post(reverse("residents:profile_phone_code"), {"code": wrong}).content.decode()

    assert "Неверный код" in html and "Осталось попыток: 4" in html
    registered_ivanov.refresh_from_db()
    assert registered_ivanov.phone == "+79123456789"


def test_phone_that_is_not_a_mobile_number_is_refused(signed_in):
    html = signed_in.post(reverse("residents:profile_phone"), {"phone": "12345"}).content.decode()

    assert "Укажите номер мобильного телефона" in html
    assert not OutboxMessage.objects.filter(channel="sms").exists()


def test_password_change_keeps_this_session_ends_others_and_sends_an_email(signed_in, registered_ivanov):
    other_device = Client()
    other_device.force_login(registered_ivanov.user)
    data = {"old_password": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}

    response = signed_in.post(reverse("residents:profile_password"), data, follow=True)

    assert "Пароль изменён" in response.content.decode()
    assert signed_in.get(reverse("residents:profile")).status_code == 200
    assert other_device.get(reverse("residents:profile")).status_code == 302
    letter = OutboxMessage.objects.get(channel="email")
    assert letter.subject == "Пароль от личного кабинета изменён"
    assert "изменён в профиле" in letter.body
    assert NEW_PASSWORD not in letter.body + letter.html_body


def test_password_change_needs_the_current_password(signed_in, registered_ivanov):
    data = {"old_password": "not-my-password", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}

    html = signed_in.post(reverse("residents:profile_password"), data).content.decode()

    assert "Текущий пароль введён неверно" in html
    registered_ivanov.user.refresh_from_db()
    assert registered_ivanov.user.check_password(PASSWORD)


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("qwerty123", "легко угадать"),
        ("short7!", "слишком короткий"),
        ("ls1000123456", "похож на номер лицевого счёта"),
        ("tel-89123456789", "похож на номер телефона"),
        ("ИвановИван", "похож на ваше имя"),
    ],
)
def test_weak_new_password_is_refused_saying_why(signed_in, registered_ivanov, password, why):
    data = {"old_password": PASSWORD, "password1": password, "password2": password}
    registered_ivanov.user.first_name = "Иванов Иван Иванович"
    registered_ivanov.user.save()

    html = signed_in.post(reverse("residents:profile_password"), data).content.decode()

    assert why in html
    registered_ivanov.user.refresh_from_db()
    assert registered_ivanov.user.check_password(PASSWORD)


def test_reminder_channel_is_chosen_in_the_profile(signed_in, registered_ivanov):
    signed_in.post(reverse("residents:profile_notifications"), {"reminder_channel": "email"})
    registered_ivanov.refresh_from_db()
    assert registered_ivanov.reminder_channel == "email"

    html = signed_in.post(reverse("residents:profile_notifications"), {"reminder_channel": "pigeon"})
    assert "Выберите один из вариантов" in html.content.decode()
    registered_ivanov.refresh_from_db()
    assert registered_ivanov.reminder_channel == "email"


@pytest.mark.usefixtures("published_policies")
def test_closing_the_cabinet_withdraws_consent_and_removes_personal_data(client, company, ivanov_account):
    from kabinet.residents.services import registration

    from .conftest import sms_code as code_from

    request = submit_request()
    registration.confirm_registration(
        registration_request=request,
        code=code_from("+79123456789", "Код подтверждения регистрации:"),
        ip="203.0.113.7",
    )
    resident = Resident.objects.get()
    client.force_login(resident.user)

    refused = client.post(reverse("residents:close_cabinet"), {"password": "Sunflower-Tver-1961"})
    assert "Отметьте, что вы понимаете последствия" in refused.content.decode()

    data = {"password": "Sunflower-Tver-1961", "confirm": "on"}
    response = client.post(reverse("residents:close_cabinet"), data, follow=True)

    assert "Личный кабинет закрыт" in response.content.decode()
    resident.refresh_from_db()
    user = User.objects.get(pk=resident.user_id)
    assert not user.is_active and not user.has_usable_password() and user.email == ""
    assert resident.full_name == "Кабинет закрыт" and resident.phone == ""
    request.refresh_from_db()
    assert (request.full_name, request.phone, request.email, request.ip_address) == (
        "Кабинет закрыт",
        "",
        "",
        None,
    )
    assert Consent.objects.filter(resident=resident).count() == 2
    assert not Consent.objects.filter(resident=resident, withdrawn_at=None).exists()
    assert not ResidentAccount.objects.exists()
    assert Account.objects.filter(number="1000123456").exists()  # the company's record of the flat stays
    entry = AuditEntry.objects.get(action=AuditEntry.Action.CABINET_CLOSED)
    assert "1000123456" in entry.target
    assert client.get(reverse("residents:cabinet")).status_code == 302
    assert not client.login(username="1000123456", password="Sunflower-Tver-1961")
    assert registration_state("1000123456") is None  # the flat can be registered by its next holder


def test_closing_needs_the_password(signed_in, registered_ivanov):
    data = {"password": "wrong", "confirm": "on"}

    html = signed_in.post(reverse("residents:close_cabinet"), data).content.decode()

    assert "Пароль введён неверно" in html
    registered_ivanov.user.refresh_from_db()
    assert registered_ivanov.user.is_active
