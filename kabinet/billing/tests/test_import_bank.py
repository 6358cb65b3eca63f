"""Bank payment registries (`sber-registry`) and statements (`bank-statement`), fed the samples of
docs/samples/ as an operator would: the command's report, then what the books hold."""

import dataclasses
import datetime
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kabinet.billing.balances import rebuild_balances
from kabinet.billing.imports import ImportFileError, import_file
from kabinet.billing.imports.bank import profiles
from kabinet.billing.models import (
    Account,
    AccountPeriod,
    AgentTransfer,
    BankAgent,
    Payment,
    PaymentRegistry,
    PaymentSource,
    PurposePattern,
    UnmatchedPayment,
)
from kabinet.billing.tests.factories import AccountFactory
from kabinet.meters.models import Reading, Resource
from kabinet.meters.tests.factories import MeterFactory

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parents[3] / "docs" / "samples"
NOV = datetime.date(2026, 11, 1)
OCT = datetime.date(2026, 10, 1)
COMPANY_ACCOUNT = "40702810900000012345"
NB = "\u00a0"  # the no-break space of money: «2 695,55 ₽»


def run(kind: str, path: Path, *args: str) -> list[str]:
    out = StringIO()
    call_command("import_billing", kind, str(path), *args, "--no-progress", stdout=out, stderr=StringIO())
    return out.getvalue().splitlines()


def refused(kind: str, path: Path, *args: str) -> str:
    with pytest.raises(CommandError) as caught:
        run(kind, path, *args)
    return str(caught.value)


def books() -> tuple:
    """Everything a bank file may change, to show that a refused one changed nothing."""
    return (
        list(Payment.objects.values_list("external_id", "amount")),
        list(UnmatchedPayment.objects.values_list("external_id", "amount")),
        list(AccountPeriod.objects.values_list("account__number", "period", "paid")),
        list(Reading.objects.values_list("meter__serial_number", "value")),
        PaymentRegistry.objects.count(),
    )


@pytest.fixture
def accounts():
    return [AccountFactory(number="1000000001"), AccountFactory(number="1000000002")]


@pytest.fixture
def meters(accounts):
    """Ivanov's cold water (the first meter) and electricity; Petrova's meter is past verification."""
    return [
        MeterFactory(account=accounts[0], serial_number="ХВ-1", initial_value=Decimal("120.000")),
        MeterFactory(
            account=accounts[0],
            serial_number="Э-1",
            service=Resource.ELECTRICITY,
            digits_before=6,
            digits_after=0,
            initial_value=Decimal("18344"),
        ),
        MeterFactory(account=accounts[1], serial_number="ХВ-2", next_check_date=datetime.date(2025, 6, 1)),
    ]


def test_the_17_field_registry_records_each_line_once_and_rebuilds_balances(accounts):
    output = run("sber-registry", SAMPLES / "sber-17.txt")

    assert output[-1] == (
        f"Реестр платежей банка: реестр sber-17.txt: платежей 3 на 2{NB}695,55{NB}₽: записано 3, уже были 0, "
        f"неразнесённых 0; комиссия банка: 26,96{NB}₽."
    )
    payments = Payment.objects.order_by("amount")
    assert [(p.account.number, p.paid_on, p.period, p.amount, p.source) for p in payments] == [
        ("1000000001", datetime.date(2026, 11, 20), NOV, Decimal("148.00"), PaymentSource.BANK),
        ("1000000002", datetime.date(2026, 11, 20), OCT, Decimal("1000.00"), PaymentSource.BANK),
        ("1000000001", datetime.date(2026, 11, 20), NOV, Decimal("1547.55"), PaymentSource.BANK),
    ]
    assert payments[0].note == "Сбербанк, реестр sber-17.txt"
    assert AccountPeriod.objects.get(account__number="1000000001", period=NOV).paid == Decimal("1695.55")
    registry = PaymentRegistry.objects.get()
    assert (registry.profile, registry.rows, registry.total, registry.order_number) == (
        "sber-17",
        3,
        Decimal("2695.55"),
        "380",
    )


