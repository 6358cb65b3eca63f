"""The fast road of accruals imports — on PostgreSQL the file goes with COPY into a table of its
own that becomes the partition of its months — stores and reports what the careful road does.

On SQLite the same files take the careful road, so every test but the PostgreSQL-only ones
checks the behaviour on both databases.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection

from kabinet.billing.imports import import_file
from kabinet.billing.imports.copyroad import blocks, partitions
from kabinet.billing.models import AccountPeriod, Accrual, Service
from kabinet.billing.tests.test_import_accruals import HEADER, NOV, OCT, careful_road, stored_accruals

pytestmark = pytest.mark.django_db
postgresql_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="partitions and COPY are PostgreSQL's"
)
DEC = datetime.date(2026, 12, 1)
REASON = "Температура ниже нормы 3–7 октября (акт от 08.10)"


def line(number="1000000001", period="2026-10-01", code="HVS", volume="3.200", to_pay="148.00", **over):
    """An accrual line as a billing system writes it plainly: numbers with points, every sum."""
    values = {
        "name": "Холодное водоснабжение",
        "unit": "м³",
        "tariff": "46.25",
        "source": "meter",
        "accrued": to_pay,
        "recalc": "0",
        "reason": "",
        "benefit": "0",
    } | over
    return (
        f"{number};{period};{code};{values['name']};{values['unit']};{values['tariff']};{volume};"
        f"{values['source']};{values['accrued']};{values['recalc']};{values['reason']};{values['benefit']};{to_pay}"
    )


PLAIN_FILE = [
    HEADER,
    line(),
    line(
        code="OTP",
        name="Отопление",
        unit="Гкал",
        tariff="2734.51",
        volume="0.9774",
        source="norm",
        accrued="2672.71",
        recalc="-120.35",
        reason=REASON,
        to_pay="2552.36",
    ),
    "",
    '1000000002;01.10.2026;TKO;"Обращение с ТКО";чел.;115.34;2;norm;230.68;0;"";115.34;115.34',
    line(
        number="1000000002",
        period="2026-11-01",
        code="SOD",
        name="Содержание жилого помещения",
        unit="м²",
        tariff="",
        volume="",
        source="",
        to_pay="1547.55",
    ),
    ";;;;;;;;;;;;",
]


@pytest.fixture
def accounts():
    from kabinet.billing.tests.factories import AccountFactory

    return [AccountFactory(number="1000000001"), AccountFactory(number="1000000002")]


def fast_road_taken(report) -> bool:
    return "чтение файла (COPY)" in report.timings


def balances() -> list[tuple]:
    return sorted(
        AccountPeriod.objects.values_list(
            "account__number", "period", "opening_balance", "accrued", "closing_balance"
        )
    )


def leftover_batches() -> list[str]:
    """Batch tables that are not partitions of billing_accrual."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relname LIKE 'billing\\_accrual\\_part\\_%%' "
            "AND relkind = 'r' AND NOT relispartition"
        )
        return [name for (name,) in cursor.fetchall()]


@pytest.mark.parametrize("decimal_comma", [False, True])
@pytest.mark.parametrize(("encoding", "bom"), [("utf-8", False), ("utf-8", True), ("cp1251", False)])
def test_a_plain_file_takes_the_fast_road_and_stores_what_the_careful_road_stores(
    accounts, write_file, encoding, bom, decimal_comma
):
    lines = PLAIN_FILE
    if decimal_comma:  # as 1C writes them; no text of the file holds a comma
        lines = [re.sub(r"(?<=;)(-?[0-9]+)\.([0-9]+)(?=;|$)", r"\1,\2", text) for text in lines]
    if encoding == "cp1251":
        lines = [text.replace("м³", "м3").replace("м²", "м2") for text in lines]
    path = write_file(lines, encoding=encoding, bom=bom)

    report = import_file(kind="accruals", path=path)
    fast, fast_balances = stored_accruals(), balances()
    again = careful_road(path)

    assert fast_road_taken(report) == (connection.vendor == "postgresql")
    assert (report.loaded, report.periods, report.errors, report.replaced) == (4, [OCT, NOV], [], 0)
    assert (again.loaded, again.periods, again.errors, again.replaced) == (4, [OCT, NOV], [], 4)
    assert stored_accruals() == fast
    assert balances() == fast_balances
    heating = Accrual.objects.get(service__code="OTP")
    assert (heating.recalculation, heating.recalculation_reason, heating.to_pay) == (
        Decimal("-120.35"),
        REASON,
        Decimal("2552.36"),
    )
    assert leftover_batches() == []


