"""A further лицевой счёт from the profile (SPEC §3, issue 15 item 3), and removing one."""

import pytest
from django.test import Client
from django.urls import reverse

from kabinet.audit.models import AuditEntry
from kabinet.billing.tests.factories import AccountFactory
from kabinet.core.models import User
from kabinet.messaging.models import OutboxMessage
from kabinet.residents.models import RegistrationRequest, Resident, ResidentAccount
from kabinet.residents.services import registration
from kabinet.testing import sign_in_staff

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db
ADD = reverse("residents:profile_account_add")
PROFILE = reverse("residents:profile")


@pytest.fixture
def second_flat(db):
    """Ivanov's other flat: the billing data has him as the holder, with his phone."""
    return AccountFactory(
        number="1000123470",
        holder_name="Иванов Иван Иванович",
        phone="+79123456789",
        address="г. Тверь, ул. Трёхсвятская, д. 3, кв. 9",
    )


@pytest.fixture
def signed_in(client, company, registered_ivanov) -> Client:
    client.force_login(registered_ivanov.user)
    return client


def add(client: Client, number: str = "1000123470", full_name: str = "Иванов Иван Иванович"):
    return client.post(ADD, {"account_number": number, "full_name": full_name}, follow=True)


def test_profile_offers_to_add_an_account_with_the_residents_name_filled_in(signed_in):
    html = signed_in.get(PROFILE).content.decode()

    assert "Подключить ещё один лицевой счёт" in html
    assert 'value="Иванов Иван Иванович"' in html
    assert f'action="{ADD}"' in html


def test_opening_the_add_address_itself_leads_to_the_profiles_form(signed_in):
    response = signed_in.get(ADD)

    assert response.status_code == 302
    assert response["Location"] == f"{PROFILE}#accounts"


def test_a_matching_account_joins_the_cabinet_at_once(signed_in, registered_ivanov, second_flat):
    html = add(signed_in, number="1000 123 470").content.decode()

    assert "Лицевой счёт 1000123470 подключён к кабинету" in html
    assert "ул. Трёхсвятская" in html  # in the account switcher and the profile's list
    assert ResidentAccount.objects.filter(resident=registered_ivanov, account=second_flat).exists()
    letter = OutboxMessage.objects.get(channel="email", recipient="ivanov@mail.ru")
    assert "Лицевой счёт 1000123470 подключён" in letter.subject
    entry = AuditEntry.objects.get(action=AuditEntry.Action.ACCOUNT_ADDED)
    assert entry.target == "1000123470"
    # The cabinet switches to it, and a sign-in with its number opens the same cabinet.
    assert signed_in.get(reverse("billing:charges"), {"account": "1000123470"}).status_code == 200
    assert Client().login(username="1000123470", password=PASSWORD)


def test_a_name_that_does_not_match_goes_to_the_operators_queue(signed_in, registered_ivanov, second_flat):
    html = add(signed_in, full_name="Иванова Мария Петровна").content.decode()

    assert "передана на проверку сотруднику" in html
    assert "Заявка на подключение счёта 1000123470" in html and "на проверке у сотрудника" in html
    assert not ResidentAccount.objects.filter(account=second_flat).exists()
    request = RegistrationRequest.objects.get(account_number="1000123470")
    assert request.adds_account and request.resident == registered_ivanov
    assert request.status == RegistrationRequest.Status.PENDING
    assert (request.name_matches, request.phone_matches) == (False, True)
    assert AuditEntry.objects.filter(action=AuditEntry.Action.ACCOUNT_REQUESTED).exists()


def test_another_phone_in_the_billing_data_goes_to_the_queue(signed_in, second_flat):
    second_flat.phone = "+79990001122"
    second_flat.save()

    add(signed_in)

    request = RegistrationRequest.objects.get(account_number="1000123470")
    assert request.status == RegistrationRequest.Status.PENDING
    assert request.phone_matches is False


def test_with_automatic_approval_off_every_account_waits_for_an_operator(signed_in, company, second_flat):
    company.auto_approve_registrations = False
    company.save()

    add(signed_in)

    assert RegistrationRequest.objects.get(account_number="1000123470").status == "pending"
    assert not ResidentAccount.objects.filter(account=second_flat).exists()


def test_operator_approves_and_the_account_joins_the_cabinet(
    signed_in, registered_ivanov, second_flat, operator
):
    add(signed_in, full_name="Иванов Иван")
    request = RegistrationRequest.objects.get(account_number="1000123470")
    staff = Client()
    sign_in_staff(staff, operator)

    queue = staff.get("/admin/residents/registrationrequest/").content.decode()
    page = staff.get(f"/admin/residents/registrationrequest/{request.pk}/change/").content.decode()
    answer = staff.post(f"/admin/residents/registrationrequest/{request.pk}/approve/", follow=True)

    assert "подключение ещё одного лицевого счёта" in queue
    assert "Одобрить и подключить счёт" in page
    assert "лицевой счёт подключён к кабинету жителя" in answer.content.decode()
    assert ResidentAccount.objects.get(account=second_flat).resident == registered_ivanov
    request.refresh_from_db()
    assert request.status == RegistrationRequest.Status.COMPLETED
    assert not OutboxMessage.objects.filter(channel="sms").exists()  # no code: he is signed in already
    assert "1000123470" in signed_in.get(PROFILE).content.decode()


