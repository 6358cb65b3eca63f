"""Reads for the readings pages, the overview card, the reminders and the export."""

import functools
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from kabinet.billing.models import Account
from kabinet.core import rows
from kabinet.residents.models import ReminderChannel, Resident

from .models import Building, Meter, Reading, ReadingReminder, ReadingSchedule
from .window import Window, window_on

HISTORY_MONTHS = 12


def local_today() -> date:
    return timezone.localdate()


def window_for(building: Building | None, *, today: date, schedule: ReadingSchedule | None = None) -> Window:
    """The building's own window if it has one, else the company's."""
    if building is not None and building.has_own_window:
        return window_on(today, opens_day=building.opens_day, closes_day=building.closes_day)
    schedule = schedule or ReadingSchedule.load()
    return window_on(today, opens_day=schedule.opens_day, closes_day=schedule.closes_day)


def account_meters(accounts: Iterable[Account]) -> QuerySet[Meter]:
    """Meters in work of the given accounts (a resident's own), with their building and account."""
    meters = Meter.objects.filter(account__in=list(accounts), is_active=True)
    return meters.select_related("building", "account")


def resident_meter(resident: Resident, meter_id: int) -> Meter | None:
    """A meter in work of the resident's own accounts, or None: another household's meter id is
    not found. One query, without reading the resident's accounts first (the submission path)."""
    meters = Meter.objects.filter(is_active=True, account__registration__resident=resident)
    try:
        return meters.select_related("building", "account").get(pk=meter_id)
    except Meter.DoesNotExist:
        return None


def meter_window(meter: Meter, *, today: date) -> Window:
    """The window for a meter: its building's own, else the company's. (The company's days are
    one query by primary key: cheaper for the web server than a subquery in the meter's query.)"""
    return window_for(meter.building, today=today)


# The overview asks on every visit: written out once rather than built by the ORM each time.
_ACCOUNT_BUILDING_SQL = (
    "SELECT b.opens_day, b.closes_day FROM meters_meter m "
    "LEFT JOIN meters_building b ON b.id = m.building_id WHERE m.account_id = %s AND m.is_active "
    "ORDER BY m.service, m.serial_number LIMIT 1"
)


def account_window(account: Account, *, today: date | None = None) -> Window:
    """The window for an account: its meters' building decides (the company's if none)."""
    with connection.cursor() as cursor:
        cursor.execute(_ACCOUNT_BUILDING_SQL, [account.pk])
        row = cursor.fetchone()
    building = Building(opens_day=row[0], closes_day=row[1]) if row else None
    return window_for(building, today=today or local_today())


@dataclass
class MeterCard:
    """What the readings page shows for one meter."""

    meter: Meter
    history: list[Reading] = field(default_factory=list)  # newest first
    overdue: bool = False

    @property
    def last(self) -> Reading | None:
        return self.history[0] if self.history else None

    def current(self, period: date) -> Reading | None:
        last = self.last
        return last if last is not None and last.period == period else None


@dataclass
class ReadingsPage:
    window: Window
    cards: list[MeterCard]


def readings_page(*, account: Account, today: date | None = None) -> ReadingsPage:
    today = today or local_today()
    meters = _account_meters(account)
    history = _history(meters)
    cards = [MeterCard(meter=m, history=history[m.pk], overdue=m.check_overdue(today)) for m in meters]
    window = meter_window(meters[0], today=today) if meters else window_for(None, today=today)
    return ReadingsPage(window=window, cards=cards)


# The readings page is opened again after every reading sent: its two reads are written out
# once per process (kabinet.core.rows), not built by the ORM on each visit.
@functools.cache
def _meters_sql(vendor: str) -> str:
    return (
        f"SELECT {rows.of(Meter).columns('m')}, {rows.of(Building).columns('b')} FROM meters_meter m "
        "LEFT JOIN meters_building b ON b.id = m.building_id WHERE m.account_id = %s AND m.is_active "
        "ORDER BY m.service, m.serial_number"
    )


def _account_meters(account: Account) -> list[Meter]:
    """The account's meters in work, each with its house (and the account given, not joined)."""
    with connection.cursor() as cursor:
        cursor.execute(_meters_sql(connection.vendor), [account.pk])
        found = cursor.fetchall()
    meter, building = rows.of(Meter), rows.of(Building)
    meters = []
    for row in found:
        item = meter.instance(row[: meter.width])
        item.account = account
        item.building = building.instance(row[meter.width :]) if item.building_id is not None else None
        meters.append(item)
    return meters


def _history(meters: list[Meter]) -> dict[int, list[Reading]]:
    by_meter: dict[int, list[Reading]] = defaultdict(list)
    if not meters:
        return by_meter
    reader = rows.of(Reading)
    marks = ", ".join(["%s"] * len(meters))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {reader.columns('r')} FROM meters_reading r WHERE r.meter_id IN ({marks}) "
            "ORDER BY r.meter_id, r.period DESC",
            [m.pk for m in meters],
        )
        readings = [reader.instance(row) for row in cursor.fetchall()]
    meters_by_id = {m.pk: m for m in meters}
    for reading in readings:
        reading.meter = meters_by_id[reading.meter_id]  # no query per reading for units and tariffs
        if len(by_meter[reading.meter_id]) < HISTORY_MONTHS * 3:
            by_meter[reading.meter_id].append(reading)
    return by_meter