def test_loading_the_same_registry_again_changes_nothing(accounts):
    run("sber-registry", SAMPLES / "sber-17.txt")
    before = books()[:4]

    output = run("sber-registry", SAMPLES / "sber-17.txt")

    assert "записано 0, уже были 3, неразнесённых 0" in output[-1]
    assert books()[:4] == before


def test_a_payment_for_an_unknown_account_waits_in_the_unmatched_list(accounts):
    output = run("sber-registry", SAMPLES / "sber-short.txt", "--profile", "sber-short")

    assert output == [
        "строка 2: лицевой счёт 1000009999 не найден — платёж ждёт в «Неразнесённых платежах»",
        f"Реестр платежей банка: реестр sber-short.txt: платежей 2 на 2{NB}150,40{NB}₽: записано 1, уже "
        f"были 0, неразнесённых 1; комиссия банка: 21,50{NB}₽.",
    ]
    waiting = UnmatchedPayment.objects.get()
    assert (waiting.account_text, waiting.amount, waiting.payer, waiting.period, waiting.status) == (
        "1000009999",
        Decimal("500.00"),
        "Кузьмин Пётр Ильич",
        NOV,
        UnmatchedPayment.Status.WAITING,
    )
    assert not Payment.objects.filter(amount=Decimal("500.00")).exists()
    # Loaded again, it is not listed twice.
    assert "неразнесённых 0" in run("sber-registry", SAMPLES / "sber-short.txt")[-1]
    assert UnmatchedPayment.objects.count() == 1


def test_readings_typed_at_the_bank_become_readings_of_the_bank_channel(meters):
    output = run("sber-registry", SAMPLES / "sber-tagged.txt")

    assert output == [
        "строка 2: показание 00050,100 прибора ХВС № ХВ-2 не принято: срок поверки прибора истёк 1 июня "
        "2025. Такой прибор считается неисправным, и показания по нему не принимаются: начисление идёт "
        "по среднему или по нормативу. Закажите поверку или замену прибора и сообщите об этом в управляющую "
        "компанию.",
        f"Реестр платежей банка: реестр sber-tagged.txt: платежей 2 на 3{NB}700,00{NB}₽: записано 2, уже "
        f"были 0, неразнесённых 0; комиссия банка: 37,00{NB}₽; показаний принято 2, не принято 1.",
    ]
    readings = {r.meter.serial_number: r for r in Reading.objects.select_related("meter")}
    assert set(readings) == {"ХВ-1", "Э-1"}
    assert (readings["ХВ-1"].value, readings["ХВ-1"].period, readings["ХВ-1"].source) == (
        Decimal("128.420"),
        NOV,
        Reading.Source.BANK,
    )
    assert readings["Э-1"].value == Decimal("18500")
    assert readings["ХВ-1"].get_source_display() == "банк"
    # Loaded again: the payments are there already, and their readings are not submitted again.
    assert run("sber-registry", SAMPLES / "sber-tagged.txt")[-1].endswith(
        f"записано 0, уже были 2, неразнесённых 0; комиссия банка: 37,00{NB}₽."
    )
    assert Reading.objects.count() == 2


def test_a_reading_outside_the_window_is_refused_with_why(meters):
    from kabinet.meters.models import ReadingSchedule

    schedule = ReadingSchedule.load()
    schedule.opens_day, schedule.closes_day = 23, 25
    schedule.save()

    output = run("sber-registry", SAMPLES / "sber-tagged.txt")

    assert output[0] == (
        "строка 1: показание 00128,420 прибора ХВС № ХВ-1 не принято: 20 ноября 2026 показания не "
        "принимались. Окно приёма показаний откроется 23 ноября."
    )
    assert not Reading.objects.exists()
    assert Payment.objects.count() == 2  # the payments are recorded all the same


