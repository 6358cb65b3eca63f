import pytest
from django.core.exceptions import ValidationError

from kabinet.core.models import Company
from kabinet.core.validators import account_key_matches, is_valid_inn, is_valid_ogrn

pytestmark = pytest.mark.django_db

GOOD = {
    "inn": "6950123450",
    "kpp": "695001001",
    "bank_name": "Тверское отделение № 8607 ПАО Сбербанк",
    "bik": "042809679",
    "settlement_account": "40702810563000001234",
    "correspondent_account": "30101810700000000679",
}


def test_inn_check_digits():
    assert is_valid_inn("7707083893")  # Сбербанк, 10 digits
    assert is_valid_inn("500100732259")  # 12 digits
    assert not is_valid_inn("7707083894")
    assert not is_valid_inn("500100732258")
    assert not is_valid_inn("770708389")
    assert not is_valid_inn("７７０７０８３８９３")  # full-width digits are not digits here


def test_account_keys_are_checked_against_the_bik():
    assert account_key_matches(bik="044525225", account="30101810400000000225", correspondent=True)
    assert account_key_matches(bik="042809679", account="40702810563000001234", correspondent=False)
    assert not account_key_matches(bik="042809679", account="40702810563000001235", correspondent=False)


def test_company_with_valid_payment_details_passes_full_clean():
    company = Company(name="ООО «Уют»", **GOOD)

    company.full_clean()
    assert company.has_payment_details


def test_company_payment_details_errors_stand_beside_their_fields():
    company = Company(
        name="ООО «Уют»",
        **GOOD
        | {
            "inn": "6950123451",
            "kpp": "69500",
            "settlement_account": "40702810563000001235",
            "bik": "042809679",
        },
    )

    with pytest.raises(ValidationError) as caught:
        company.full_clean()
    errors = caught.value.message_dict
    assert "контрольное число" in errors["inn"][0]
    assert errors["kpp"] == ["КПП — 9 знаков, например 695001001."]
    assert errors["settlement_account"] == [
        "Счёт не сходится с БИК по контрольному ключу: проверьте цифры счёта и БИК."
    ]


def test_demo_company_has_valid_payment_details():
    from kabinet.demo.loader import load_demo_data

    load_demo_data()
    company = Company.load()

    company.full_clean()
    assert company.has_payment_details


def test_the_back_office_shows_a_wrong_account_beside_its_field_and_saves_good_details(admin_client):
    Company.load()
    form = {
        "name": "ООО «Уют»",
        "short_name": "Уют",
        "address": "",
        "phone": "",
        "email": "",
        "working_hours": "",
        "appeal_reopen_days": "30",
        "auto_approve_registrations": "on",
    }

    refused = admin_client.post(
        "/admin/core/company/1/change/", form | GOOD | {"correspondent_account": "30101810700000000678"}
    )
    saved = admin_client.post("/admin/core/company/1/change/", form | GOOD)

    assert "Счёт не сходится с БИК по контрольному ключу" in refused.text
    assert saved.status_code == 302
    assert Company.load().settlement_account == "40702810563000001234"


@pytest.mark.parametrize(
    ("ogrn", "valid"),
    [
        ("1026900123458", True),  # an organisation: 13 digits
        ("1026900123457", False),  # one digit off
        ("304500116000157", True),  # an entrepreneur's ОГРНИП: 15 digits
        ("304500116000158", False),
        ("10269001234", False),
        ("102690012345A", False),
    ],
)
def test_ogrn_check_digit(ogrn, valid):
    assert is_valid_ogrn(ogrn) is valid


@pytest.mark.django_db
def test_a_wrong_ogrn_is_refused_beside_its_field():
    company = Company(name="ООО «Тест»", ogrn="1026900123457")

    with pytest.raises(ValidationError) as refused:
        company.full_clean()

    assert "ОГРН" in refused.value.message_dict["ogrn"][0]
