"""Demo charges and payments for `make run`: the last 12 months of every demo account.

Tariffs are Tver-like and rise on 1 July (the yearly indexation); water and electricity come by
meter, heating and waste by the norm, one account has a heating recalculation with its reason
and a benefit, and one month is left unpaid so the cabinet shows a debt. Idempotent: the demo
accounts' accruals and billing payments are rewritten each time.
"""

import datetime
import random
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone

from . import balances
from .models import Account, Accrual, Payment, PaymentSource, Service, VolumeSource

SERVICES = [
    # code, name, unit, order, tariff before July, from July
    ("SOD", "Содержание жилого помещения", "м²", 10, "28.50", "31.20"),
    ("HVS", "Холодное водоснабжение", "м³", 20, "46.25", "51.35"),
    ("GVS", "Горячее водоснабжение", "м³", 30, "245.60", "272.60"),
    ("VOD", "Водоотведение", "м³", 40, "38.90", "43.20"),
    ("EL", "Электроэнергия", "кВт·ч", 50, "5.47", "6.08"),
    ("OTP", "Отопление", "Гкал", 60, "2734.51", "3035.31"),
    ("TKO", "Обращение с ТКО", "чел.", 70, "115.34", "128.03"),
]
HEATING_NORM = Decimal("0.0180")  # Гкал per m² a month, in the heating season
HEATING_MONTHS = {10, 11, 12, 1, 2, 3, 4}
CENT = Decimal("0.01")
RECALCULATED = "1000123461"
RECALCULATION_REASON = (
    "Перерасчёт за отопление: температура воздуха в квартире ниже нормативной "
    "5–9 декабря (акт обследования № 112 от 10.12)."
)
BENEFIT_SHARE = Decimal("0.5")  # ветеран труда: half of the waste charge
UNPAID_MONTHS_AGO = 3


def demo_periods(today: datetime.date) -> list[datetime.date]:
    """The 12 periods before the current month, oldest first."""
    month = today.replace(day=1)
    periods = []
    for _ in range(12):
        month = (month - datetime.timedelta(days=1)).replace(day=1)
        periods.append(month)
    return periods[::-1]


@transaction.atomic
def load_demo_billing(numbers: list[str], *, today: datetime.date | None = None) -> None:
    today = today or timezone.localdate()
    services = {}
    for code, name, unit, order, _, _ in SERVICES:
        services[code], _ = Service.objects.update_or_create(
            code=code, defaults={"name": name, "unit": unit, "order": order}
        )
    accounts = list(Account.objects.filter(number__in=numbers))
    Accrual.objects.filter(account__in=accounts).delete()
    Payment.objects.filter(account__in=accounts, source=PaymentSource.BILLING).delete()
    periods = demo_periods(today)
    accruals, payments = [], []
    for account in accounts:
        rng = random.Random(account.number)  # the same figures every time
        for index, period in enumerate(periods):
            lines = list(_lines(account, period, services, rng))
            accruals.extend(lines)
            months_ago = len(periods) - index
            paid_on = (period + datetime.timedelta(days=32)).replace(day=rng.randint(5, 14))
            if months_ago != UNPAID_MONTHS_AGO and paid_on <= today:
                amount = sum((line.to_pay for line in lines), Decimal(0))
                payments.append(_payment(account, period, paid_on, amount, rng))
    Accrual.objects.bulk_create(accruals)
    Payment.objects.bulk_create(payments)
    balances.rebuild_balances([account.pk for account in accounts])


def _lines(account: Account, period: datetime.date, services: dict, rng: random.Random):
    area = account.area or Decimal("50.00")
    summer = period.month in (7, 8, 9)  # less hot water and light in summer
    meter_less = account.number == "1000123462"  # no hot-water meter in this flat
    cold = _volume(rng, 3.0, 5.5)
    hot = Decimal("3.200") if meter_less else _volume(rng, 1.8, 3.4 if not summer else 2.6)
    yield _line(account, period, services["SOD"], area, VolumeSource.AREA)
    yield _line(account, period, services["HVS"], cold, VolumeSource.METER)
    yield _line(
        account, period, services["GVS"], hot, VolumeSource.NORM if meter_less else VolumeSource.METER
    )
    yield _line(account, period, services["VOD"], cold + hot, VolumeSource.METER)
    kwh = Decimal(rng.randint(110, 190) if summer else rng.randint(150, 260))
    yield _line(account, period, services["EL"], kwh, VolumeSource.METER)
    if period.month in HEATING_MONTHS:
        heating = (HEATING_NORM * area).quantize(Decimal("0.0001"))
        line = _line(account, period, services["OTP"], heating, VolumeSource.NORM)
        if account.number == RECALCULATED and period.month == 12:
            line.recalculation = Decimal("-350.12")
            line.recalculation_reason = RECALCULATION_REASON
        yield _settled(line)
    waste = _line(account, period, services["TKO"], Decimal(2), VolumeSource.NORM)
    if account.number == RECALCULATED:
        waste.benefit = (waste.accrued * BENEFIT_SHARE).quantize(CENT, ROUND_HALF_UP)
    yield _settled(waste)


def _line(account, period, service, volume: Decimal, source: str) -> Accrual:
    tariff = Decimal(next(s[4] if period.month < 7 else s[5] for s in SERVICES if s[0] == service.code))
    accrued = (tariff * volume).quantize(CENT, ROUND_HALF_UP)
    return _settled(
        Accrual(
            account=account,
            period=period,
            service=service,
            tariff=tariff,
            volume=volume,
            unit=service.unit,
            volume_source=source,
            accrued=accrued,
        )
    )


def _settled(line: Accrual) -> Accrual:
    line.to_pay = line.accrued + (line.recalculation or 0) - (line.benefit or 0)
    return line


def _volume(rng: random.Random, low: float, high: float) -> Decimal:
    return Decimal(rng.randint(int(low * 1000), int(high * 1000))) / 1000


def _payment(
    account: Account, period: datetime.date, paid_on: datetime.date, amount: Decimal, rng: random.Random
) -> Payment:
    where = rng.choice(["Сбербанк Онлайн", "Почта России", "касса УК", "ВТБ Онлайн"])
    return Payment(
        account=account,
        paid_on=paid_on,
        period=period,  # the period it pays for, as a billing system attributes it
        amount=amount,
        source=PaymentSource.BILLING,
        external_id=f"DEMO-{account.number}-{paid_on:%Y%m}",
        note=where,
    )