def test_a_registry_whose_totals_do_not_add_up_is_refused_whole(accounts, write_file):
    before = books()
    path = write_file(
        [
            "21.11.2026;09:41:07;8610;0123;7;1000000002;Петрова Анна Сергеевна;г. Пермь;11.2026;"
            "1650,40;1633,90;16,50",
            "=1;1650,00;1633,90;16,50;381;22.11.2026",
        ],
        encoding="cp1251",
        name="short.txt",
    )

    message = refused("sber-registry", path)

    assert message == (
        f"Итоговая строка реестра не сходится с платежами: в ней платежей 1 на 1{NB}650,00{NB}₽, а в файле "
        "1 на "
        f"1{NB}650,40{NB}₽. Файл не загружен, ничего не изменено: запросите у банка реестр заново."
    )
    assert books() == before


def test_a_registry_cut_short_is_refused(accounts, write_file):
    before = books()
    lines = (SAMPLES / "sber-short.txt").read_text(encoding="cp1251").splitlines()[:-1]
    path = write_file(lines, encoding="cp1251", name="cut.txt")

    message = refused("sber-registry", path)

    assert message == (
        "В файле «cut.txt» нет итоговой строки (она начинается с «=»): похоже, файл оборван. "
        "Ничего не изменено — запросите реестр у банка заново."
    )
    assert books() == before


def test_a_tagged_registry_without_a_totals_line_is_loaded_saying_nothing_was_compared(meters, write_file):
    lines = (SAMPLES / "sber-tagged.txt").read_text(encoding="cp1251").splitlines()[:-1]
    path = write_file(lines, encoding="cp1251", name="tagged-no-totals.txt")

    output = run("sber-registry", path)

    assert output[-1] == (
        f"Реестр платежей банка: реестр tagged-no-totals.txt: платежей 2 на 3{NB}700,00{NB}₽: записано 2, "
        f"уже были 0, неразнесённых 0; комиссия банка: 37,00{NB}₽; показаний принято 2, не принято 1; "
        "итоговой строки нет: сверка количества и суммы не выполнялась."
    )
    assert sorted(Payment.objects.values_list("account__number", "amount")) == [
        ("1000000001", Decimal("2500.00")),
        ("1000000002", Decimal("1200.00")),
    ]
    registry = PaymentRegistry.objects.get()
    # The bank's commission is the lines' own (25,00 and 12,00); no payment order is named.
    assert (
        registry.rows,
        registry.total,
        registry.commission,
        registry.transferred,
        registry.order_number,
    ) == (
        2,
        Decimal("3700.00"),
        Decimal("37.00"),
        None,
        "",
    )


def test_a_tagged_registry_whose_totals_line_disagrees_is_still_refused_whole(meters, write_file):
    before = books()
    lines = (SAMPLES / "sber-tagged.txt").read_text(encoding="cp1251").splitlines()
    path = write_file(
        [*lines[:-1], "=2;3600.00;3564.00;36.00;382;22.11.2026"], encoding="cp1251", name="t.txt"
    )

    message = refused("sber-registry", path)

    assert message.startswith(
        f"Итоговая строка реестра не сходится с платежами: в ней платежей 2 на 3{NB}600,00{NB}₽, а в файле "
        f"2 на 3{NB}700,00{NB}₽."
    )
    assert books() == before


def test_a_registry_in_utf8_is_refused_saying_to_save_it_in_windows_1251(accounts, write_file):
    before = books()
    lines = (SAMPLES / "sber-short.txt").read_text(encoding="cp1251").splitlines()
    path = write_file(lines, encoding="utf-8", name="utf8.txt")

    message = refused("sber-registry", path)

    assert message == (
        "Файл «utf8.txt» в кодировке UTF-8, а реестр Сбербанка ждёт Windows-1251: ФИО и адреса записались "
        "бы искажёнными. Ничего не изменено — сохраните файл в кодировке Windows-1251 и загрузите его снова "
        "или попросите банк присылать реестры в Windows-1251."
    )
    assert books() == before


