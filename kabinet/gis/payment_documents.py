"""The payment documents (ПД) of a month in ГИС ЖКХ's payment documents template.

The sheets and their columns are those EXCHANGE.md lists and a public billing producer fills
(docs/gis-zhkh.md): «Разделы 1-2» (a document per account, data from row 4, columns A–AM),
«Разделы 3-6» (a line per service, data from row 5, A–AJ), «ДПД», «Неустойки и судебные
расходы» (the penalties, data from row 3), «Услуги исполнителя» and «Капитальный ремонт» (left
with their header: ГИС fills its own reference lists; Kabinet keeps no capital repair fund).

ГИС knows a payer by the ИЖКУ (A of «Разделы 1-2»): an account whose ИЖКУ has not been loaded yet
(`import_gis accounts`) cannot be sent, and is counted apart. The columns ГИС fills (the ПД
identifier AK, its own total AL, the status AM) stay empty.
"""

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from itertools import islice

from django.db.models import Max

from kabinet.billing.models import AccountPeriod, Accrual, Payment, VolumeSource
from kabinet.core import formats
from kabinet.core.models import Company

from .workbook import Column, Sheet, add_sheet, new_workbook, write_row

TEMPLATE_TITLE = "Шаблон импорта платежных документов ГИС ЖКХ"
# ГИС's version number of this template was not found in public sources; the layout is named
# by its sheets' column ranges (docs/gis-zhkh.md says where it comes from).
TEMPLATE_VERSION = "Разделы 1-2 A–AM, Разделы 3-6 A–AJ"

