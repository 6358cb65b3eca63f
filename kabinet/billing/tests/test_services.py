from decimal import Decimal

import pytest

from kabinet.billing.imports.accounts import import_accounts, parse_account
from kabinet.billing.imports.read import ImportFileError, Row
from kabinet.billing.imports.report import ImportReport
from kabinet.billing.models import Account
from kabinet.billing.tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def account_row(line: int, number: str, **values: str) -> Row:
    fields = {
        "account_number": number,
        "full_name": "Иванов Иван",
        "address": "Пермь",
        "area": "",
        "phone": "",
        "email": "",
    }
    return Row(line, fields | values)


def test_import_across_several_batches_counts_every_row():
    AccountFactory(
        number="1000000001", holder_name="Иванов Иван", address="Пермь", area=None, phone="", email=""
    )
    AccountFactory(number="1000000002", holder_name="Старое Имя", address="Пермь")
    rows = [account_row(n + 1, f"100000000{n}") for n in range(1, 8)] + [account_row(9, "")]

    report = import_accounts(rows=rows, batch_size=2)

    assert report == ImportReport(
        created=5, updated=1, unchanged=1, errors=[(9, "не указан номер лицевого счёта")]
    )
    assert Account.objects.count() == 7


def test_shape_problem_of_a_row_is_reported_as_it_is():
    report = import_accounts(rows=[Row(5, {}, "полей в строке: 2, в заголовке: 6")])

    assert report.errors == [(5, "полей в строке: 2, в заголовке: 6")]


def test_parse_account_gives_model_fields():
    fields, reasons = parse_account(
        {
            "account_number": "1000-01/а",
            "full_name": " Иванов  Иван ",
            "address": "Пермь",
            "area": "0",
            "phone": "8 (912) 345-67-89",
            "email": "ivanov@example.ru",
        }
    )

    assert reasons == []
    assert fields == {
        "number": "1000-01/А",
        "holder_name": "Иванов Иван",
        "address": "Пермь",
        "area": Decimal("0.00"),
        "phone": "+79123456789",
        "email": "ivanov@example.ru",
    }


def test_report_summary_reads_as_a_sentence():
    report = ImportReport(created=3, updated=1, unchanged=2, errors=[(4, "не указан адрес")])

    assert report.summary() == "добавлено 3, обновлено 1, без изменений 2, ошибок 1."


def test_file_that_breaks_after_a_written_batch_leaves_nothing_behind():
    def rows():
        yield account_row(2, "1000000001")
        yield account_row(3, "1000000002")
        raise ImportFileError("строка 4: файл не удаётся разобрать")

    with pytest.raises(ImportFileError):
        import_accounts(rows=rows(), batch_size=1)

    assert not Account.objects.exists()