def test_an_unknown_profile_is_refused_naming_the_known_ones(accounts):
    message = refused("sber-registry", SAMPLES / "sber-short.txt", "--profile", "vtb")

    assert message == (
        "Профиль «vtb» не известен. Есть профили: sber-17, sber-short, sber-tagged (docs/bank-formats.md)."
    )
    assert not PaymentRegistry.objects.exists()


def test_a_registry_of_no_known_layout_is_refused_naming_the_layouts_there_are(accounts, write_file):
    path = write_file(["21.11.2026;09:41:07;8610;0123;7;1000000002;Петрова;г. Пермь;11.2026", "=1;1,00"],
                      encoding="cp1251", name="nine.txt")  # fmt: skip

    message = refused("sber-registry", path)

    assert message == (
        f"Не удаётся определить формат реестра: в первой строке 9{NB}полей, а в известных форматах — "
        f"17 или 12{NB}полей (или поле CLIENTNO:). Укажите профиль (--profile): sber-17, sber-short, "
        "sber-tagged."
    )
    assert books()[-1] == 0


def test_the_layouts_named_in_that_refusal_follow_the_profiles_and_are_counted_in_good_russian(monkeypatch):
    wide = profiles.Profile(name="bank-21", title="Другой банк", fields=21, date=1, account=2, amount=3,
                            operation=(1,))  # fmt: skip
    tagged = profiles.Profile(name="bank-tags", title="Банк с метками", fields=4, date=1, account="LS",
                              amount=2, operation=(1,), tagged=True)  # fmt: skip
    monkeypatch.setitem(profiles.PROFILES, "bank-21", wide)
    monkeypatch.setitem(profiles.PROFILES, "bank-tags", tagged)

    with pytest.raises(ImportFileError) as caught:
        profiles.detect("21.11.2026")

    assert str(caught.value).startswith(
        f"Не удаётся определить формат реестра: в первой строке 1{NB}поле, а в известных форматах — "
        f"21, 17 или 12{NB}полей (или поле CLIENTNO: или поле LS:). Укажите профиль (--profile): "
    )
    assert profiles.detect("1;2;LS:1000000001;4") is tagged
    monkeypatch.delitem(profiles.PROFILES, "sber-17")
    monkeypatch.delitem(profiles.PROFILES, "sber-short")
    with pytest.raises(ImportFileError) as caught:
        profiles.detect("21.11.2026;1000000001")
    assert f"в первой строке 2{NB}поля, а в известных форматах — 21{NB}поле (или" in str(caught.value)


def pipe_profile(name: str = "bank-pipe", fields: int = 12) -> profiles.Profile:
    """A company's own profile (profiles.register): Sberbank's short layout with «|» between fields."""
    short = profiles.get("sber-short")
    return dataclasses.replace(
        short, name=name, title="Свой банк, поля через «|»", separator="|", fields=fields
    )


def test_a_profile_of_the_company_s_own_with_another_separator_is_found_without_naming_it(
    accounts, write_file, monkeypatch
):
    monkeypatch.setitem(profiles.PROFILES, "bank-pipe", pipe_profile())
    lines = (SAMPLES / "sber-short.txt").read_text(encoding="cp1251").replace(";", "|").splitlines()
    path = write_file(lines, encoding="cp1251", name="pipe.txt")

    output = run("sber-registry", path)

    assert output[-1].startswith(f"Реестр платежей банка: реестр pipe.txt: платежей 2 на 2{NB}150,40{NB}₽: ")
    registry = PaymentRegistry.objects.get()
    assert (registry.profile, registry.rows, registry.order_number) == ("bank-pipe", 2, "381")
    assert Payment.objects.get().amount == Decimal("1650.40")


