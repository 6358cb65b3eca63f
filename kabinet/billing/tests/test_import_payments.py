import datetime
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kabinet.billing.models import AccountPeriod, Payment, PaymentSource
from kabinet.billing.services import record_payment
from kabinet.billing.tests.factories import AccountFactory
from kabinet.billing.tests.test_import_accruals import HEADER as ACCRUALS_HEADER
from kabinet.billing.tests.test_import_accruals import water

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parents[3] / "docs" / "samples"
HEADER = "account_number;paid_on;amount;period;external_id;note"
OCT = datetime.date(2026, 10, 1)


def run(path: Path, *args: str) -> list[str]:
    out = StringIO()
    call_command("import_billing", "payments", str(path), *args, stdout=out, stderr=StringIO())
    return out.getvalue().splitlines()


@pytest.fixture
def accounts():
    return [AccountFactory(number="1000000001"), AccountFactory(number="1000000002")]


def test_the_sample_payments_file_in_windows_1251_is_imported(accounts):
    output = run(SAMPLES / "payments.csv")

    assert output == ["Оплаты: периоды 10.2026: загружено строк 3, заменено прежних 0, ошибок нет."]
    payment = Payment.objects.get(external_id="SB-2026-11-000077")
    assert (payment.account.number, payment.paid_on, payment.period, payment.amount, payment.note) == (
        "1000000002",
        datetime.date(2026, 11, 5),
        OCT,
        Decimal("1650.40"),
        "Почта России",
    )
    assert payment.source == PaymentSource.BILLING
    assert AccountPeriod.objects.get(account__number="1000000001", period=OCT).paid == Decimal("4800.00")


def test_reimport_replaces_billing_payments_of_the_period_but_keeps_online_ones(accounts, write_file):
    online = record_payment(
        account=accounts[0], amount=Decimal("99.90"), paid_on=datetime.date(2026, 10, 20), external_id="yk-1"
    )
    run(SAMPLES / "payments.csv")

    output = run(write_file([HEADER, "1000000001;15.10.2026;100,00;;B-1;касса"]))

    assert output == ["Оплаты: периоды 10.2026: загружено строк 1, заменено прежних 3, ошибок нет."]
    assert sorted(Payment.objects.values_list("external_id", "amount")) == [
        ("B-1", Decimal("100.00")),
        ("yk-1", Decimal("99.90")),
    ]
    assert online.source == PaymentSource.ONLINE
    assert AccountPeriod.objects.get(account=accounts[0], period=OCT).paid == Decimal("199.90")


def test_bad_payment_rows_are_each_reported_and_nothing_changes(accounts, write_file):
    lines = [
        HEADER,
        "1000000001;31.02.2026;100;;A-1;",
        "1000000001;12.10.2026;0;;A-2;",
        "1000000001;12.10.2026;12,345;;A-3;",
        "1000000003;12.10.2026;100;;A-4;",
        "1000000002;12.10.2026;100;;A-5;",
        "1000000002;13.10.2026;100;;A-5;",
    ]

    with pytest.raises(CommandError):
        run(write_file(lines))
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("import_billing", "payments", str(write_file(lines)), stdout=out, stderr=StringIO())

    assert out.getvalue().splitlines()[:6] == [
        "строка 2: дата оплаты «31.02.2026» не распознана: нужна дата, например 12.10.2026 или 2026-10-12",
        "строка 3: сумма оплаты равна нулю",
        "строка 4: сумма «12,345»: не больше 2 знаков после запятой",
        "строка 5: лицевой счёт 1000000003 не найден — сначала загрузите лицевые счета",
        "строка 7: номер платежа уже был в строке 6",
        "Оплаты: строк с ошибками 5. Ничего не изменено: исправьте эти строки и загрузите файл снова "
        "или загрузите его с пропуском строк с ошибками (--skip-bad).",
    ]
    assert Payment.objects.count() == 0


def test_a_payment_number_loaded_for_another_period_is_refused(accounts, write_file):
    run(write_file([HEADER, "1000000001;12.09.2026;100;;A-1;"], name="september.csv"))

    output = run(
        write_file([HEADER, "1000000001;12.10.2026;100;;A-1;", "1000000001;13.10.2026;50;;A-2;"]),
        "--skip-bad",
    )

    assert output == [
        "строка 2: платёж с этим номером уже загружен за 09.2026",
        "Оплаты: периоды 10.2026: загружено строк 1, заменено прежних 0, пропущено строк с ошибками 1.",
    ]


def test_an_online_payment_is_recorded_once_and_counts_in_the_bill_it_pays(accounts, write_file):
    account = accounts[0]
    accruals = write_file([ACCRUALS_HEADER, water()], name="accruals.csv")
    call_command("import_billing", "accruals", str(accruals), stdout=StringIO(), stderr=StringIO())

    paid = {"account": account, "amount": Decimal("148.00"), "paid_on": datetime.date(2026, 11, 3)}
    first = record_payment(**paid, external_id="yk-7")
    again = record_payment(**paid, external_id="yk-7")

    assert first.pk == again.pk
    assert first.period == OCT
    balance = AccountPeriod.objects.get(account=account, period=OCT)
    assert (balance.accrued, balance.paid, balance.closing_balance, balance.amount_due) == (
        Decimal("148.00"),
        Decimal("148.00"),
        Decimal("0.00"),
        Decimal("0.00"),
    )