SECTIONS_1_2 = Sheet(
    "Разделы 1-2",
    data_row=4,
    columns=tuple(
        Column(letter, title)
        for letter, title in (
            ("A", "Идентификатор ЖКУ"),
            ("B", "Тип ПД"),
            ("C", "Номер платежного документа"),
            ("D", "Расчетный период (ММ.ГГГГ)"),
            ("E", "Общая площадь для ЛС"),
            ("F", "Жилая площадь"),
            ("G", "Отапливаемая площадь"),
            ("H", "Количество проживающих"),
            ("I", "Сумма к оплате за расчетный период, руб. (по всему платежному документу)"),
            ("J", "Задолженность за предыдущие периоды"),
            ("K", "Аванс на начало расчетного периода"),
            ("L", "Оплачено денежных средств, руб."),
            ("M", "Учтены платежи, поступившие до указанного числа расчетного периода включительно"),
            ("N", "Дата последней поступившей оплаты"),
            ("O", "Субсидии, компенсации и иные меры соц. поддержки граждан, руб."),
            (
                "P",
                "Итого к оплате за расчетный период c учетом задолженности/переплаты, руб. "
                "(по всему платежному документу)",
            ),
            ("Q", "БИК банка"),
            ("R", "Расчетный счет"),
            ("S", "Размер взноса на кв.м, руб."),
            ("T", "Всего начислено за расчетный период, руб."),
            ("U", "Перерасчеты всего, руб."),
            ("V", "Льготы, субсидии, руб."),
            ("W", "Порядок расчетов"),
            ("X", "Основания перерасчетов"),
            ("Y", "Сумма, руб."),
            ("Z", "Итого к оплате за расчетный период, руб."),
            ("AA", "Поставщик услуги ОГРН"),
            ("AB", "Поставщик услуги КПП"),
            ("AC", "Номер платежного реквизита"),
            (
                "AD",
                "Итого к оплате за расчетный период по услугам, руб. (по всем услугам за расчетный период)",
            ),
            (
                "AE",
                "Сумма к оплате с учетом рассрочки платежа и процентов за рассрочку, руб. "
                "(Итого по всему платежному документу)",
            ),
            ("AF", "Итого к оплате по неустойкам и судебным издержкам"),
            ("AG", "Дополнительная информация"),
            (
                "AH",
                "Предельный (максимальный) индекс изменения размера платы граждан за коммунальные "
                "услуги в муниципальном образовании, %",
            ),
            ("AI", "Исполнитель услуги ОГРН"),
            ("AJ", "Исполнитель услуги КПП"),
            ("AK", "Идентификатор платежного документа"),
            ("AL", "(РАССЧИТАНО ГИС ЖКХ) Итого к оплате за расчетный период"),
            ("AM", "Статус обработки"),
        )
    ),
)
SECTIONS_3_6 = Sheet(
    "Разделы 3-6",
    data_row=5,
    columns=tuple(
        Column(letter, title)
        for letter, title in (
            ("A", "Номер платежного документа"),
            ("B", "Услуга"),
            ("C", "Единица измерения"),
            ("D", "Объем услуг - индивидуальное потребление - Способ определения объемов КУ"),
            ("E", "Объем услуг - индивидуальное потребление - Объем, площадь, количество"),
            ("F", "Объем услуг - общедомовые нужды - Способ определения объемов КУ"),
            ("G", "Объем услуг - общедомовые нужды - Объем, площадь, количество"),
            ("H", "Тариф руб./единица измерения Размер платы на кв. м, руб."),
            ("I", "Размер платы за коммунальные услуги, руб. - индивидуальное потребление"),
            (
                "J",
                "Размер платы за коммунальные услуги, руб. - потребление при содержании общего имущества",
            ),
            ("K", "Всего начислено за расчетный период, руб."),
            ("L", "Размер повышающего коэффициента"),
            (
                "M",
                "Размер превышения платы, рассчитанной с применением повышающего коэффициента над "
                "размером платы, рассчитанной без учета повышающего коэффициента",
            ),
            ("N", "Перерасчеты всего, руб."),
            ("O", "Льготы, субсидии, руб."),
            ("P", "Порядок расчетов"),
            ("Q", "Норматив потребления коммунальных ресурсов - в жилых помещениях"),
            (
                "R",
                "Норматив потребления коммунальных ресурсов - на потребление при содержании общего имущества",
            ),
            (
                "S",
                "Текущие показания приборов учета коммунальных ресурсов - индивидуальных (квартирных)",
            ),
            ("T", "Текущие показания приборов учета коммунальных ресурсов - коллективных (общедомовых)"),
            ("U", "Суммарный объем коммунальных ресурсов в доме - в помещениях дома"),
            ("V", "Суммарный объем коммунальных ресурсов в доме - в целях содержания общего имущества"),
            ("W", "Основания перерасчетов"),
            ("X", "Сумма, руб."),
            ("Y", "Сумма платы с учетом рассрочки платежа - от платы за расчетный период"),
            ("Z", "Сумма платы с учетом рассрочки платежа - от платы за предыдущие расчетные периоды"),
            ("AA", "Проценты за рассрочку - руб."),
            ("AB", "Проценты за рассрочку - %"),
            ("AC", "Сумма к оплате с учетом рассрочки платежа и процентов за рассрочку, руб."),
            ("AD", "Итого к оплате за расчетный период, руб. - Всего"),
            ("AE", "Итого к оплате за расчетный период, руб. - в т. ч. за ком. усл. - индивид. потребление"),
            (
                "AF",
                "Итого к оплате за расчетный период, руб. - в т. ч. за ком. усл. - потребление при "
                "содержании общего имущества",
            ),
            ("AG", "Поставщик услуги ОГРН"),
            ("AH", "Поставщик услуги КПП"),
            ("AI", "Номер платежного реквизита"),
            ("AJ", "Статус обработки"),
        )
    ),
)
EXTRA = Sheet(
    "ДПД",
    data_row=2,
    columns=(
        Column("A", "Номер платежного документа"),
        Column("B", "Услуга"),
        Column("C", "Период, ММ.ГГГГ"),
        Column("D", "Итого к оплате за период, руб."),
        Column("E", "Поставщик услуги ОГРН"),
        Column("F", "Поставщик услуги КПП"),
        Column("G", "Номер платежного реквизита"),
        Column("H", "Статус обработки"),
    ),
)
PENALTIES = Sheet(
    "Неустойки и судебные расходы",
    data_row=3,
    columns=(
        Column("A", "Номер платежного документа"),
        Column("B", "Вид начисления"),
        Column("C", "Основания начислений"),
        Column("D", "Сумма, руб."),
        Column("E", "Поставщик услуги ОГРН"),
        Column("F", "Поставщик услуги КПП"),
        Column("G", "Номер платежного реквизита"),
        Column("H", "Статус обработки"),
    ),
)
SERVICES = Sheet(
    "Услуги исполнителя",
    data_row=2,
    columns=(
        Column("A", "Наименование справочника"),
        Column("B", "Реестровый номер справочника"),
        Column("C", "Наименование позиции справочника"),
        Column("D", "Реестровый номер позиции"),
    ),
)
CAPITAL_REPAIR = Sheet(
    "Капитальный ремонт",
    data_row=2,
    columns=(
        Column("A", "Номер платежного документа"),
        Column("B", "Размер взноса на кв.м, руб."),
        Column("C", "Всего начислено за расчетный период, руб."),
        Column("D", "Перерасчеты всего, руб."),
        Column("E", "Льготы, субсидии, руб."),
        Column("F", "Порядок расчетов"),
        Column("G", "Итого к оплате за расчетный период, руб."),
        Column("H", "Поставщик услуги ОГРН"),
        Column("I", "Поставщик услуги КПП"),
        Column("J", "Период начисления"),
        Column("K", "Номер платежного реквизита"),
        Column("L", "Статус обработки"),
    ),
)
SHEETS = (SECTIONS_1_2, SECTIONS_3_6, EXTRA, PENALTIES, SERVICES, CAPITAL_REPAIR)