def test_with_profiles_of_two_separators_the_refusal_counts_the_fields_at_each(
    accounts, write_file, monkeypatch
):
    monkeypatch.setitem(profiles.PROFILES, "bank-pipe", pipe_profile(fields=21))
    path = write_file(["21.11.2026;09:41:07;8610;0123;7;1000000002;Петрова|Анна;г. Пермь;11.2026", "=1;1,00"],
                      encoding="cp1251", name="nine.txt")  # fmt: skip

    message = refused("sber-registry", path)

    assert message == (
        f"Не удаётся определить формат реестра: в первой строке 9{NB}полей через «;», 2{NB}поля через «|», "
        f"а в известных форматах — 17 или 12{NB}полей через «;», 21{NB}поле через «|» (или поле CLIENTNO:). "
        f"Укажите профиль (--profile): {profiles.names()}."
    )
    assert "bank-pipe" in profiles.names()
    assert books()[-1] == 0


def test_a_line_that_two_profiles_read_alike_is_refused_naming_both(accounts, write_file, monkeypatch):
    twin = dataclasses.replace(profiles.get("sber-short"), name="bank-12", title="Другой банк, 12 полей")
    monkeypatch.setitem(profiles.PROFILES, "bank-12", twin)

    message = refused("sber-registry", SAMPLES / "sber-short.txt")

    assert message == (
        "Не удаётся определить формат реестра: первая строка подходит к профилям sber-short и bank-12. "
        "Укажите профиль (--profile)."
    )
    assert books()[-1] == 0
    assert "записано 1" in run("sber-registry", SAMPLES / "sber-short.txt", "--profile", "bank-12")[-1]


def test_a_bad_line_changes_nothing_unless_skipped(accounts, write_file):
    lines = [
        "21.11.2026;09:41:07;8610;0123;7;1000000002;Петрова Анна Сергеевна;г. Пермь;11.2026;"
        "1650,40;1633,90;16,50",
        "31.11.2026;09:42:00;8610;0123;8;1000000001;Иванов Иван Иванович;г. Пермь;11.2026;100,00;99,00;1,00",
        "=2;1750,40;1732,90;17,50;381;22.11.2026",
    ]
    path = write_file(lines, encoding="cp1251", name="bad.txt")

    with pytest.raises(CommandError):
        run("sber-registry", path)
    assert not Payment.objects.exists()

    output = run("sber-registry", path, "--skip-bad")

    assert output[0] == (
        "строка 2: дата оплаты «31.11.2026» не распознана: нужна дата, например 12.10.2026 или 2026-10-12"
    )
    assert output[-1].endswith(
        f"записано 1, уже были 0, неразнесённых 0; комиссия банка: 17,50{NB}₽; пропущено строк с ошибками 1."
    )


def short_line(operation: int, account: str, amount: str, *, payer: str = "Петрова Анна Сергеевна",
               address: str = "г. Пермь") -> str:  # fmt: skip
    """A payment line of the 12-field Sberbank layout, for November 2026."""
    where = f"{operation};{account};{payer};{address}"
    return f"21.11.2026;09:41:07;8610;0123;{where};11.2026;{amount};{amount};0,00"


def short_registry(write_file, lines: list[str], name: str) -> Path:
    total = sum(Decimal(line.split(";")[9].replace(",", ".")) for line in lines)
    money = str(total).replace(".", ",")
    return write_file(
        [*lines, f"={len(lines)};{money};{money};0,00;381;22.11.2026"], encoding="cp1251", name=name
    )


def test_a_registry_whose_sum_is_too_large_to_record_is_refused_whole(accounts, write_file):
    before = books()
    path = short_registry(
        write_file,
        [short_line(1, "1000000002", "999999999999,00"), short_line(2, "1000000002", "999999999999,00")],
        name="huge.txt",
    )

    message = refused("sber-registry", path, "--profile", "sber-short")

    assert message == (
        f"Сумма платежей реестра 1{NB}999{NB}999{NB}999{NB}998,00{NB}₽ больше, чем может быть в одном "
        f"реестре (меньше 1{NB}000{NB}000{NB}000{NB}000,00{NB}₽). Файл не загружен, ничего не изменено: "
        "проверьте суммы в файле."
    )
    assert books() == before


def balances_rows() -> list[tuple]:
    return list(
        AccountPeriod.objects.order_by("account__number", "period").values_list(
            "account__number", "period", "opening_balance", "accrued", "paid", "closing_balance", "charged"
        )
    )