def meter_history(meter: Meter) -> list[Reading]:
    """Every reading of the meter, newest first."""
    readings = list(meter.readings.order_by("-period"))
    for reading in readings:
        reading.meter = meter
    return readings


def monthly_consumption(
    readings: list[Reading], *, months: int = HISTORY_MONTHS
) -> list[tuple[date, Decimal]]:
    """(period, consumption) for the last `months` periods with a reading, oldest first."""
    points = [(r.period, r.consumption) for r in readings if r.consumption is not None][:months]
    return list(reversed(points))


def usual_consumption(readings: Iterable[Reading]) -> Decimal | None:
    """The meter's average monthly consumption over its past readings (None without any)."""
    values = [r.consumption for r in readings if r.consumption is not None][:HISTORY_MONTHS]
    if not values:
        return None
    return sum(values, Decimal(0)) / len(values)


def export_rows(period: date) -> Iterator[Reading]:
    """The readings of a period for the billing system, account by account."""
    return (
        Reading.objects.filter(period=period)
        .select_related("meter__account")
        .order_by("meter__account__number", "meter__serial_number")
        .iterator(chunk_size=2000)
    )


def export_count(period: date) -> int:
    return Reading.objects.filter(period=period).count()


def residents_to_remind(*, today: date) -> Iterator[tuple[Resident, date, Window]]:
    """Residents who want reminders and have a meter with no reading yet in a window open today.

    Those already reminded for that period are left out here; the unique `ReadingReminder` row
    is what finally guarantees once per period.
    """
    schedule = ReadingSchedule.load()
    windows: dict[int | None, Window] = {}
    wanted: dict[int, tuple[Resident, Window]] = {}
    meters = (
        Meter.objects.filter(is_active=True, account__registration__isnull=False)
        .exclude(account__registration__resident__reminder_channel=ReminderChannel.NONE)
        .select_related("building", "account__registration__resident__user")
    )
    for meter in meters:
        if meter.building_id not in windows:
            windows[meter.building_id] = window_for(meter.building, today=today, schedule=schedule)
        window = windows[meter.building_id]
        if window.is_open and not meter.check_overdue(today):
            resident = meter.account.registration.resident
            wanted.setdefault(resident.pk, (resident, window))
    periods = {w.period for _, w in wanted.values()}
    submitted = set(
        Reading.objects.filter(period__in=periods, meter__is_active=True).values_list(
            "meter__account__registration__resident_id", "period", "meter_id"
        )
    )
    reminded = set(ReadingReminder.objects.filter(period__in=periods).values_list("resident_id", "period"))
    missing = _residents_missing_readings(meters, windows, submitted, today)
    for resident_id, (resident, window) in wanted.items():
        if (resident_id, window.period) not in reminded and resident_id in missing:
            yield resident, window.period, window


def _residents_missing_readings(meters, windows, submitted, today: date) -> set[int]:
    done = {(resident_id, period, meter_id) for resident_id, period, meter_id in submitted}
    missing: set[int] = set()
    for meter in meters:  # the queryset's cache: no second query
        window = windows[meter.building_id]
        resident_id = meter.account.registration.resident_id
        if (
            window.is_open
            and not meter.check_overdue(today)
            and (resident_id, window.period, meter.pk) not in done
        ):
            missing.add(resident_id)
    return missing


@dataclass(frozen=True)
class PaymentDocumentReading:
    """A meter's line on the payment document: the readings before and in the period, the use."""

    meter: Meter
    previous: Reading | None
    current: Reading | None

    @property
    def previous_shown(self) -> str:
        if self.previous is not None:
            return self.previous.shown
        return self.meter.shown_initial

    @property
    def current_shown(self) -> str:
        return self.current.shown if self.current is not None else "не передано"

    @property
    def consumption_shown(self) -> str:
        if self.current is None or self.current.consumption is None:
            return "—"
        return f"{self.current.shown_consumption} {self.meter.unit}"


def payment_document_readings(account: Account, period: date) -> list[PaymentDocumentReading]:
    """The account's meters with the reading of `period` and the one before it (Приказ Минстроя
    №43/пр: the payment document shows the readings it was calculated from)."""
    meters = {m.pk: m for m in Meter.objects.filter(account=account, is_active=True)}
    readings = Reading.objects.filter(meter__in=list(meters), period__lte=period).order_by("-period")
    current: dict[int, Reading] = {}
    previous: dict[int, Reading] = {}
    for reading in readings:
        reading.meter = meters[reading.meter_id]
        if reading.period == period:
            current[reading.meter_id] = reading
        else:
            previous.setdefault(reading.meter_id, reading)
    ordered = sorted(meters.values(), key=lambda m: (m.service, m.serial_number))
    return [
        PaymentDocumentReading(meter=m, previous=previous.get(m.pk), current=current.get(m.pk))
        for m in ordered
    ]