DOCUMENT_TYPE = "Текущий"
# How the volume was found, as ГИС's list (НСИ «Способ определения объемов КУ») names it.
VOLUME_WAYS = {VolumeSource.METER: "Прибор учета", VolumeSource.NORM: "Норматив"}
OTHER_WAY = "Иное"
PENALTY_KIND = "Пени"
PENALTY_GROUNDS = "ЖК РФ ст. 155 ч. 14"
_COMMON = re.compile(r"(?<![а-яё])(одн|сои)(?![а-яё])|общего имущества|общедомов")
MONEY = "0.00"
_FORMATS_1_2 = {letter: MONEY for letter in ("I", "J", "K", "L", "O", "P", "AD", "AF")} | {
    "E": "0.00",
    "N": "DD.MM.YYYY",
}
_FORMATS_3_6 = {letter: MONEY for letter in ("I", "J", "K", "N", "O", "X", "AD", "AE", "AF")} | {
    "E": "0.000###",
    "G": "0.000###",
    "H": "0.00##",
}


@dataclass(frozen=True)
class Written:
    documents: int  # payment documents written («Разделы 1-2» rows)
    lines: int  # service lines written («Разделы 3-6» rows)
    penalties: int  # penalty lines written («Неустойки и судебные расходы» rows)
    without_service_id: int  # accounts charged in the month without an ИЖКУ: not written

    def summary(self, period: date) -> str:
        """What was written, for the operator, in words."""
        text = (
            f"Платёжные документы за {formats.month(period)} для ГИС ЖКХ: "
            f"{formats.counted(self.documents, 'документ', 'документа', 'документов')}, "
            f"{formats.counted(self.lines, 'строка услуг', 'строки услуг', 'строк услуг')}"
        )
        if self.penalties:
            text += f", {formats.counted(self.penalties, 'строка пеней', 'строки пеней', 'строк пеней')}"
        text += "."
        if self.without_service_id:
            accounts = formats.counted(
                self.without_service_id, "лицевой счёт", "лицевых счёта", "лицевых счетов"
            )
            text += (
                f" Пропущено: {accounts} без идентификатора ЖКУ — загрузите ЕЛС и ИЖКУ из ГИС ЖКХ "
                "(«ГИС ЖКХ: ЕЛС и идентификаторы ЖКУ»)."
            )
        return text


def document_number(account_number: str, period: date) -> str:
    """The document's number in Kabinet: the account and the month, one per month."""
    return f"{account_number}-{period:%Y%m}"


def _day(value: date) -> datetime:
    return datetime(value.year, value.month, value.day)