def test_a_registry_overlapping_an_earlier_one_records_each_payment_once_and_balances_as_rebuilt_afresh(
    accounts, write_file
):
    first = short_registry(
        write_file,
        [short_line(1, "1000000001", "100,00"), short_line(2, "1000000002", "200,00")],
        "first.txt",
    )
    second = short_registry(
        write_file,
        [
            short_line(2, "1000000002", "200,00"),
            short_line(3, "1000000001", "300,00"),
            short_line(4, "1000000002", "400,00"),
        ],
        "second.txt",
    )
    run("sber-registry", first)

    output = run("sber-registry", second)

    assert output[-1].endswith("записано 2, уже были 1, неразнесённых 0.")
    assert sorted(Payment.objects.values_list("account__number", "amount")) == [
        ("1000000001", Decimal("100.00")),
        ("1000000001", Decimal("300.00")),
        ("1000000002", Decimal("200.00")),
        ("1000000002", Decimal("400.00")),
    ]
    imported = balances_rows()
    assert [(number, period, paid) for number, period, _, _, paid, _, _ in imported] == [
        ("1000000001", NOV, Decimal("400.00")),
        ("1000000002", NOV, Decimal("600.00")),
    ]
    rebuild_balances(Account.objects.values_list("id", flat=True))
    assert balances_rows() == imported


def test_a_registry_loaded_again_after_a_partial_one_adds_only_the_rest(accounts, write_file):
    lines = [short_line(n, "1000000001", f"{n}0,00") for n in range(1, 6)]
    run("sber-registry", short_registry(write_file, lines[:2], "part.txt"))

    output = run("sber-registry", short_registry(write_file, lines, "whole.txt"))

    assert output[-1].endswith("записано 3, уже были 2, неразнесённых 0.")
    assert Payment.objects.count() == 5
    assert AccountPeriod.objects.get(account__number="1000000001", period=NOV).paid == Decimal("150.00")


def test_names_and_amounts_written_loosely_are_stored_as_neatly_as_plain_ones(accounts, write_file):
    path = short_registry(
        write_file,
        [
            short_line(1, "3000000001", "150,50", payer="Сидоров Пётр", address="г. Пермь, ул. Мира, д. 1"),
            short_line(
                2, " 3000000002", "0150,50", payer=" Сидоров  Пётр ", address="г. Пермь,  ул. Мира, д. 1"
            ),
        ],
        "loose.txt",
    )

    run("sber-registry", path)

    assert sorted(UnmatchedPayment.objects.values_list("account_text", "payer", "address", "amount")) == [
        ("3000000001", "Сидоров Пётр", "г. Пермь, ул. Мира, д. 1", Decimal("150.50")),
        ("3000000002", "Сидоров Пётр", "г. Пермь, ул. Мира, д. 1", Decimal("150.50")),
    ]


def test_a_long_registry_reports_its_progress_as_it_is_read(accounts, write_file):
    path = short_registry(
        write_file, [short_line(n, "1000000001", "1,00") for n in range(1, 10_001)], "long.txt"
    )
    calls = []

    report = import_file(
        kind="sber-registry", path=path, progress=lambda rows, share: calls.append((rows, share))
    )

    assert report.loaded == 10_000
    assert len(calls) >= 2
    assert [rows for rows, _ in calls] == [4096, 8192]
    assert all(0 < share <= 1 for _, share in calls)


def statement(write_file, documents: list[list[tuple[str, str]]], name: str = "statement.txt") -> Path:
    lines = ["1CClientBankExchange", "ВерсияФормата=1.03", "Кодировка=Windows", f"РасчСчет={COMPANY_ACCOUNT}"]
    for values in documents:
        lines += ["СекцияДокумент=Платежное поручение", *(f"{k}={v}" for k, v in values), "КонецДокумента"]
    return write_file([*lines, "КонецФайла"], encoding="cp1251", name=name)


