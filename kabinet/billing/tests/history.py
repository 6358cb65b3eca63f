"""Charges, balances and payments for tests of the cabinet pages, the way the billing imports
leave them: one AccountPeriod per month whose balance carries over to the next."""

from datetime import date, timedelta
from decimal import Decimal

from kabinet.billing.due_dates import payment_due
from kabinet.billing.models import (
    Account,
    AccountPeriod,
    Accrual,
    Payment,
    PaymentSource,
    Service,
    VolumeSource,
)
from kabinet.core.models import Company
from kabinet.residents.models import Resident, ResidentAccount

PASSWORD = "Sunflower-Tver-1961"

# code, name, unit, tariff, volume, how the volume was found
LINES = [
    ("maint", "Содержание жилого помещения", "м²", "28.50", "54.30", VolumeSource.AREA),
    ("cold", "Холодное водоснабжение", "м³", "52.31", "4.512", VolumeSource.METER),
    ("hot", "Горячее водоснабжение", "м³", "245.10", "2.800", VolumeSource.AVERAGE),
    ("power", "Электроэнергия", "кВт·ч", "6.17", "180", VolumeSource.NORM),
]


def next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def add_month(
    account: Account,
    period: date,
    *,
    opening: Decimal,
    paid: Decimal = Decimal("0"),
    recalculation: Decimal = Decimal("0"),
    reason: str = "",
    benefit: Decimal = Decimal("0"),
) -> AccountPeriod:
    total = Decimal("0")
    for index, (code, name, unit, tariff, volume, source) in enumerate(LINES):
        service, _ = Service.objects.get_or_create(
            code=code, defaults={"name": name, "unit": unit, "order": index}
        )
        accrued = (Decimal(tariff) * Decimal(volume)).quantize(Decimal("0.01"))
        recalc = recalculation if index == 1 else Decimal("0")
        ben = benefit if index == 0 else Decimal("0")
        accrual = Accrual.objects.create(
            account=account,
            period=period,
            service=service,
            tariff=Decimal(tariff),
            volume=Decimal(volume),
            unit=unit,
            volume_source=source,
            accrued=accrued,
            recalculation=recalc,
            recalculation_reason=reason if recalc else "",
            benefit=ben,
            to_pay=accrued + recalc - ben,
        )
        total += accrual.to_pay
    if paid:
        Payment.objects.create(
            account=account,
            paid_on=period.replace(day=20),
            period=period,
            amount=paid,
            source=PaymentSource.BILLING,
            note="Сбербанк Онлайн",
        )
    return AccountPeriod.objects.create(
        account=account,
        period=period,
        opening_balance=opening,
        accrued=total,
        paid=paid,
        closing_balance=opening + total - paid,
        due_date=payment_due(period),
        charged=True,
    )


def make_history(
    account: Account, *, months: int = 12, first: date = date(2025, 11, 1)
) -> list[AccountPeriod]:
    """A year of charges; every month paid in full but the last, which is left to pay."""
    rows, opening, period = [], Decimal("0.00"), first
    for index in range(months):
        last = index == months - 1
        row = add_month(
            account,
            period,
            opening=opening,
            paid=Decimal("0") if last else Decimal("2600.00"),
            recalculation=Decimal("-104.62") if last else Decimal("0"),
            reason="Перерасчёт за сентябрь: показания счётчика переданы после закрытия периода"
            if last
            else "",
            benefit=Decimal("150.00") if last else Decimal("0"),
        )
        rows.append(row)
        opening, period = row.closing_balance, next_month(period)
    return rows


def resident_with(*accounts: Account, full_name: str | None = None) -> Resident:
    from kabinet.core.models import User

    user = User.objects.create_user(accounts[0].number, password=PASSWORD)
    resident = Resident.objects.create(
        user=user, full_name=full_name or accounts[0].holder_name, phone="+79123456789"
    )
    for account in accounts:
        ResidentAccount.objects.create(resident=resident, account=account)
    return resident


def fill_payment_details(company: Company) -> Company:
    company.name = "ООО «УК Уютный дом»"
    company.inn = "6950123450"
    company.kpp = "695001001"
    company.bank_name = "Тверское отделение № 8607 ПАО Сбербанк"
    company.bik = "042809679"
    company.settlement_account = "40702810563000001234"
    company.correspondent_account = "30101810700000000679"
    company.save()
    return company
