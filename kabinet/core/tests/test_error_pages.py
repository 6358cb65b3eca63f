"""A wrong address or a closed page answers in Russian, inside the site's own layout."""

import pytest

from kabinet.core.models import User
from kabinet.testing import sign_in_staff

pytestmark = pytest.mark.django_db


def test_a_wrong_address_says_so_in_russian_with_the_way_home(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "Страница не найдена" in response.text
    assert 'href="/"' in response.text
    assert "Not Found" not in response.text


def test_staff_without_the_right_are_told_whom_to_ask(client):
    clerk = User.objects.create_user("clerk", password="clerk-pass-2026", is_staff=True)
    sign_in_staff(client, clerk)

    response = client.get("/admin/billing/importprofile/")

    assert response.status_code == 403
    assert "Вашей учётной записи не дано право открывать этот раздел" in response.text
    assert "Forbidden" not in response.text
