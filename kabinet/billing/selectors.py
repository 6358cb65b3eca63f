"""Reads for the cabinet's billing pages: the overview card, charges, payment documents, history.

Every function takes the account the cabinet frame chose; nothing here accepts an id from a URL
without the account beside it, so one household never reads another's figures.
"""

import functools
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from html import escape

from django.core.cache import cache
from django.db import connection
from django.db.models import Max, Min, QuerySet
from django.utils.safestring import SafeString, mark_safe

from kabinet.core import rows
from kabinet.core.formats import money, number, places, quantity

from .models import Account, AccountPeriod, Accrual, Payment, Service, VolumeSource

ZERO = Decimal("0.00")

VOLUME_SOURCE_EXPLAINED = {
    VolumeSource.METER: "Объём — по показаниям прибора учёта.",
    VolumeSource.AVERAGE: "Объём — по среднемесячному расходу: показания за этот месяц не были переданы.",
    VolumeSource.NORM: "Объём — по нормативу потребления (не по показаниям прибора учёта).",
    VolumeSource.AREA: "Объём — по площади помещения.",
    VolumeSource.FIXED: "Фиксированная плата за месяц.",
}


@dataclass(frozen=True)
class ChargeLine:
    """One service of one month, with the answer to «how was this calculated?»."""

    accrual: Accrual

    def __getattr__(self, name: str):
        return getattr(self.accrual, name)

    @property
    def service_name(self) -> str:
        return self.accrual.service.name

    @property
    def unit_shown(self) -> str:
        return self.accrual.unit or self.accrual.service.unit

    @property
    def is_penalty(self) -> bool:
        return self.accrual.service.is_penalty

    @functools.cached_property
    def shown(self) -> dict[str, str]:
        """The line's cells on the charges page, as written there: «—» for nothing (made here
        at once: eight lines of filters and conditions cost the page a good part of its time)."""
        a = self.accrual
        return {
            "volume": "—" if a.volume is None else f"{quantity(a.volume)} {self.unit_shown}".rstrip(),
            "tariff": "—" if a.tariff is None else number(a.tariff),
            "accrued": number(a.accrued),
            "recalculation": number(a.recalculation) if a.recalculation else "—",
            "benefit": number(a.benefit) if a.benefit else "—",
            "to_pay": number(a.to_pay),
        }

    @property
    def explanation_items(self) -> SafeString:
        """The explanation as the list items of «Как посчитано?» (one value for the template,
        not a loop of its own in each line); each text escaped as in the charges tags."""
        return mark_safe("".join(f"<li>{escape(text)}</li>" for text in self.explanation))

    @property
    def explanation(self) -> list[str]:
        a = self.accrual
        if self.is_penalty:
            return _penalty_explanation(a)
        lines = []
        if a.tariff is not None and a.volume is not None:
            lines.append(f"{quantity(a.volume)} {self.unit_shown} × {money(a.tariff)} = {money(a.accrued)}.")
        elif a.tariff is not None:
            lines.append(f"Тариф {money(a.tariff)}, начислено {money(a.accrued)}.")
        else:
            lines.append(f"Начислено {money(a.accrued)}.")
        if a.volume_source:
            # get_…_display() only for a source without its sentence: it costs more than the rest.
            lines.append(VOLUME_SOURCE_EXPLAINED.get(a.volume_source) or a.get_volume_source_display())
        if a.recalculation:
            reason = (a.recalculation_reason or "причина не указана в данных начислений").rstrip()
            reason += "" if reason.endswith((".", "!", "?")) else "."
            lines.append(f"Перерасчёт {money(a.recalculation)}: {reason}")
        if a.benefit:
            lines.append(f"Льгота: −{money(a.benefit)}.")
        if a.recalculation or a.benefit:
            lines.append(
                f"К оплате: {number(a.accrued)} + ({number(a.recalculation)}) "
                f"− {number(a.benefit)} = {money(a.to_pay)}."
            )
        return lines


