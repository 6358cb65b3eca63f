"""`make run` loads the demo data into an empty database, and never over real data."""

from io import StringIO

import pytest
from django.core.management import call_command

from kabinet.billing.models import Account
from kabinet.core.models import User
from kabinet.demo.loader import DEMO_ACCOUNTS

pytestmark = pytest.mark.django_db


def test_an_empty_database_gets_the_demo_accounts_and_staff():
    out = StringIO()
    call_command("load_demo_data", "--if-empty", stdout=out)

    assert Account.objects.count() == len(DEMO_ACCOUNTS)
    assert User.objects.filter(username__in=["admin", "operator"], is_staff=True).count() == 2
    assert "Загружены демонстрационные данные" in out.getvalue()


def test_a_database_with_data_is_left_alone():
    Account.objects.create(number="2000000001", holder_name="Настоящий Житель", address="г. Тверь")
    out = StringIO()
    call_command("load_demo_data", "--if-empty", stdout=out)

    assert list(Account.objects.values_list("number", flat=True)) == ["2000000001"]
    assert "не пуста" in out.getvalue()
