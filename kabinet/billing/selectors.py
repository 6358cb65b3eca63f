"""Reads for the cabinet's billing pages: the overview card, charges, receipts, history.

Every function takes the account the cabinet frame chose; nothing here accepts an id from a URL
without the account beside it, so one household never reads another's figures.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Max, Min, QuerySet, Sum

from kabinet.core.charts import format_number

from .models import Account, AccountPeriod, Accrual, Payment, Service, VolumeSource

ZERO = Decimal("0.00")

VOLUME_SOURCE_EXPLAINED = {
    VolumeSource.METER: "Объём — по показаниям прибора учёта.",
    VolumeSource.AVERAGE: "Объём — по среднемесячному расходу: показания за этот месяц не были переданы.",
    VolumeSource.NORM: "Объём — по нормативу потребления (не по показаниям прибора учёта).",
    VolumeSource.AREA: "Объём — по площади помещения.",
    VolumeSource.FIXED: "Фиксированная плата за месяц.",
}


def format_volume(value: Decimal) -> str:
    places = min(max(-value.normalize().as_tuple().exponent, 0), 3)
    return format_number(value, places)


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
    def explanation(self) -> list[str]:
        a = self.accrual
        lines = []
        if a.tariff is not None and a.volume is not None:
            lines.append(
                f"{format_volume(a.volume)} {self.unit_shown} × {format_number(a.tariff, 2)}\u00a0₽ "
                f"= {format_number(a.accrued)}\u00a0₽."
            )
        elif a.tariff is not None:
            tariff, accrued = format_number(a.tariff), format_number(a.accrued)
            lines.append(f"Тариф {tariff}\u00a0₽, начислено {accrued}\u00a0₽.")
        else:
            lines.append(f"Начислено {format_number(a.accrued)}\u00a0₽.")
        if a.volume_source:
            lines.append(VOLUME_SOURCE_EXPLAINED.get(a.volume_source, a.get_volume_source_display()))
        if a.recalculation:
            reason = (a.recalculation_reason or "причина не указана в данных начислений").rstrip()
            reason += "" if reason.endswith((".", "!", "?")) else "."
            lines.append(f"Перерасчёт {format_number(a.recalculation)}\u00a0₽: {reason}")
        if a.benefit:
            lines.append(f"Льгота: −{format_number(a.benefit)}\u00a0₽.")
        if a.recalculation or a.benefit:
            lines.append(
                f"К оплате: {format_number(a.accrued)} + ({format_number(a.recalculation)}) "
                f"− {format_number(a.benefit)} = {format_number(a.to_pay)}\u00a0₽."
            )
        return lines


@dataclass(frozen=True)
class Statement:
    """A month of one account: the lines by service, their totals and the balance."""

    account: Account
    period: date
    lines: list[ChargeLine]
    balance: AccountPeriod | None
    totals: dict[str, Decimal] = field(default_factory=dict)

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


def account_summary(account: Account) -> Summary:
    latest = AccountPeriod.objects.filter(account=account).order_by("-period").first()
    balance = latest.closing_balance if latest else ZERO
    if latest is not None:
        # Payments in a month the billing has no balance row for yet.
        later = Payment.objects.filter(account=account, period__gt=latest.period).aggregate(s=Sum("amount"))[
            "s"
        ]
        balance -= later or ZERO
    # The month last charged, for «начислено за …» and the due date: a month with payments only
    # (an online payment after the last import) has a balance row but nothing to pay by a date.
    charged = AccountPeriod.objects.filter(account=account).exclude(accrued=0).order_by("-period").first()
    return Summary(
        balance=balance,
        last_period=charged or latest,
        amount_due=max(balance, ZERO),
        last_payment=Payment.objects.filter(account=account).order_by("-paid_on", "-id").first(),
    )


def charge_periods(account: Account) -> list[date]:
    """Months with charges, newest first."""
    return list(
        Accrual.objects.filter(account=account)
        .order_by("-period")
        .values_list("period", flat=True)
        .distinct()
    )


def statement(account: Account, period: date) -> Statement | None:
    accruals = list(
        Accrual.objects.filter(account=account, period=period)
        .select_related("service")
        .order_by("service__order", "service__name")
    )
    if not accruals:
        return None
    totals = {
        name: sum((getattr(a, name) for a in accruals), ZERO)
        for name in ("accrued", "recalculation", "benefit", "to_pay")
    }
    return Statement(
        account=account,
        period=period,
        lines=[ChargeLine(a) for a in accruals],
        balance=AccountPeriod.objects.filter(account=account, period=period).first(),
        totals=totals,
    )


def monthly_totals(
    account: Account, *, months: int = 36, until: date | None = None
) -> list[tuple[date, Decimal]]:
    """(month, total to pay) for the last `months` months that have charges, oldest first."""
    rows = Accrual.objects.filter(account=account)
    if until is not None:
        rows = rows.filter(period__lte=until)
    totals = rows.values("period").annotate(total=Sum("to_pay")).order_by("-period")[:months]
    return sorted((row["period"], row["total"]) for row in totals)


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
    places = min(max(-value.normalize().as_tuple().exponent, 2), 4)
    return f"{format_number(value, places)}\u00a0₽"


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
