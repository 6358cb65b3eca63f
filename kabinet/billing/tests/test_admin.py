from decimal import Decimal

import pytest

from kabinet.billing.forms import AccountForm
from kabinet.billing.tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def test_account_list_searches_and_filters(admin_client):
    AccountFactory(number="1000000001", holder_name="Иванов Иван Иванович", phone="+79123456789")
    AccountFactory(number="1000000002", holder_name="Петрова Анна Сергеевна", phone="")

    found = admin_client.get("/admin/billing/account/", {"q": "Иванов"})
    without_phone = admin_client.get("/admin/billing/account/", {"has_phone": "no"})

    assert found.status_code == 200
    assert "Иванов Иван Иванович" in found.text
    assert "Петрова" not in found.text
    assert "Петрова Анна Сергеевна" in without_phone.text
    assert "Иванов Иван" not in without_phone.text


def test_account_form_normalises_like_the_import():
    form = AccountForm(
        data={
            "number": "1000 000 001",
            "holder_name": " Иванов  Иван ",
            "address": "Пермь",
            "phone": "8-912-345-67-89",
        }
    )

    assert form.is_valid(), form.errors
    assert form.cleaned_data["number"] == "1000000001"
    assert form.cleaned_data["holder_name"] == "Иванов Иван"
    assert form.cleaned_data["phone"] == "+79123456789"


def test_an_operator_writes_the_area_with_a_comma_and_sees_it_so(admin_client):
    account = AccountFactory(number="1000000001", holder_name="Иванов Иван", address="Пермь", phone="")
    page = f"/admin/billing/account/{account.pk}/change/"
    fields = {"number": "1000000001", "holder_name": "Иванов Иван", "address": "Пермь", "area": "54,30"}

    saved = admin_client.post(page, fields)
    form = admin_client.get(page).text

    assert saved.status_code == 302, saved.text
    account.refresh_from_db()
    assert account.area == Decimal("54.30")
    assert 'name="area" value="54,30"' in form
    assert 'inputmode="decimal"' in form


def test_account_form_refuses_an_unreadable_phone():
    form = AccountForm(
        data={"number": "1000000001", "holder_name": "Иванов Иван", "address": "Пермь", "phone": "12"}
    )

    assert form.errors["phone"] == ["Номер не распознан. Например: +7 912 345-67-89."]


def test_factory_makes_accounts_the_import_would_accept():
    from kabinet.billing.imports.accounts import parse_account

    account = AccountFactory()
    values = {
        "account_number": account.number,
        "full_name": account.holder_name,
        "address": account.address,
        "area": str(account.area),
        "phone": account.phone,
        "email": account.email,
    }

    assert parse_account(values) == (
        {
            "number": account.number,
            "holder_name": account.holder_name,
            "address": account.address,
            "area": account.area,
            "phone": account.phone,
            "email": "",
        },
        [],
    )


def test_an_imported_accrual_is_listed_and_opens_by_its_id(admin_client, write_file):
    """On PostgreSQL the file takes the fast road: its partition has no primary key, and the
    operator's page of one accrual finds it by id through the BRIN index (migration 0006)."""
    from kabinet.billing.imports import import_file
    from kabinet.billing.models import Accrual
    from kabinet.billing.tests.test_fast_road import line
    from kabinet.billing.tests.test_import_accruals import HEADER

    AccountFactory(number="1000000001")
    AccountFactory(number="1000000002")
    import_file(kind="accruals", path=write_file([HEADER, line(), line(number="1000000002", to_pay="96.00")]))
    second = Accrual.objects.get(account__number="1000000002")

    listed = admin_client.get("/admin/billing/accrual/", {"period__exact": "2026-10-01"})
    page = admin_client.get(f"/admin/billing/accrual/{second.pk}/change/")

    assert listed.status_code == 200
    assert "1000000001" in listed.text and "1000000002" in listed.text
    assert page.status_code == 200
    assert "1000000002" in page.text and "96,00" in page.text
    assert "148.00" not in page.text


@pytest.mark.parametrize("model", ["accrual", "payment", "accountperiod"])
def test_the_books_cannot_be_deleted_in_the_back_office(admin_client, model):
    """A deleted accrual or payment would leave the balances wrong; balances are computed."""
    listed = admin_client.get(f"/admin/billing/{model}/")
    delete = admin_client.get(f"/admin/billing/{model}/1/delete/")

    assert listed.status_code == 200
    assert 'value="delete_selected"' not in listed.text
    assert delete.status_code == 403
