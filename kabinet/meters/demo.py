"""Meters with a year of readings for the demo resident's two flats (`make run`).

The house of account 1000123461 (ул. Советская, д. 12) has its own window for the whole month,
so the readings form is usable on any day of the demo; the house of 1000123462 (пр-т Победы,
д. 3) keeps the company's 15th–25th, so switching to that account shows the closed window on the
other days. The hot-water meter of 1000123462 is past its verification date.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from kabinet.billing.models import Account

from . import services
from .models import Meter, Reading, ReadingSchedule, Resource
from .window import add_months

# account, serial, service, tariffs, place, digits before/after, monthly use per tariff, start value
DEMO_METERS = [
    ("1000123461", "ХВ-2231847", Resource.COLD_WATER, 1, "кухня", 5, 3, ("5.2",), ("312.418",)),
    ("1000123461", "ГВ-2231902", Resource.HOT_WATER, 1, "кухня", 5, 3, ("3.1",), ("187.052",)),
    ("1000123461", "Э-0147733", Resource.ELECTRICITY, 2, "прихожая", 6, 0, ("160", "70"), ("18344", "7120")),
    ("1000123462", "ХВ-5520114", Resource.COLD_WATER, 1, "санузел", 5, 3, ("2.6",), ("98.770",)),
    ("1000123462", "ГВ-5520176", Resource.HOT_WATER, 1, "санузел", 5, 3, ("1.8",), ("64.305",)),
    ("1000123462", "Э-0098821", Resource.ELECTRICITY, 1, "щиток на площадке", 6, 0, ("95",), ("9031",)),
]
OVERDUE_SERIAL = "ГВ-5520176"
ALWAYS_OPEN_ACCOUNT = "1000123461"
OPERATOR_PERMISSIONS = [
    "view_meter",
    "change_meter",
    "add_meter",
    "view_reading",
    "add_reading",
    "change_reading",
    "view_building",
    "change_building",
    "view_readingschedule",
    "view_readingreminder",
]


def load_demo_meters(*, today: date | None = None) -> None:
    today = today or timezone.localdate()
    ReadingSchedule.load()
    for account_number, serial, service, tariffs, place, before, after, use, start in DEMO_METERS:
        account = Account.objects.filter(number=account_number).first()
        if account is None:
            continue
        meter, _ = Meter.objects.update_or_create(
            account=account,
            serial_number=serial,
            defaults={
                "building": services.building_for(account),
                "service": service,
                "tariffs": tariffs,
                "place": place,
                "digits_before": before,
                "digits_after": after,
                "installed_on": today.replace(day=1) - timedelta(days=3 * 365),
                "next_check_date": _next_check(serial, today),
                "initial_value": Decimal(start[0]),
                "initial_value_t2": Decimal(start[1]) if tariffs > 1 else None,
            },
        )
        _year_of_readings(meter, [Decimal(u) for u in use], today)
        if account_number == ALWAYS_OPEN_ACCOUNT:
            meter.building.opens_day, meter.building.closes_day = 1, 31
            meter.building.save(update_fields=["opens_day", "closes_day"])
    operators = Group.objects.filter(name="Операторы").first()
    if operators is not None:
        operators.permissions.add(*Permission.objects.filter(codename__in=OPERATOR_PERMISSIONS))


def _next_check(serial: str, today: date) -> date:
    if serial == OVERDUE_SERIAL:
        return today - timedelta(days=40)
    return today.replace(day=1) + timedelta(days=3 * 365)


def _year_of_readings(meter: Meter, use: list[Decimal], today: date) -> None:
    """Twelve past months, the usual use with a little seasonal swing; the current month is left
    for the resident to fill in."""
    values = list(meter.initial_values)
    quantum = meter.step
    for back in range(12, 0, -1):
        period = add_months(today, -back)
        swing = Decimal(1) + Decimal((period.month % 4) - 1) / 10  # 0.9 … 1.2
        used = [(u * swing).quantize(quantum) for u in use]
        values = [v + u for v, u in zip(values, used, strict=True)]
        Reading.objects.update_or_create(
            meter=meter,
            period=period,
            defaults={
                "value": values[0],
                "value_t2": values[1] if meter.tariffs > 1 else None,
                "consumption": sum(used, Decimal(0)),
                "source": Reading.Source.RESIDENT,
                "submitted_at": timezone.make_aware(datetime(period.year, period.month, 20, 10, 0)),
            },
        )
