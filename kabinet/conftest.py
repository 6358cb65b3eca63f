"""Personas and helpers shared by every app's tests.

ivanov: holds account 1000123456 with his phone in the billing data: his request passes at once.
neighbour: a real account holder of another flat, who must never see Ivanov's data.
operator: a member of staff who works the registration queue.
"""

import pytest

from kabinet.billing.tests.factories import AccountFactory
from kabinet.core.models import Company, User


@pytest.fixture
def company(db) -> Company:
    return Company.load()


@pytest.fixture
def ivanov_account(db):
    return AccountFactory(
        number="1000123456",
        holder_name="Иванов Иван Иванович",
        phone="+79123456789",
        address="г. Тверь, ул. Советская, д. 12, кв. 5",
    )


@pytest.fixture
def neighbour_account(db):
    return AccountFactory(number="1000123457", holder_name="Петрова Анна Сергеевна", phone="")


@pytest.fixture
def operator(db) -> User:
    return User.objects.create_user(
        "operator", password="operator-pass-2026", is_staff=True, is_superuser=True
    )
