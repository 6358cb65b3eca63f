from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management.base import CommandError

from kabinet.billing.models import Account
from kabinet.billing.tests.factories import AccountFactory
from kabinet.billing.tests.helpers import HEADER, run_import

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).resolve().parents[3] / "docs" / "samples" / "accounts.csv"

IVANOV = (
    "1000000001;Иванов Иван Иванович;г. Пермь, ул. Ленина, д. 10, кв. 1;54,3;"
    "8-912-345-67-89;ivanov@example.ru"
)
PETROVA = "1000000002;Петрова Анна Сергеевна;г. Пермь, ул. Ленина, д. 10, кв. 2;38.00;;"
SIDOROV = "1000000003;Сидоров Пётр Николаевич;г. Пермь, ул. Ленина, д. 10, кв. 3;;;"


def test_cp1251_file_with_semicolons_is_imported(write_file):
    path = write_file([HEADER, IVANOV, PETROVA, SIDOROV], encoding="cp1251")

    output = run_import(path)

    assert output == ["Лицевые счета: добавлено 3, обновлено 0, без изменений 0, ошибок 0."]
    account = Account.objects.get(number="1000000001")
    assert account.holder_name == "Иванов Иван Иванович"
    assert account.address == "г. Пермь, ул. Ленина, д. 10, кв. 1"
    assert account.email == "ivanov@example.ru"


def test_utf8_file_with_bom_and_commas_is_imported(write_file):
    lines = [
        HEADER.replace(";", ","),
        '1000000001,Иванов Иван Иванович,"г. Пермь, ул. Ленина, д. 10, кв. 1","54,3",89123456789,',
        "1000000002,Петрова Анна Сергеевна,г. Пермь ул. Ленина 10-2,38.5,,petrova@example.ru",
    ]
    path = write_file(lines, bom=True)

    output = run_import(path)

    assert output[-1] == "Лицевые счета: добавлено 2, обновлено 0, без изменений 0, ошибок 0."
    assert Account.objects.get(number="1000000001").address == "г. Пермь, ул. Ленина, д. 10, кв. 1"
    assert Account.objects.get(number="1000000001").area == Decimal("54.30")
    assert Account.objects.get(number="1000000002").email == "petrova@example.ru"


def test_second_run_of_the_same_file_changes_nothing(write_file):
    path = write_file([HEADER, IVANOV, PETROVA, SIDOROV], encoding="cp1251")
    run_import(path)
    stamps = dict(Account.objects.values_list("number", "updated_at"))

    output = run_import(path)

    assert output == ["Лицевые счета: добавлено 0, обновлено 0, без изменений 3, ошибок 0."]
    assert dict(Account.objects.values_list("number", "updated_at")) == stamps


def test_changed_field_updates_the_account(write_file):
    run_import(write_file([HEADER, IVANOV, PETROVA], name="first.csv"))
    moved = PETROVA.replace("кв. 2", "кв. 22")

    output = run_import(write_file([HEADER, IVANOV, moved, SIDOROV], name="second.csv"))

    assert output == ["Лицевые счета: добавлено 1, обновлено 1, без изменений 1, ошибок 0."]
    petrova = Account.objects.get(number="1000000002")
    assert petrova.address == "г. Пермь, ул. Ленина, д. 10, кв. 22"
    assert petrova.updated_at > petrova.created_at


def test_accounts_missing_from_the_file_are_left_alone(write_file):
    kept = AccountFactory(number="2000000001")

    run_import(write_file([HEADER, IVANOV]))

    assert Account.objects.get(pk=kept.pk).holder_name == kept.holder_name


def test_phone_is_stored_in_e164(write_file):
    run_import(write_file([HEADER, IVANOV]))

    assert Account.objects.get(number="1000000001").phone == "+79123456789"


def test_landline_phone_is_accepted(write_file):
    run_import(write_file([HEADER, "1000000001;Иванов Иван;Пермь;;+7 (342) 212-34-56;"]))

    assert Account.objects.get(number="1000000001").phone == "+73422123456"


def test_area_with_decimal_comma_is_stored_as_decimal(write_file):
    run_import(write_file([HEADER, IVANOV]))

    assert Account.objects.get(number="1000000001").area == Decimal("54.30")


def test_area_with_thousands_separator_from_1c_is_accepted(write_file):
    run_import(write_file([HEADER, "1000000001;Иванов Иван;Пермь;1\u00a0234,5;;"]))

    assert Account.objects.get(number="1000000001").area == Decimal("1234.50")


def test_empty_area_phone_and_email_are_allowed(write_file):
    output = run_import(write_file([HEADER, SIDOROV]))

    assert output == ["Лицевые счета: добавлено 1, обновлено 0, без изменений 0, ошибок 0."]
    account = Account.objects.get(number="1000000003")
    assert (account.area, account.phone, account.email) == (None, "", "")


def test_empty_phone_in_the_file_clears_the_stored_one(write_file):
    AccountFactory(number="1000000002", phone="+79120000000")

    run_import(write_file([HEADER, PETROVA]))

    assert Account.objects.get(number="1000000002").phone == ""


def test_names_and_numbers_are_normalised(write_file):
    row = " 1000 000 001 ;  Иванов   Иван\tИванович ; г. Пермь,  ул. Ленина ;;;"

    run_import(write_file([HEADER, row]))

    account = Account.objects.get()
    assert (account.number, account.holder_name, account.address) == (
        "1000000001",
        "Иванов Иван Иванович",
        "г. Пермь, ул. Ленина",
    )


def test_header_is_case_insensitive_in_any_order_with_extra_columns(write_file):
    header = " Email ; PHONE;area;Address;Full_Name ;Account_Number;комментарий"
    row = "ivanov@example.ru;89123456789;54,3;г. Пермь;Иванов Иван;1000000001;что угодно"

    output = run_import(write_file([header, row]))

    assert output[-1] == "Лицевые счета: добавлено 1, обновлено 0, без изменений 0, ошибок 0."
    assert Account.objects.get(number="1000000001").email == "ivanov@example.ru"


def test_missing_columns_are_named_in_the_error(write_file):
    path = write_file(["account_number;full_name;address;area", "1000000001;Иванов Иван;Пермь;54"])

    with pytest.raises(CommandError, match="В заголовке нет столбцов: phone, email"):
        run_import(path)
    assert not Account.objects.exists()


def test_empty_file_is_refused(write_file):
    with pytest.raises(CommandError, match="Файл пуст"):
        run_import(write_file([]))


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(CommandError, match="не найден"):
        run_import(tmp_path / "nowhere.csv")


def test_file_in_neither_encoding_is_refused(tmp_path):
    path = tmp_path / "accounts.csv"
    path.write_bytes(HEADER.encode() + b"\r\n1000000001;\x98\xff;\r\n")

    with pytest.raises(CommandError, match="не в кодировке UTF-8 и не в Windows-1251"):
        run_import(path)


def test_file_broken_halfway_imports_nothing(write_file):
    path = write_file([HEADER, IVANOV, '1000000002;"' + "x" * 200_000, SIDOROV])

    with pytest.raises(CommandError, match="строка 3: файл не удаётся разобрать"):
        run_import(path)
    assert not Account.objects.exists()


def test_the_sample_from_the_docs_imports_cleanly():
    output = run_import(SAMPLE)

    assert output == ["Лицевые счета: добавлено 5, обновлено 0, без изменений 0, ошибок 0."]
