"""Whatever text a billing file holds, the import reports it instead of failing."""

import csv
import tempfile
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from kabinet.billing.imports.accounts import COLUMNS as ACCOUNT_COLUMNS
from kabinet.billing.imports.accounts import import_accounts
from kabinet.billing.imports.read import Row

anything = st.text(max_size=40)
near_number = st.from_regex(r"\A[0-9 ,.+()-]{0,20}\Z")  # near misses of areas and phones
# Each value is either one the import takes or arbitrary text, so that many rows get as far
# as the database and the text that reaches it is arbitrary too.
account_values = st.fixed_dictionaries(
    {
        "account_number": st.one_of(st.sampled_from(["1000000001", "1000000002", "10 000 003"]), anything),
        "full_name": st.one_of(st.just("Иванов Иван"), anything),
        "address": st.one_of(st.just("г. Пермь"), anything),
        "area": st.one_of(st.sampled_from(["", "54,3"]), near_number, anything),
        "phone": st.one_of(st.sampled_from(["", "8-912-345-67-89"]), near_number, anything),
        "email": st.one_of(st.just(""), st.emails(), anything),
    }
)


class ArbitraryRowsTests(TestCase):
    @settings(max_examples=150, deadline=None)
    @given(st.lists(account_values, max_size=8))
    def test_every_row_is_counted_once(self, rows):
        report = import_accounts(rows=[Row(n + 2, values) for n, values in enumerate(rows)], batch_size=3)

        assert report.created + report.updated + report.unchanged + len(report.errors) == len(rows)
        assert all(reason for _, reason in report.errors)

    @settings(max_examples=60, deadline=None)
    @given(st.lists(st.text(max_size=60), max_size=6), st.sampled_from(["utf-8", "cp1251"]))
    def test_arbitrary_lines_in_a_file_end_in_a_report(self, lines, encoding):
        text = ";".join(ACCOUNT_COLUMNS) + "\n" + "\n".join(lines)
        data = text.encode(encoding, errors="replace")
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "accounts.csv"
            path.write_bytes(data)
            out = StringIO()
            call_command("import_billing", "accounts", str(path), "--skip-bad", stdout=out)

        assert out.getvalue().splitlines()[-1].startswith("Лицевые счета: добавлено ")

    @settings(max_examples=60, deadline=None)
    @given(st.lists(account_values, min_size=1, max_size=5))
    def test_quoted_rows_with_any_text_end_in_a_report(self, rows):
        buffer = StringIO()
        writer = csv.DictWriter(buffer, fieldnames=ACCOUNT_COLUMNS, delimiter=";")
        writer.writeheader()
        writer.writerows(rows)
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "accounts.csv"
            path.write_text(buffer.getvalue(), encoding="utf-8", newline="")
            out = StringIO()
            call_command("import_billing", "accounts", str(path), "--skip-bad", stdout=out)

        assert out.getvalue().splitlines()[-1].startswith("Лицевые счета: добавлено ")