def _penalty_explanation(a: Accrual) -> list[str]:
    lines = [
        f"Пени за несвоевременную или неполную оплату (ЖК РФ ст. 155 ч. 14): {money(a.accrued)}, "
        "по расчёту системы начислений."
    ]
    if a.recalculation:
        reason = (a.recalculation_reason or "причина не указана в данных начислений").rstrip(".")
        lines.append(f"Перерасчёт пеней {money(a.recalculation)}: {reason}.")
    if a.recalculation or a.benefit:
        lines.append(f"К оплате: {money(a.to_pay)}.")
    return lines


@dataclass(frozen=True)
class PaymentDocument:
    """The payment document (ЕПД, «квитанция») of a month of one account: the lines by service,
    the penalties (пени) apart from them, the totals and the balance.

    `totals` are the whole document's (services and penalties), as the balance counts them;
    `service_totals` the services' alone, shown above the penalties when there are any."""

    account: Account
    period: date
    lines: list[ChargeLine]
    balance: AccountPeriod | None
    totals: dict[str, Decimal] = field(default_factory=dict)
    penalties: list[ChargeLine] = field(default_factory=list)
    service_totals: dict[str, Decimal] = field(default_factory=dict)

    @property
    def penalty_total(self) -> Decimal:
        return sum((line.accrual.to_pay for line in self.penalties), ZERO)

    @property
    def amount_due(self) -> Decimal:
        if self.balance is not None:
            return self.balance.amount_due
        return max(self.totals["to_pay"], ZERO)


@dataclass(frozen=True)
class Summary:
    """The overview card: where the account stands now."""

    balance: Decimal  # above zero a debt, below zero an overpayment
    last_period: AccountPeriod | None
    amount_due: Decimal
    last_payment: Payment | None

    @property
    def due_date(self) -> date | None:
        return self.last_period.due_date if self.last_period else None

    @property
    def is_debt(self) -> bool:
        return self.balance > 0

    @property
    def overpayment(self) -> Decimal:
        return -self.balance if self.balance < 0 else ZERO


# The latest balance rows the overview reads: the latest month, and among these the latest month
# charged (months with payments only come after it: an online payment after the last import).
SUMMARY_ROWS = 3

# Every overview and the payment page run it: written out once rather than built by the ORM on
# each request (building this SQL cost more than running it). Each balance row comes with the
# payments counted after its month (a month the billing has no balance row for yet) and the
# account's last payment; every part is an index lookup.
_LAST_PAYMENT = (
    "(SELECT p.{} FROM billing_payment p WHERE p.account_id = ap.account_id "
    "ORDER BY p.paid_on DESC, p.id DESC LIMIT 1)"
)
_SUMMARY_SQL = (
    "SELECT ap.id, ap.period, ap.opening_balance, ap.accrued, ap.paid, ap.closing_balance, ap.due_date, "
    "ap.charged, (SELECT SUM(p.amount) FROM billing_payment p WHERE p.account_id = ap.account_id "
    f"AND p.period > ap.period), {_LAST_PAYMENT.format('id')}, {_LAST_PAYMENT.format('amount')}, "
    f"{_LAST_PAYMENT.format('paid_on')} FROM billing_accountperiod ap WHERE ap.account_id = %s "
    f"ORDER BY ap.period DESC LIMIT {SUMMARY_ROWS}"
)


def _money(value) -> Decimal | None:
    # SQLite gives numbers as int or float, PostgreSQL as Decimal.
    if value is None or isinstance(value, Decimal):
        return value
    return Decimal(str(value)).quantize(Decimal("0.01"))


def _day(value) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value  # SQLite gives text


