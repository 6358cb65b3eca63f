from datetime import date
from decimal import Decimal

import factory

from kabinet.billing.tests.factories import AccountFactory
from kabinet.meters.models import Building, Meter, Reading, Resource, building_address


class BuildingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Building
        django_get_or_create = ("address",)

    address = factory.Sequence(lambda n: f"г. Пермь, ул. Ленина, д. {n + 1}")


class MeterFactory(factory.django.DjangoModelFactory):
    """A cold-water meter (5 + 3 drums), verified until 2030, in the house of its account."""

    class Meta:
        model = Meter

    account = factory.SubFactory(AccountFactory)
    building = factory.LazyAttribute(lambda m: BuildingFactory(address=building_address(m.account.address)))
    service = Resource.COLD_WATER
    serial_number = factory.Sequence(lambda n: f"ХВ-{100000 + n}")
    place = "кухня"
    digits_before = 5
    digits_after = 3
    next_check_date = date(2030, 1, 1)
    initial_value = Decimal("100.000")


class ReadingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reading

    meter = factory.SubFactory(MeterFactory)
    period = date(2026, 1, 1)
    value = Decimal("105.000")
    consumption = Decimal("5.000")
    source = Reading.Source.RESIDENT


def history(meter: Meter, *, start: date, months: int, use: Decimal, value: Decimal | None = None) -> Decimal:
    """`months` readings from `start`, `use` a month each; returns the last value."""
    from kabinet.meters.window import add_months

    value = meter.initial_value if value is None else value
    for n in range(months):
        value += use
        ReadingFactory(meter=meter, period=add_months(start, n), value=value, consumption=use)
    return value