def write(period: date, target) -> Written:
    """Write the payment documents of `period` to `target` (a path or a file object)."""
    workbook = new_workbook(title=TEMPLATE_TITLE, version=TEMPLATE_VERSION)
    caption = f"{TEMPLATE_TITLE}, раскладка: {TEMPLATE_VERSION}"
    ws = {sheet.name: add_sheet(workbook, sheet, caption=caption) for sheet in SHEETS}
    company = Company.load()
    rows = {sheet.name: sheet.data_row for sheet in SHEETS}
    without = 0
    balances = (
        AccountPeriod.objects.filter(period=period, charged=True)
        .select_related("account")
        .order_by("account__number")
    )
    for balance, accruals, last_paid in _documents_data(balances, period):
        account = balance.account
        if not account.service_id:
            without += 1
            continue
        number = document_number(account.number, period)
        services = [a for a in accruals if not a.service.is_penalty]
        penalties = [a for a in accruals if a.service.is_penalty]
        for accrual in services:
            write_row(ws[SECTIONS_3_6.name], SECTIONS_3_6, _line(number, accrual), _FORMATS_3_6)
            rows[SECTIONS_3_6.name] += 1
        for accrual in penalties:
            write_row(
                ws[PENALTIES.name],
                PENALTIES,
                {"A": number, "B": PENALTY_KIND, "C": PENALTY_GROUNDS, "D": accrual.to_pay},
                {"D": MONEY},
            )
            rows[PENALTIES.name] += 1
        values = _document(number, balance, company, services, penalties, last_paid)
        write_row(ws[SECTIONS_1_2.name], SECTIONS_1_2, values, _FORMATS_1_2)
        rows[SECTIONS_1_2.name] += 1
    workbook.save(target)
    return Written(
        documents=rows[SECTIONS_1_2.name] - SECTIONS_1_2.data_row,
        lines=rows[SECTIONS_3_6.name] - SECTIONS_3_6.data_row,
        penalties=rows[PENALTIES.name] - PENALTIES.data_row,
        without_service_id=without,
    )


def _documents_data(
    balances, period: date, chunk: int = 500
) -> Iterator[tuple[AccountPeriod, list, date | None]]:
    """Each balance with its accruals and its last payment date, read a chunk of accounts at a
    time: two queries per 500 accounts, not two per account (a company of 20 000 accounts waited a
    minute for its file)."""
    rows = balances.iterator(chunk_size=chunk)
    while group := list(islice(rows, chunk)):
        # Accounts without an ИЖКУ are only counted as skipped: nothing of theirs is read.
        numbers = [balance.account.number for balance in group if balance.account.service_id]
        accruals = defaultdict(list)
        for accrual in (
            Accrual.objects.filter(account__in=numbers, period=period)
            .select_related("service")
            .order_by("service__order", "service__name")
        ):
            accruals[accrual.account_id].append(accrual)
        last_paid = dict(
            Payment.objects.filter(account__in=[b.account_id for b in group], period=period)
            .values("account")
            .annotate(last=Max("paid_on"))
            .values_list("account", "last")
        )
        for balance in group:
            yield balance, accruals[balance.account.number], last_paid.get(balance.account_id)


def _document(
    number: str, balance: AccountPeriod, company: Company, services, penalties, last_paid: date | None
) -> dict[str, object]:
    account = balance.account
    opening = balance.opening_balance
    service_total = sum((a.to_pay for a in services), Decimal("0.00"))
    penalty_total = sum((a.to_pay for a in penalties), Decimal("0.00"))
    return {
        "A": account.service_id,
        "B": DOCUMENT_TYPE,
        "C": number,
        "D": f"{balance.period:%m.%Y}",
        "E": account.area,
        "I": balance.accrued,
        "J": opening if opening > 0 else Decimal("0.00"),
        "K": -opening if opening < 0 else Decimal("0.00"),
        "L": balance.paid,
        "N": _day(last_paid) if last_paid else None,
        "P": balance.amount_due,
        "Q": company.bik,
        "R": company.settlement_account,
        "AD": service_total,
        "AF": penalty_total if penalties else None,
    }


def _line(number: str, accrual: Accrual) -> dict[str, object]:
    common = bool(_COMMON.search(accrual.service.name.lower()))
    way = VOLUME_WAYS.get(accrual.volume_source, OTHER_WAY) if accrual.volume is not None else None
    communal = accrual.volume is not None and accrual.volume_source not in (
        VolumeSource.AREA,
        VolumeSource.FIXED,
    )
    values: dict[str, object] = {
        "A": number,
        "B": accrual.service.name,
        "C": accrual.unit or accrual.service.unit,
        "H": accrual.tariff,
        "K": accrual.accrued,
        "N": accrual.recalculation or None,
        "O": accrual.benefit or None,
        "AD": accrual.to_pay,
    }
    side = ("F", "G", "J", "AF") if common else ("D", "E", "I", "AE")
    if accrual.volume is not None:
        values[side[0]], values[side[1]] = way, accrual.volume
    if communal:
        values[side[2]], values[side[3]] = accrual.accrued, accrual.to_pay
    if accrual.recalculation:
        values["W"] = accrual.recalculation_reason or "перерасчёт по данным системы начислений"
        values["X"] = accrual.recalculation
    return values