def account_summary(account: Account) -> Summary:
    """Where the account stands, read in one query."""
    with connection.cursor() as cursor:
        cursor.execute(_SUMMARY_SQL, [account.pk])
        rows = cursor.fetchall()
    if not rows:
        return Summary(
            balance=ZERO,
            last_period=None,
            amount_due=ZERO,
            last_payment=Payment.objects.filter(account=account).order_by("-paid_on", "-id").first(),
        )
    periods = [_balance_row(account, row) for row in rows]
    latest, (later_paid, payment_id, payment_amount, payment_paid_on) = periods[0], rows[0][8:]
    balance = latest.closing_balance - (_money(later_paid) or ZERO)
    # The month last charged, for «начислено за …» and the due date: a month with payments only
    # has a balance row but nothing to pay by a date.
    charged = next((row for row in periods if row.charged), None)
    if charged is None and len(periods) == SUMMARY_ROWS:
        charged = AccountPeriod.objects.filter(account=account, charged=True).order_by("-period").first()
    last_payment = None
    if payment_id is not None:
        last_payment = Payment(
            pk=payment_id, account=account, amount=_money(payment_amount), paid_on=_day(payment_paid_on)
        )
    return Summary(
        balance=balance,
        last_period=charged or latest,
        amount_due=max(balance, ZERO),
        last_payment=last_payment,
    )


_BALANCE_COLUMNS = "id, period, opening_balance, accrued, paid, closing_balance, due_date, charged"
_CHARGED_MONTHS_SQL = (
    f"SELECT {_BALANCE_COLUMNS} FROM billing_accountperiod WHERE account_id = %s AND charged "
    "ORDER BY period DESC"
)


_BALANCE_NAMES = ["id", "account_id", *_BALANCE_COLUMNS.split(", ")[1:]]


def _balance_row(account: Account, row: tuple) -> AccountPeriod:
    """An AccountPeriod from the columns of _BALANCE_COLUMNS, its account the one given (made as
    the ORM makes the rows it reads: a dozen a page, each once)."""
    values = [row[0], account.pk, _day(row[1]), *(_money(v) for v in row[2:6]), _day(row[6]), bool(row[7])]
    balance = AccountPeriod.from_db(connection.alias, _BALANCE_NAMES, values)
    AccountPeriod.account.field.set_cached_value(balance, account)
    return balance


def charged_months(account: Account) -> list[AccountPeriod]:
    """The account's months with charges, newest first, with their totals and balances: one
    row per month of the balances, however many monthly partitions the accruals have. (Every
    «Начисления» page asks: written out once, not built by the ORM each time.)"""
    return [month.balance(account) for month in charged_month_list(account)]


@dataclass(frozen=True)
class ChargedMonth:
    """A month with charges as «Начисления» lists it (the picker, the chart): its month and
    what was charged; its whole balance row only for the month shown (`balance`). Years of
    months are listed without a model instance each."""

    period: date
    accrued: Decimal
    row: tuple

    def balance(self, account: Account) -> AccountPeriod:
        return _balance_row(account, self.row)


def charged_month_list(account: Account) -> list[ChargedMonth]:
    """`charged_months` without the balances made: newest first."""
    with connection.cursor() as cursor:
        cursor.execute(_CHARGED_MONTHS_SQL, [account.pk])
        return [ChargedMonth(_day(row[1]), _money(row[3]), row) for row in cursor.fetchall()]


def charge_periods(account: Account) -> list[date]:
    """Months with charges, newest first."""
    return [row.period for row in charged_months(account)]


_BALANCE_UNREAD = object()


@functools.cache
def _month_sql(vendor: str) -> str:
    """A month's accruals with their services, as `select_related("service")` reads them: written
    once per process (building this query cost the «Начисления» page more than running it)."""
    quote = connection.ops.quote_name
    return (
        f"SELECT {rows.of(Accrual).columns('a')}, {rows.of(Service).columns('s')} FROM billing_accrual a "
        "JOIN billing_service s ON s.code = a.service_id WHERE a.account_id = %s AND a.period = %s "
        f"ORDER BY s.{quote('order')}, s.name"
    )


def month_accruals(account: Account, period: date) -> list[Accrual]:
    """The month's accruals of the account, each with its service, in the services' order."""
    with connection.cursor() as cursor:
        cursor.execute(_month_sql(connection.vendor), [account.number, period])
        found = cursor.fetchall()
    accrual, service = rows.of(Accrual), rows.of(Service)
    service_field = Accrual._meta.get_field("service")
    accruals = []
    for row in found:
        line = accrual.instance(row[: accrual.width])
        service_field.set_cached_value(line, service.instance(row[accrual.width :]))
        accruals.append(line)
    return accruals


