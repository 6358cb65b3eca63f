"""A registry's plain blocks go to PostgreSQL whole (imports/bank/blocks.py): what they store is
what the line-by-line reading stores, and a bad line among them is reported as it always was."""

import datetime
import hashlib
from decimal import Decimal

import pytest
from django.db import connection

from kabinet.billing.imports import import_file
from kabinet.billing.imports.bank import blocks
from kabinet.billing.models import AccountPeriod, Payment, PaymentRegistry, UnmatchedPayment
from kabinet.billing.tests.factories import AccountFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's"),
]

LONG_OPERATION = "9" * 70  # the operation id is then too long to keep: its hash is kept
EVERY_SIGN = "".join(
    char
    for char in bytes(range(0x80, 0x100)).decode("cp1251", errors="ignore")
    if char.isprintable() and not char.isspace()
)


def line(n: int, account: str, amount: str, *, paid_on: str = "20.11.2026", period: str = "112026",
         payer: str = "Иванов Иван Иванович", address: str = "г. Пермь, ул. Ленина, д. 10, кв. 1",
         operation: str = "") -> str:  # fmt: skip
    """A line of the 17-field Sberbank layout."""
    return (
        f"{paid_on};10:15:32;8610/0123;12;{operation or 100_000 + n};{account};{payer};{address};{period};;"
        f"SOD;Содержание жилья;{amount};0;{amount};{amount};0,00"
    )


def registry(write_file, lines: list[str], name: str = "reestr.txt"):
    total = sum(Decimal(text.split(";")[12].replace(",", ".")) for text in lines)
    money = str(total).replace(".", ",")
    return write_file(
        [*lines, f"={len(lines)};{money};{money};0,00;380;26.11.2026"], encoding="cp1251", name=name
    )


def stored() -> tuple:
    return (
        sorted(
            Payment.objects.values_list(
                "account__number", "paid_on", "period", "amount", "external_id", "note"
            )
        ),
        sorted(
            UnmatchedPayment.objects.values_list(
                "line", "external_id", "paid_on", "period", "amount", "account_text", "payer", "address"
            )
        ),
        sorted(AccountPeriod.objects.values_list("account__number", "period", "paid")),
    )


def forget_the_bank() -> None:
    Payment.objects.all().delete()
    UnmatchedPayment.objects.all().delete()
    PaymentRegistry.objects.all().delete()
    AccountPeriod.objects.all().delete()


def test_a_registry_read_by_blocks_stores_what_reading_it_line_by_line_stores(write_file, monkeypatch):
    AccountFactory(number="1000000001")
    AccountFactory(number="10/2-А")
    lines = [
        line(1, "1000000001", "1547,55"),
        line(2, "1000000001", "148.5", period="11.2026"),
        line(3, "1000000001", "0,01", period="1026", paid_on="29.02.2028"),
        line(4, "1000000001", "12", period="", payer="", address=""),
        line(5, "10/2-А", "99999999,99", payer="Ёлкина Анна-Мария", address="д. 1; кв. 2".replace(";", ",")),
        line(6, "1000000001", "100,00", operation=LONG_OPERATION),
        # An account the books do not know; its payer written with every printable letter and
        # sign of cp1251 (the blocks' are converted by the server, the lines' by Python).
        line(7, "5000000001", "300,00", payer=EVERY_SIGN),
        line(8, "1000000001", "1,00", period="11.26"),
    ]
    path = registry(write_file, lines)

    taken = []
    take = blocks.BlockRoad.take
    monkeypatch.setattr(
        blocks.BlockRoad, "take", lambda road, block, **kw: taken.append(take(road, block, **kw)) or taken[-1]
    )
    by_blocks = import_file(kind="sber-registry", path=path)
    assert taken == [len(lines)]  # the file was one plain block: the blocks' road took it
    seen = stored()
    forget_the_bank()
    monkeypatch.setattr(blocks, "usable", lambda profile: False)
    line_by_line = import_file(kind="sber-registry", path=path)

    assert stored() == seen
    assert (by_blocks.loaded, by_blocks.unmatched, by_blocks.total) == (7, 1, Decimal("100002109.05"))
    assert (line_by_line.loaded, line_by_line.unmatched, line_by_line.total) == (7, 1, by_blocks.total)
    operation = f"20.11.2026;8610/0123;12;{LONG_OPERATION};SOD"
    assert Payment.objects.filter(external_id="R:" + hashlib.sha1(operation.encode()).hexdigest()).exists()
    assert ("1000000001", datetime.date(2026, 10, 1), Decimal("0.01")) in seen[2]


def test_a_bad_line_deep_in_a_large_registry_is_reported_by_its_number(write_file):
    AccountFactory(number="1000000001")
    lines = [line(n, "1000000001", "10,00") for n in range(1, 15_001)]
    lines[9_999] = line(10_000, "1000000001", "10,00", paid_on="31.11.2026")
    path = registry(write_file, lines)

    report = import_file(kind="sber-registry", path=path)

    assert report.errors[0][0] == 10_000
    assert "дата оплаты «31.11.2026» не распознана" in report.errors[0][1]
    assert report.error_count == 1
    assert Payment.objects.count() == 0


def test_with_skip_bad_the_plain_blocks_around_a_bad_line_are_recorded_with_their_line_numbers(write_file):
    AccountFactory(number="1000000001")
    lines = [line(n, "1000000001", "10,00") for n in range(1, 15_001)]
    lines[9_999] = line(10_000, "1000000001", "10,00", paid_on="31.11.2026")
    lines[14_999] = line(15_000, "7000000001", "10,00")
    path = registry(write_file, lines)

    report = import_file(kind="sber-registry", path=path, skip_bad=True)

    assert (report.loaded, report.unmatched, report.error_count) == (14_998, 1, 1)
    assert UnmatchedPayment.objects.get().line == 15_000
    assert AccountPeriod.objects.get(period=datetime.date(2026, 11, 1)).paid == Decimal("149980.00")


def test_a_registry_whose_profile_has_another_separator_is_read_by_blocks_all_the_same(
    write_file, monkeypatch
):
    """A profile of the company's own (profiles.register) may separate its fields by «|»: the
    blocks cut its lines, and the totals line is read, by that separator."""
    import dataclasses

    from kabinet.billing.imports.bank import profiles

    monkeypatch.setitem(
        profiles.PROFILES,
        "bank-pipe",
        dataclasses.replace(profiles.get("sber-17"), name="bank-pipe", separator="|"),
    )
    AccountFactory(number="1000000001")
    lines = [
        line(1, "1000000001", "1547,55").replace(";", "|"),
        line(2, "1000000001", "100").replace(";", "|"),
    ]
    path = write_file([*lines, "=2|1647,55|1647,55|0,00|380|26.11.2026"], encoding="cp1251", name="pipe.txt")
    taken = []
    take = blocks.BlockRoad.take
    monkeypatch.setattr(
        blocks.BlockRoad, "take", lambda road, block, **kw: taken.append(take(road, block, **kw)) or taken[-1]
    )

    report = import_file(kind="sber-registry", path=path, profile="bank-pipe")

    assert taken == [2]
    assert (report.loaded, report.total) == (2, Decimal("1647.55"))
    assert sorted(Payment.objects.values_list("amount", flat=True)) == [Decimal("100.00"), Decimal("1547.55")]
    registry_row = PaymentRegistry.objects.get()
    assert (registry_row.order_number, registry_row.order_date) == ("380", datetime.date(2026, 11, 26))
