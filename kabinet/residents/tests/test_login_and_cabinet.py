import pytest
from django.urls import reverse

from kabinet.core.models import User
from kabinet.residents.models import Resident, ResidentAccount
from kabinet.testing import sign_in_staff

pytestmark = pytest.mark.django_db
PASSWORD = "Sunflower-Tver-1961"


@pytest.fixture
def ivanov(ivanov_account) -> Resident:
    user = User.objects.create_user("1000123456", password=PASSWORD)
    resident = Resident.objects.create(user=user, full_name="Иванов Иван Иванович", phone="+79123456789")
    ResidentAccount.objects.create(resident=resident, account=ivanov_account)
    return resident


def test_home_page_login_box_signs_in_with_the_account_number(client, company, ivanov):
    response = client.post(
        reverse("residents:login"), {"username": "1000123456", "password": PASSWORD}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("residents:cabinet")
    assert "Здравствуйте, Иванов Иван Иванович!" in response.content.decode()


def test_wrong_password_says_so_without_revealing_which_part_is_wrong(client, company, ivanov):
    response = client.post(
        reverse("residents:login"), {"username": "1000123456", "password": "wrong-password"}
    )

    html = response.content.decode()
    assert "Неверный логин или пароль" in html
    assert 'value="1000123456"' in html


def test_unknown_account_gets_the_same_answer(client, company):
    response = client.post(
        reverse("residents:login"), {"username": "9999999999", "password": "wrong-password"}
    )

    assert "Неверный логин или пароль" in response.content.decode()


def test_cabinet_needs_login(client, company):
    response = client.get(reverse("residents:cabinet"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("residents:login"))


def test_cabinet_shows_holder_address_and_account_number(client, company, ivanov):
    client.force_login(ivanov.user)

    html = client.get(reverse("residents:cabinet")).content.decode()

    assert "Иванов Иван Иванович" in html
    assert "г. Тверь, ул. Советская, д. 12, кв. 5" in html
    assert "Лицевой счёт 1000123456" in html


def test_resident_with_two_accounts_switches_between_them(client, company, ivanov, neighbour_account):
    ResidentAccount.objects.create(resident=ivanov, account=neighbour_account)
    client.force_login(ivanov.user)

    html = client.get(reverse("residents:cabinet"), {"account": "1000123457"}).content.decode()

    assert "Лицевой счёт 1000123457" in html
    assert "?account=1000123456" in html


def test_another_residents_account_is_never_shown(client, company, ivanov, neighbour_account):
    client.force_login(ivanov.user)

    response = client.get(reverse("residents:cabinet"), {"account": neighbour_account.number})

    assert response.status_code == 404
    assert neighbour_account.address not in response.content.decode()


def test_logout_is_a_post_and_returns_home(client, company, ivanov):
    client.force_login(ivanov.user)

    response = client.post(reverse("residents:logout"), follow=True)

    assert "Вы вышли из личного кабинета" in response.content.decode()
    assert client.get(reverse("residents:cabinet")).status_code == 302


def test_login_page_prefills_the_account_number_after_registration(client, company):
    html = client.get(reverse("residents:login"), {"login": "1000123456"}).content.decode()

    assert 'value="1000123456"' in html
    assert "Логин обычно совпадает с номером лицевого счета" in html
    assert "Забыли пароль?" in html


def test_staff_member_in_the_cabinet_is_pointed_to_the_back_office(client, company, operator):
    sign_in_staff(client, operator)

    response = client.get(reverse("residents:cabinet"))

    assert response.status_code == 403
    assert reverse("admin:index") in response.content.decode()


def test_home_page_greets_a_logged_in_resident_by_name(client, company, ivanov):
    client.force_login(ivanov.user)

    html = client.get("/").content.decode()

    assert "Вы вошли как <strong>Иванов Иван Иванович</strong>" in html