def payment_document(account: Account, period: date, *, balance=_BALANCE_UNREAD) -> PaymentDocument | None:
    """The month's lines by service. `balance`: the month's AccountPeriod (or None) when the
    caller has read it already."""
    accruals = month_accruals(account, period)
    if not accruals:
        return None
    if balance is _BALANCE_UNREAD:
        balance = AccountPeriod.objects.filter(account=account, period=period).first()
    services = [ChargeLine(a) for a in accruals if not a.service.is_penalty]
    penalties = [ChargeLine(a) for a in accruals if a.service.is_penalty]
    return PaymentDocument(
        account=account,
        period=period,
        lines=services,
        balance=balance,
        totals=_totals(accruals),
        penalties=penalties,
        service_totals=_totals([line.accrual for line in services]),
    )


def _totals(accruals: list[Accrual]) -> dict[str, Decimal]:
    return {
        name: sum((getattr(a, name) for a in accruals), ZERO)
        for name in ("accrued", "recalculation", "benefit", "to_pay")
    }


def monthly_totals(
    account: Account,
    *,
    months: int = 36,
    until: date | None = None,
    rows: list[AccountPeriod] | list[ChargedMonth] | None = None,
) -> list[tuple[date, Decimal]]:
    """(month, total to pay) for the last `months` months that have charges, oldest first
    (`rows`: the account's `charged_months` or `charged_month_list`, when the caller has them)."""
    if rows is None:
        rows = charged_month_list(account)
    chosen = [row for row in rows if until is None or row.period <= until][:months]
    return sorted((row.period, row.accrued) for row in chosen)


def payment_history(account: Account) -> QuerySet[Payment]:
    return (
        Payment.objects.filter(account=account).select_related("online_payment").order_by("-paid_on", "-id")
    )


# --- Tariffs for the public site («Тарифы и услуги») -------------------------------------------

TARIFFS_CACHE_KEY = "public:tariffs"
TARIFFS_CACHE_SECONDS = 600  # the billing data changes with an import, not from minute to minute


@dataclass(frozen=True)
class Tariff:
    """A service with the tariff the latest month of the billing data charged it at."""

    service: str
    unit: str
    low: Decimal | None
    high: Decimal | None

    @property
    def shown(self) -> str:
        """«52,31 ₽ за м³»; «от 28,50 до 31,20 ₽ за м²» where houses differ; «—» without one."""
        if self.low is None or self.high is None:
            return "—"
        per = f" за\u00a0{self.unit}" if self.unit else ""
        if self.low == self.high:
            return f"{_tariff(self.low)}{per}"
        return f"от {_tariff(self.low)} до {_tariff(self.high)}{per}"


@dataclass(frozen=True)
class TariffList:
    period: date | None  # the month the tariffs were last charged in
    tariffs: list[Tariff]


def _tariff(value: Decimal) -> str:
    # Tariffs are set to the kopeck or to hundredths of a kopeck (6,1745 ₽ за кВт·ч): as many places.
    return money(value, places(value, least=2, most=4))


def current_tariffs() -> TariffList:
    """Every service the billing data knows, with its tariff in the latest month charged."""
    cached = cache.get(TARIFFS_CACHE_KEY)
    if cached is not None:
        return cached
    period = Accrual.objects.aggregate(latest=Max("period"))["latest"]
    charged = {}
    if period is not None:
        rows = (
            Accrual.objects.filter(period=period)
            .values("service_id")
            .annotate(low=Min("tariff"), high=Max("tariff"), unit=Max("unit"))
        )
        charged = {row["service_id"]: row for row in rows}
    tariffs = []
    for service in Service.objects.order_by("order", "name"):
        row = charged.get(service.code, {})
        tariffs.append(
            Tariff(
                service=service.name,
                unit=row.get("unit") or service.unit,
                low=row.get("low"),
                high=row.get("high"),
            )
        )
    result = TariffList(period=period, tariffs=tariffs)
    cache.set(TARIFFS_CACHE_KEY, result, TARIFFS_CACHE_SECONDS)
    return result