def test_a_rejection_names_the_request_for_what_it_was(signed_in, second_flat, operator):
    add(signed_in, full_name="Иванов Иван")
    request = RegistrationRequest.objects.get(account_number="1000123470")

    registration.reject_request(registration_request=request, staff=operator, reason="ФИО не совпадает.")

    sms = OutboxMessage.objects.get(channel="sms")
    assert sms.body.startswith("Заявка на подключение лицевого счёта отклонена. Причина — в письме")
    letter = OutboxMessage.objects.get(channel="email", subject__contains="отклонена")
    assert letter.subject == "Заявка на подключение лицевого счёта отклонена"
    assert "ФИО не совпадает." in letter.body
    request.refresh_from_db()
    html = signed_in.get(PROFILE).content.decode()
    assert "отклонена" in html and f"/registration/{request.status_token}/" in html
    status_page = Client().get(f"/registration/{request.status_token}/").content.decode()
    assert "Заявка на подключение лицевого счёта отклонена" in status_page


def test_an_account_of_another_cabinet_is_refused_beside_the_field(signed_in, neighbour_account):
    user = User.objects.create_user("1000123457", password="Other-Flat-2026")
    neighbour = Resident.objects.create(user=user, full_name="Петрова Анна Сергеевна", phone="+79005554433")
    ResidentAccount.objects.create(resident=neighbour, account=neighbour_account)

    response = add(signed_in, number="1000123457", full_name="Петрова Анна Сергеевна")

    html = response.content.decode()
    assert "подключён к другому личному кабинету" in html
    assert 'value="1000123457"' in html and 'value="Петрова Анна Сергеевна"' in html  # nothing lost
    assert not RegistrationRequest.objects.exists()


def test_an_account_already_in_the_cabinet_is_refused(signed_in):
    html = add(signed_in, number="1000123456").content.decode()

    assert "уже подключён к вашему кабинету" in html
    assert not RegistrationRequest.objects.exists()


def test_bad_input_is_explained_beside_each_field_and_kept(signed_in):
    html = signed_in.post(ADD, {"account_number": "12#ab", "full_name": "Иванов"}).content.decode()

    assert "Номер лицевого счета указан неверно" in html
    assert "Укажите фамилию, имя и отчество буквами" in html
    assert 'value="12#ab"' in html and 'value="Иванов"' in html


def test_requests_from_one_cabinet_are_limited(signed_in, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "account_cabinet": (2, 3600)}
    numbers = [AccountFactory(number=f"100012348{i}").number for i in range(3)]

    for number in numbers[:2]:
        add(signed_in, number=number)
    html = add(signed_in, number=numbers[2]).content.decode()

    assert "слишком часто подавали заявки на подключение лицевого счёта" in html
    assert RegistrationRequest.objects.count() == 2


# --- Removing an account ---------------------------------------------------------------------


@pytest.fixture
def two_flats(registered_ivanov, second_flat) -> Resident:
    ResidentAccount.objects.create(resident=registered_ivanov, account=second_flat)
    return registered_ivanov


def remove_url(number: str) -> str:
    return reverse("residents:account_remove", args=[number])


def test_removing_an_account_asks_first_then_the_cabinet_keeps_the_other(signed_in, two_flats):
    html = signed_in.get(PROFILE).content.decode()
    assert remove_url("1000123470") in html

    confirm = signed_in.get(remove_url("1000123470")).content.decode()
    assert "Убрать счёт 1000123470" in confirm and "Не убирать" in confirm
    assert ResidentAccount.objects.filter(resident=two_flats).count() == 2  # nothing yet

    html = signed_in.post(remove_url("1000123470"), follow=True).content.decode()

    assert "Лицевой счёт 1000123470 убран из кабинета" in html
    assert [link.account.number for link in two_flats.account_links.all()] == ["1000123456"]
    assert signed_in.get(reverse("billing:charges"), {"account": "1000123470"}).status_code == 404
    assert AuditEntry.objects.get(action=AuditEntry.Action.ACCOUNT_REMOVED).target == "1000123470"


def test_the_login_moves_to_a_remaining_number(signed_in, two_flats):
    signed_in.post(remove_url("1000123456"))

    two_flats.user.refresh_from_db()
    assert two_flats.user.username == "1000123470"
    assert Client().login(username="1000123470", password=PASSWORD)
    assert not Client().login(username="1000123456", password=PASSWORD)


def test_the_last_account_stays(signed_in, registered_ivanov):
    html = signed_in.get(PROFILE).content.decode()
    assert remove_url("1000123456") not in html
    assert "Единственный счёт убрать из кабинета нельзя" in html

    response = signed_in.post(remove_url("1000123456"))

    assert response.status_code == 400
    assert "единственный лицевой счёт" in response.content.decode()
    assert registered_ivanov.account_links.count() == 1


def test_another_households_account_cannot_be_removed(signed_in, two_flats, neighbour_account):
    assert signed_in.post(remove_url("1000123457")).status_code == 404
