from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from kabinet.billing.tests.factories import AccountFactory
from kabinet.meters.models import Building, Meter, Resource

pytestmark = pytest.mark.django_db
SAMPLE = Path(__file__).resolve().parents[3] / "docs" / "samples" / "meters.csv"
HEADER = (
    "account_number;serial_number;service;tariffs;place;digits_before;digits_after;installed_on;"
    "next_check_date;initial_value;initial_value_t2;initial_value_t3\n"
)


@pytest.fixture
def sample_accounts(db):
    for n in range(1, 5):
        AccountFactory(number=f"100000000{n}", address=f"г. Пермь, ул. Ленина, д. 10, кв. {n}")


def run(path: Path) -> str:
    out = StringIO()
    call_command("import_billing", "meters", str(path), "--skip-bad", stdout=out)
    return out.getvalue()


def test_the_documented_sample_imports_and_a_second_run_changes_nothing(sample_accounts):
    first = run(SAMPLE)
    second = run(SAMPLE)

    assert "Приборы учёта: добавлено 6, обновлено 0, без изменений 0, ошибок 0." in first
    assert "добавлено 0, обновлено 0, без изменений 6, ошибок 0." in second
    electricity = Meter.objects.get(serial_number="Э-0147733")
    assert (electricity.service, electricity.tariffs, electricity.digits_after) == (
        Resource.ELECTRICITY,
        2,
        0,
    )
    assert electricity.initial_values == (Decimal(18344), Decimal(7120))
    assert electricity.next_check_date == date(2036, 6, 1)
    assert electricity.building.address == "г. Пермь, ул. Ленина, д. 10"
    assert Building.objects.count() == 1  # four flats of one house


def test_a_changed_row_updates_the_meter(sample_accounts, tmp_path):
    run(SAMPLE)
    changed = tmp_path / "meters.csv"
    changed.write_text(HEADER + "1000000001;ХВ-2231847;ХВС;1;ванная;5;3;15.03.2021;15.03.2033;12,418;;\n")

    assert "обновлено 1" in run(changed)
    meter = Meter.objects.get(serial_number="ХВ-2231847")
    assert (meter.place, meter.next_check_date) == ("ванная", date(2033, 3, 15))


def test_bad_rows_are_reported_with_line_numbers_and_the_good_ones_imported(sample_accounts, tmp_path):
    path = tmp_path / "meters.csv"
    path.write_text(
        HEADER
        + "1000000001;ХВ-1;ХВС;1;кухня;5;3;;;1,5;;\n"
        + "9999999999;ХВ-2;ХВС;1;;5;3;;;;;\n"
        + "1000000001;ХВ-3;вода;1;;5;3;;;;;\n"
        + "1000000001;ХВ-4;ХВС;2;;5;3;;;;;\n"
        + "1000000001;ХВ-5;ХВС;1;;5;3;31.02.2027;;;;\n"
        + "1000000001;ХВ-6;ХВС;1;;5;3;;;12,3456;;\n"
        + "1000000001;ХВ-1;ХВС;1;кухня;5;3;;;1,5;;\n",
        encoding="cp1251",
    )

    out = run(path)

    assert "строка 3: лицевой счёт 9999999999 не найден" in out
    assert "строка 4: услуга «вода» неизвестна" in out
    assert "строка 5: несколько тарифов бывает только у счётчика электроэнергии" in out
    assert "строка 6: дата установки «31.02.2027» не распознана" in out
    assert "строка 7: начальное показание «12,3456»: после запятой не больше 3 цифр" in out
    assert "строка 8: прибор ХВ-1 этого счёта уже встречался в строке 2" in out
    assert "добавлено 1, обновлено 0, без изменений 0, ошибок 6." in out
    assert list(Meter.objects.values_list("serial_number", flat=True)) == ["ХВ-1"]
