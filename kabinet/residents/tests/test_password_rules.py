"""One set of password rules for registration, reset and the profile, each refusal saying why."""

import pytest
from django.urls import reverse

from kabinet.residents.models import RegistrationRequest
from kabinet.testing import registration_post

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("1000123456ab", "Пароль похож на номер лицевого счёта"),
        ("my89123456789", "Пароль похож на номер телефона"),
        ("+7 912 345-67-89", "Пароль похож на номер телефона"),
        ("password1", "легко угадать"),
        ("Ab3$xyz", "Пароль слишком короткий"),
        ("ivanov@mail.ru", "похож на ваше имя или адрес почты"),
    ],
)
def test_registration_refuses_weak_passwords_saying_why(client, company, ivanov_account, password, why):
    post = registration_post(password1=password, password2=password)

    html = client.post(reverse("residents:register"), post).content.decode()

    assert why in html
    assert not RegistrationRequest.objects.exists()


def test_a_good_password_passes_every_rule(client, company, ivanov_account):
    response = client.post(reverse("residents:register"), registration_post())

    assert response.status_code == 302
    assert RegistrationRequest.objects.count() == 1
