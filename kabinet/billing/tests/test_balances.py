"""Balances rebuilt from the first month a change touches agree with balances rebuilt whole.

An import or a payment rebuilds the balances from its first month on, going on from the closing
balance of the month before (balances.rebuild_balances, `since`); a rebuild of every month must
find nothing to change, whatever came before.
"""

import datetime
import tempfile
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from kabinet.billing import services
from kabinet.billing.imports import import_file
from kabinet.billing.models import Account, AccountPeriod
from kabinet.billing.tests.factories import AccountFactory
from kabinet.billing.tests.test_fast_road import line
from kabinet.billing.tests.test_import_accruals import HEADER

NUMBERS = ["1000000001", "1000000002", "1000000003"]
MONTHS = [datetime.date(2026, month, 1) for month in (7, 8, 9, 10)]
kopecks = st.integers(min_value=1, max_value=500_000).map(lambda k: Decimal(k) / 100)
# A month of accruals for some accounts (a file replaces the month), or a payment.
accruals = st.tuples(
    st.just("accruals"),
    st.sampled_from(MONTHS),
    st.lists(st.tuples(st.sampled_from(NUMBERS), kopecks), min_size=1, max_size=3, unique_by=lambda a: a[0]),
)
payment = st.tuples(st.just("payment"), st.sampled_from(MONTHS), st.sampled_from(NUMBERS), kopecks)


def balances() -> list[tuple]:
    return sorted(
        AccountPeriod.objects.values_list(
            "account__number", "period", "opening_balance", "accrued", "paid", "closing_balance", "due_date"
        )
    )


class RebuildFromTheFirstChangedMonthTests(TestCase):
    @settings(max_examples=30, deadline=None)
    @given(st.lists(st.one_of(accruals, payment), min_size=1, max_size=5))
    def test_after_every_change_a_whole_rebuild_changes_nothing(self, changes):
        for number in NUMBERS:
            AccountFactory(number=number)
        with tempfile.TemporaryDirectory() as directory:
            for step, change in enumerate(changes):
                self._apply(change, Path(directory) / f"{step}.csv")
                after_change = balances()

                services.rebuild_balances(accounts=Account.objects.all())

                assert balances() == after_change, change

    @staticmethod
    def _apply(change: tuple, path: Path) -> None:
        if change[0] == "accruals":
            _, month, rows = change
            lines = [line(number=n, period=month.isoformat(), to_pay=str(a)) for n, a in rows]
            path.write_text("\r\n".join([HEADER, *lines]) + "\r\n", encoding="utf-8")
            report = import_file(kind="accruals", path=path)
            assert report.errors == []
        else:
            _, month, number, amount = change
            services.record_payment(
                account=Account.objects.get(number=number),
                amount=amount,
                paid_on=month + datetime.timedelta(days=14),
                period=month,
            )


def test_the_command_rebuilds_every_month_of_the_named_accounts(db):
    for number in NUMBERS[:2]:
        account = AccountFactory(number=number)
        for month in MONTHS[:2]:
            services.record_payment(account=account, amount=Decimal("100.00"), paid_on=month, period=month)
    right = balances()
    AccountPeriod.objects.update(closing_balance=0, opening_balance=0, paid=0)  # made wrong by hand
    out = StringIO()

    call_command("rebuild_balances", *NUMBERS[:2], stdout=out)

    assert balances() == right
    assert out.getvalue() == "Сальдо пересчитано: лицевых счетов 2, строк сальдо 4.\n"
    with pytest.raises(CommandError, match=r"^Лицевые счета не найдены: 9999999999\.$"):
        call_command("rebuild_balances", "9999999999")