def order(
    number: str, amount: str, purpose: str, *, payer: str = "40817810500001234567", inn: str = ""
) -> list:
    return [
        ("Номер", number),
        ("Дата", "20.11.2026"),
        ("Сумма", amount),
        ("ПлательщикСчет", payer),
        ("ПлательщикИНН", inn),
        ("Плательщик1", "Иванов Иван Иванович"),
        ("ПолучательСчет", COMPANY_ACCOUNT),
        ("НазначениеПлатежа", purpose),
    ]


def test_the_sample_statement_records_residents_payments_and_recognises_the_agents_lump_sum(accounts):
    run("sber-registry", SAMPLES / "sber-short.txt")

    output = run("bank-statement", SAMPLES / "bank-statement.txt")

    assert output == [
        f"строка 44: п/п № 381 на 2{NB}128,90{NB}₽ — перечисление агента по реестру (реестр "
        "«sber-short.txt»), "
        "не оплата жителя",
        "строка 68: в назначении платежа не найден лицевой счёт — платёж ждёт в «Неразнесённых платежах»",
        f"Выписка банка (1С): выписка bank-statement.txt: платежей 2 на 4{NB}500,00{NB}₽: записано 1, уже "
        "были 0, "
        "неразнесённых 1; перечислений агентов (не оплаты жителей) 1.",
    ]
    payment = Payment.objects.get(external_id__startswith="S:")
    assert (payment.account.number, payment.amount, payment.period, payment.paid_on) == (
        "1000000001",
        Decimal("3000.00"),
        NOV,
        datetime.date(2026, 11, 20),
    )
    transfer = AgentTransfer.objects.get()
    assert (transfer.amount, transfer.number, transfer.registry.file_name) == (
        Decimal("2128.90"),
        "381",
        "sber-short.txt",
    )
    # The lump sum is not a payment: Petrova's money came once, from the registry.
    assert Payment.objects.filter(account__number="1000000002").count() == 1
    assert (
        UnmatchedPayment.objects.get(source="statement").reason
        == "в назначении платежа не найден лицевой счёт"
    )
    # And loaded again, nothing more.
    run("bank-statement", SAMPLES / "bank-statement.txt")
    assert (Payment.objects.count(), AgentTransfer.objects.count(), UnmatchedPayment.objects.count()) == (
        2,
        1,
        2,
    )


def test_a_payment_that_came_in_a_registry_is_not_counted_again_from_the_statement(accounts, write_file):
    run("sber-registry", SAMPLES / "sber-short.txt")
    path = statement(write_file, [order("55", "1650.40", "Оплата ЖКУ лс 1000000002 за 11.2026")])
    # The same money on the same day: moved in the statement to the 21st, as the registry has it.
    path.write_bytes(path.read_bytes().replace(b"20.11.2026", b"21.11.2026"))

    output = run("bank-statement", path)

    assert output[-1].endswith("записано 0, уже были 1, неразнесённых 0.")
    assert Payment.objects.filter(account__number="1000000002").count() == 1
    assert AccountPeriod.objects.get(account__number="1000000002", period=NOV).paid == Decimal("1650.40")


def test_an_account_after_licevoy_schet_in_any_case_of_the_words_is_found(accounts, write_file):
    path = statement(
        write_file,
        [
            order("57", "100.00", "Оплата по лицевому счёту 1000000001 за октябрь 2026"),
            order("58", "200.00", "ЖКУ лицевого счета 1000000002, октябрь 2026"),
        ],
    )

    run("bank-statement", path)

    assert sorted(Payment.objects.values_list("account__number", "period")) == [
        ("1000000001", OCT),
        ("1000000002", OCT),
    ]


