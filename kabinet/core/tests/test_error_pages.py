"""A wrong address, a closed page or a request the site can't take answers in Russian, inside
the layout of whoever asked: the site's for residents, the back-office's for staff."""

import pytest
from django.test import Client, override_settings

from kabinet.core.models import User
from kabinet.testing import sign_in_staff

pytestmark = pytest.mark.django_db

SITE_MENU = "Меню сайта"  # the residents' layout
BACK_OFFICE = "Личный кабинет жителя — администрирование"  # the back-office's header


def test_a_wrong_address_says_so_in_russian_with_the_way_home(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "Страница не найдена" in response.text
    assert 'href="/"' in response.text
    assert "Not Found" not in response.text


def test_staff_without_the_right_are_told_whom_to_ask_in_the_back_office(client):
    clerk = User.objects.create_user("clerk", password="clerk-pass-2026", is_staff=True)
    sign_in_staff(client, clerk)

    response = client.get("/admin/billing/importprofile/")

    assert response.status_code == 403
    assert "Вашей учётной записи не дано право открывать этот раздел" in response.text
    assert BACK_OFFICE in response.text
    assert 'href="/admin/"' in response.text
    assert SITE_MENU not in response.text
    assert "Forbidden" not in response.text


@override_settings(DATA_UPLOAD_MAX_NUMBER_FIELDS=5)
def test_a_request_the_site_cannot_take_says_what_happened_and_where_to_go(client):
    response = client.post("/login/", {f"field{n}": "x" for n in range(10)})

    assert response.status_code == 400
    assert "Запрос не принят" in response.text
    assert "Вернитесь на предыдущую страницу, обновите её и попробуйте ещё раз" in response.text
    assert SITE_MENU in response.text
    assert 'href="/"' in response.text
    assert "Bad Request" not in response.text


def test_a_request_for_another_host_gets_the_same_russian_page(client):
    response = client.get("/", HTTP_HOST="not-our-site.example")

    assert response.status_code == 400
    assert "Запрос не принят" in response.text
    assert "Bad Request" not in response.text


@override_settings(DATA_UPLOAD_MAX_NUMBER_FIELDS=5)
def test_staff_whose_request_is_not_taken_are_told_so_in_the_back_office(client):
    clerk = User.objects.create_superuser("boss", password="boss-pass-2026")
    sign_in_staff(client, clerk)

    response = client.post("/admin/billing/importjob/", {f"field{n}": "x" for n in range(10)})

    assert response.status_code == 400
    assert "Сервер не смог обработать запрос" in response.text
    assert BACK_OFFICE in response.text
    assert "На рабочее место" in response.text
    assert SITE_MENU not in response.text


def test_staff_whose_form_went_stale_are_told_so_in_the_back_office():
    clerk = User.objects.create_superuser("boss", password="boss-pass-2026")
    client = Client(enforce_csrf_checks=True)
    sign_in_staff(client, clerk)

    response = client.post("/admin/billing/importjob/", {"action": "delete_selected"})

    assert response.status_code == 403
    assert "Форма устарела" in response.text
    assert "Отправленные данные не приняты и ничего не изменено" in response.text
    assert BACK_OFFICE in response.text
    assert SITE_MENU not in response.text