def test_reimporting_one_month_of_a_year_keeps_the_other_months(accounts, write_file):
    year = [HEADER, *(line(period=f"2026-{month:02d}-01") for month in range(1, 13))]
    import_file(kind="accruals", path=write_file(year, name="year.csv"))

    report = import_file(
        kind="accruals", path=write_file([HEADER, line(period="2026-11-01", to_pay="185.00")], name="nov.csv")
    )

    assert (report.loaded, report.replaced, report.periods) == (1, 1, [NOV])
    assert Accrual.objects.count() == 12
    assert Accrual.objects.get(period=NOV).to_pay == Decimal("185.00")
    assert Accrual.objects.get(period=OCT).to_pay == Decimal("148.00")
    december = AccountPeriod.objects.get(account__number="1000000001", period=DEC)
    assert december.closing_balance == Decimal("148.00") * 11 + Decimal("185.00")
    if connection.vendor == "postgresql":
        held = sorted(partitions.partitions().values())
        assert held == [[datetime.date(2026, m, 1) for m in (*range(1, 11), 12)], [NOV]]


def test_the_careful_road_writes_into_a_month_the_fast_road_loaded(accounts, write_file):
    import_file(kind="accruals", path=write_file([HEADER, line(), line(period="2026-11-01")], name="a.csv"))

    # «10.2026» is a period only the careful road reads
    report = import_file(
        kind="accruals", path=write_file([HEADER, line(period="10.2026", to_pay="200.00")], name="b.csv")
    )
    again = import_file(kind="accruals", path=write_file([HEADER, line(to_pay="300.00")], name="c.csv"))

    assert not fast_road_taken(report)
    assert (again.replaced, again.loaded) == (1, 1)
    assert sorted(Accrual.objects.values_list("period", "to_pay")) == [
        (OCT, Decimal("300.00")),
        (NOV, Decimal("148.00")),
    ]


HEATING_LINE = line(
    code="OTP", name="Отопление", unit="Гкал", tariff="2734.51", source="norm", volume="0.5", to_pay="1367.26"
)


@postgresql_only
def test_a_service_first_named_in_a_later_block_takes_the_fast_road(accounts, write_file, monkeypatch):
    monkeypatch.setattr(blocks, "_CHUNK", 200)  # a block of a line or two
    lines = [HEADER, line(), line(number="1000000002"), HEATING_LINE]

    report = import_file(kind="accruals", path=write_file(lines))

    assert fast_road_taken(report)
    assert (report.loaded, report.errors) == (3, [])
    assert Service.objects.get(code="OTP").name == "Отопление"
    assert Accrual.objects.get(service__code="OTP").unit == "Гкал"


@postgresql_only
def test_a_first_block_of_empty_rows_is_followed_by_the_rest(accounts, write_file, monkeypatch):
    monkeypatch.setattr(blocks, "_CHUNK", 20)  # the first block: the empty row alone
    report = import_file(kind="accruals", path=write_file([HEADER, "", line()]))

    assert fast_road_taken(report)
    assert (report.loaded, report.errors) == (1, [])


@pytest.mark.parametrize("chunk", [1 << 20, 200], ids=["one block", "a block a line"])
@pytest.mark.parametrize("other", [{"name": "ХВС"}, {"unit": "куб. м"}], ids=["name", "unit"])
def test_a_service_by_two_names_takes_the_careful_road(accounts, write_file, monkeypatch, chunk, other):
    """Which of the two is the service's is the careful road's to say; both roads say the same."""
    monkeypatch.setattr(blocks, "_CHUNK", chunk)
    path = write_file([HEADER, line(), line(number="1000000002", **other)])

    report = import_file(kind="accruals", path=path)
    service = Service.objects.values_list("name", "unit").get(code="HVS")
    careful = careful_road(path)

    assert not fast_road_taken(report)
    assert (report.loaded, report.errors) == (careful.loaded, careful.errors)
    assert Service.objects.values_list("name", "unit").get(code="HVS") == service


def test_a_file_naming_more_services_than_the_fast_road_takes_goes_the_careful_road(
    accounts, write_file, monkeypatch
):
    monkeypatch.setattr(blocks, "_MAX_SERVICES", 1)
    lines = [HEADER, line(), HEATING_LINE]

    report = import_file(kind="accruals", path=write_file(lines))

    assert not fast_road_taken(report)
    assert (report.loaded, report.errors) == (2, [])


@postgresql_only
def test_service_columns_in_another_order_take_the_fast_road(accounts, write_file):
    header = HEADER.split(";")
    order = [header.index(name) for name in reversed(header)]  # unit, then name, then code
    lines = [HEADER, line(), HEATING_LINE]
    path = write_file([";".join(text.split(";")[at] for at in order) for text in lines])

    report = import_file(kind="accruals", path=path)

    assert fast_road_taken(report)
    assert (report.loaded, report.errors) == (2, [])
    assert sorted(Service.objects.values_list("code", "name", "unit")) == [
        ("HVS", "Холодное водоснабжение", "м³"),
        ("OTP", "Отопление", "Гкал"),
    ]