def test_a_purpose_written_only_in_its_numbered_lines_is_read_joined_in_order(accounts, write_file):
    lines_only = [(k, v) for k, v in order("60", "100.00", "") if k != "НазначениеПлатежа"]
    empty_whole = order("61", "200.00", "")  # `НазначениеПлатежа=` is there, but empty
    path = statement(
        write_file,
        [
            [*lines_only, ("НазначениеПлатежа1", "Оплата ЖКУ л/с"), ("НазначениеПлатежа2", "1000000001 за")],
            [
                *empty_whole,
                ("НазначениеПлатежа1", "Кв. плата лс 1000000002"),
                ("НазначениеПлатежа3", "10.2026"),
            ],
        ],
    )

    output = run("bank-statement", path)

    assert output[-1].endswith("записано 2, уже были 0, неразнесённых 0.")
    assert sorted(Payment.objects.values_list("account__number", "amount", "period")) == [
        ("1000000001", Decimal("100.00"), NOV),
        ("1000000002", Decimal("200.00"), OCT),
    ]


def test_the_company_extends_the_purpose_patterns(accounts, write_file):
    path = statement(write_file, [order("56", "700.00", "Кв.плата; абонент 1000000002; период 102026")])
    PurposePattern.objects.create(
        name="абонент", regex=r"абонент\s+(?P<account>\d+).*период\s+(?P<period>\d{6})"
    )

    run("bank-statement", path)

    payment = Payment.objects.get()
    assert (payment.account.number, payment.period) == ("1000000002", OCT)


def test_an_agent_listed_by_its_inn_is_a_lump_sum_whatever_its_purpose(accounts, write_file):
    BankAgent.objects.create(name="ПАО Сбербанк", inn="7707083893")
    path = statement(
        write_file, [order("57", "9000.00", "Перечисление за 20.11.2026 л/с 1000000001", inn="7707083893")]
    )

    output = run("bank-statement", path)

    assert not Payment.objects.exists()
    assert AgentTransfer.objects.get().agent.name == "ПАО Сбербанк"
    assert "перечислений агентов (не оплаты жителей) 1" in output[-1]


def test_a_statement_cut_short_is_refused(accounts, write_file):
    path = statement(write_file, [order("58", "100.00", "л/с 1000000001")])
    path.write_bytes(path.read_bytes().replace("КонецФайла".encode("cp1251"), b""))

    message = refused("bank-statement", path)

    assert (
        message == "Файл «statement.txt» оборван: нет строки «КонецФайла». "
        "Ничего не изменено — выгрузите выписку заново."
    )
    assert not Payment.objects.exists()


def test_a_file_that_is_not_a_statement_is_refused(accounts):
    message = refused("bank-statement", SAMPLES / "sber-short.txt")

    assert message.startswith("Файл «sber-short.txt» не в формате обмена 1С с банком")


def test_a_registrys_payments_leave_the_balances_a_full_rebuild_would_write_later_months_too(
    accounts, write_file
):
    dec = datetime.date(2026, 12, 1)
    for account, periods in ((accounts[0], (OCT, dec)), (accounts[1], (NOV, dec))):
        for n, period in enumerate(periods):
            Payment.objects.create(
                account=account, paid_on=period, period=period, amount=Decimal("50.00"),
                source=PaymentSource.BILLING, external_id=f"{account.number}-{n}",
            )  # fmt: skip
    rebuild_balances(Account.objects.values_list("id", flat=True))
    path = short_registry(
        write_file,
        [
            short_line(1, "1000000001", "100,00"),  # November: the first account has no balance for it yet
            short_line(2, "1000000002", "200,00"),  # November and December's balances there: updated
            short_line(3, "1000000002", "0,50"),
        ],
        "reestr.txt",
    )

    run("sber-registry", path)

    imported = balances_rows()
    assert [(number, period, paid, closing) for number, period, _, _, paid, closing, _ in imported] == [
        ("1000000001", OCT, Decimal("50.00"), Decimal("-50.00")),
        ("1000000001", NOV, Decimal("100.00"), Decimal("-150.00")),
        ("1000000001", dec, Decimal("50.00"), Decimal("-200.00")),
        ("1000000002", NOV, Decimal("250.50"), Decimal("-250.50")),
        ("1000000002", dec, Decimal("50.00"), Decimal("-300.50")),
    ]
    rebuild_balances(Account.objects.values_list("id", flat=True))
    assert balances_rows() == imported