def bad_row_is_reported_and_changes_nothing(write_file, bad: str, reason: str) -> None:
    """A month loaded, then a plain file with one bad row: the row reported, the month kept."""
    import_file(kind="accruals", path=write_file([HEADER, line(period="2026-11-01")], name="before.csv"))

    report = import_file(kind="accruals", path=write_file([HEADER, line(), bad]))

    assert (report.errors, report.applied) == ([(3, reason)], False)
    assert list(Accrual.objects.values_list("period", flat=True)) == [NOV]
    assert leftover_batches() == []


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (line(number="9999999999"), "лицевой счёт 9999999999 не найден — сначала загрузите лицевые счета"),
        (line(), "та же услуга по тому же счёту за тот же период уже была в строке 2"),
        (
            line(code="GVS", name="Горячее водоснабжение", accrued="148.00", to_pay="148.01"),
            "к оплате 148.01 не сходится: начислено 148.00 + перерасчёт 0 − льгота 0 = 148.00",
        ),
        (
            line(period="2026-10-15"),
            "период «2026-10-15» не распознан: нужен месяц, например 2026-10 или 10.2026",
        ),
    ],
)
def test_a_bad_row_in_a_plain_file_is_reported_by_the_careful_road_and_changes_nothing(
    accounts, write_file, bad, reason
):
    bad_row_is_reported_and_changes_nothing(write_file, bad, reason)


@postgresql_only
def test_an_abandoned_batch_is_dropped_by_the_next_import(accounts, write_file):
    table = partitions.new_batch_name()
    with partitions.side_connection() as cursor:
        partitions.create_batch(cursor, table)
    assert table in leftover_batches()

    report = import_file(kind="accruals", path=write_file([HEADER, line()]))

    assert fast_road_taken(report)
    assert leftover_batches() == []


@postgresql_only
def test_a_failing_progress_report_stops_the_import_and_leaves_no_batch(accounts, write_file):
    def progress(rows: int, share: float) -> None:
        raise RuntimeError("no room for the progress")

    with pytest.raises(RuntimeError, match="no room for the progress"):
        import_file(kind="accruals", path=write_file(PLAIN_FILE), progress=progress)

    assert Accrual.objects.count() == 0
    assert leftover_batches() == []


def test_a_third_import_in_one_transaction_after_a_replacing_one_is_taken_carefully(accounts, write_file):
    """In a caller's transaction (as in a test), an import that replaced months holds the
    accruals until it ends; the next import must not wait for it for ever."""
    for to_pay in ("148.00", "150.00"):
        import_file(kind="accruals", path=write_file([HEADER, line(to_pay=to_pay)]))

    report = import_file(kind="accruals", path=write_file([HEADER, line(to_pay="152.00")]))

    assert not fast_road_taken(report)
    assert (report.loaded, report.replaced, report.errors) == (1, 1, [])
    assert Accrual.objects.get().to_pay == Decimal("152.00")


@postgresql_only
def test_an_account_number_in_another_form_takes_the_careful_road(accounts, write_file):
    report = import_file(kind="accruals", path=write_file([HEADER, line(number="1000 000 001")]))

    assert not fast_road_taken(report)
    assert (report.loaded, report.errors) == (1, [])
    assert Accrual.objects.get().account.number == "1000000001"


@pytest.fixture
def committed_accounts(accounts):
    """The accounts committed, as the command and the upload worker find them (no transaction
    around the import): the batch's foreign keys are then made before its rows and checked once
    per account. The partitions the test attached are dropped after it."""
    yield accounts
    with partitions.side_connection() as cursor:
        for name in partitions.partitions():
            cursor.execute(f"DROP TABLE {name}")


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_a_plain_file_loads_with_its_balances(committed_accounts, write_file):
    report = import_file(kind="accruals", path=write_file(PLAIN_FILE))

    assert fast_road_taken(report)
    assert (report.loaded, report.periods, report.errors) == (4, [OCT, NOV], [])
    assert Accrual.objects.filter(account__number="1000000001").count() == 2
    november = AccountPeriod.objects.get(account__number="1000000002", period=NOV)
    assert (november.opening_balance, november.accrued) == (Decimal("115.34"), Decimal("1547.55"))
    assert leftover_batches() == []


@postgresql_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (line(number="9999999999"), "лицевой счёт 9999999999 не найден — сначала загрузите лицевые счета"),
        (line(), "та же услуга по тому же счёту за тот же период уже была в строке 2"),
    ],
)
def test_outside_a_transaction_a_bad_row_is_reported_and_changes_nothing(
    committed_accounts, write_file, bad, reason
):
    bad_row_is_reported_and_changes_nothing(write_file, bad, reason)
