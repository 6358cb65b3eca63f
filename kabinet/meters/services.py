"""Meter actions: a resident's reading, an operator's, the reminders when the window opens.

Each is one function with keyword-only arguments and its own transaction.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from kabinet.billing.models import Account
from kabinet.core import formats, stamps
from kabinet.core.errors import Refusal
from kabinet.messaging.services import send_email, send_sms
from kabinet.residents.models import ReminderChannel, Resident

from . import selectors
from .models import Building, Meter, Reading, ReadingReminder, building_address
from .window import months_between

# Consumption this many times the meter's usual asks the resident to confirm the reading.
IMPLAUSIBLE_FACTOR = 3
# A lower reading is a roll-over only if what the meter counted past its last digit is under this
# share of its range: 99 990 → 00 012 is, 54 321 → 12 345 is a mistake.
ROLLOVER_SHARE = Decimal("0.1")


class ReadingRefused(Refusal):
    """The reading can't be accepted; `message` says why, `field` where (None: the whole form)."""


class NeedsConfirmation(Exception):
    """The consumption is far above the usual: the resident is asked to confirm it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def building_for(account: Account) -> Building:
    building, _ = Building.objects.get_or_create(address=building_address(account.address)[:300])
    return building


def submit_reading(
    *,
    meter: Meter,
    values: tuple[Decimal, ...],
    user=None,
    today: date | None = None,
    confirmed: bool = False,
    channel: str = Reading.Source.RESIDENT,
) -> Reading:
    """Accept a resident's reading for the open window's period, or correct the one already given.

    `channel` is the way it came (the cabinet, the app, a device, the bank): every way passes the
    same checks, and the channel is kept with the reading for the history and the operators' export.

    Raises `ReadingRefused` (outside the window, meter past verification, lower than the last
    reading) or `NeedsConfirmation` (consumption over IMPLAUSIBLE_FACTOR times the usual and not
    `confirmed`). No transaction of its own: the checks only read, and the write is one statement.
    """
    today = today or selectors.local_today()
    window = selectors.meter_window(meter, today=today)
    if not window.is_open:
        raise ReadingRefused(f"Сейчас показания не принимаются. {window.text()}", code="window_closed")
    if meter.check_overdue(today):
        raise ReadingRefused(overdue_text(meter), code="verification_overdue")
    if len(values) != meter.tariffs:
        raise ReadingRefused("Укажите показания по каждому тарифу.", code="tariffs_missing")
    earlier = list(
        meter.readings.filter(period__lt=window.period).order_by("-period")[: selectors.HISTORY_MONTHS]
    )
    consumption = _consumption(meter, values, earlier[0] if earlier else None)
    if not confirmed:
        _check_plausible(meter, consumption, earlier, window.period)
    fields = {
        "value": values[0],
        "value_t2": values[1] if meter.tariffs > 1 else None,
        "value_t3": values[2] if meter.tariffs > 2 else None,
        "consumption": consumption,
        "source": channel,
        "submitted_by": user,
        "submitted_at": timezone.now(),
        "confirmed_high": confirmed,
    }
    return _save_reading(meter, window.period, fields)


@dataclass(frozen=True)
class ReadingEntry:
    """One meter's values from the one form for all meters of an account."""

    meter: Meter
    values: tuple[Decimal, ...]
    confirmed: bool = False


@dataclass
class ReadingOutcome:
    """What became of one entry: accepted (`reading`), refused (`refusal`, `field`) or held back
    until the resident confirms an unusual consumption (`needs_confirmation`)."""

    meter: Meter
    reading: Reading | None = None
    refusal: str = ""
    field: str | None = None
    needs_confirmation: bool = False
    code: str = ""  # the refusal's machine code, for the API

    @property
    def accepted(self) -> bool:
        return self.reading is not None


def submit_readings(
    *,
    entries: list[ReadingEntry],
    user=None,
    today: date | None = None,
    channel: str = Reading.Source.RESIDENT,
) -> list[ReadingOutcome]:
    """All meters of an account in one submission. Each reading stands on its own (one statement,
    as `submit_reading`): a refused one does not hold back the others, and the outcome of each is
    reported so that the page can list what was accepted and what was not, and why."""
    outcomes = []
    for entry in entries:
        outcome = ReadingOutcome(meter=entry.meter)
        try:
            outcome.reading = submit_reading(
                meter=entry.meter,
                values=entry.values,
                user=user,
                today=today,
                confirmed=entry.confirmed,
                channel=channel,
            )
        except ReadingRefused as error:
            outcome.refusal, outcome.field, outcome.code = error.message, error.field, error.code
        except NeedsConfirmation as error:
            outcome.refusal, outcome.needs_confirmation = error.message, True
            outcome.code = "needs_confirmation"
        outcomes.append(outcome)
    return outcomes


def _save_reading(meter: Meter, period: date, fields: dict) -> Reading:
    """Insert the period's reading, or correct the one there: one INSERT … ON CONFLICT statement,
    atomic by itself, so that two submissions at once leave one row and the peak costs no
    transaction round trips."""
    reading = Reading(meter=meter, period=period, **fields)
    Reading.objects.bulk_create(
        [reading], update_conflicts=True, unique_fields=["meter", "period"], update_fields=list(fields)
    )
    stamps.changed(*stamps.accounts([meter.account_id]))  # one statement, no signal: said here
    return reading


def overdue_text(meter: Meter) -> str:
    return (
        f"Срок поверки прибора истёк {formats.date(meter.next_check_date)}. Такой прибор считается "
        "неисправным, и показания по нему не принимаются: начисление идёт по среднему или по нормативу. "
        "Закажите поверку или замену прибора и сообщите об этом в управляющую компанию."
    )


def _consumption(meter: Meter, values: tuple[Decimal, ...], previous: Reading | None) -> Decimal:
    before = previous.values if previous is not None else meter.initial_values
    total = Decimal(0)
    for index, (value, last) in enumerate(zip(values, before, strict=True)):
        used = value - last
        if used < 0:
            rolled = value + meter.wrap - last
            if rolled > meter.wrap * ROLLOVER_SHARE:
                raise ReadingRefused(
                    f"Показание меньше предыдущего ({meter.shown(last)}). Показания счётчика не "
                    "уменьшаются: проверьте цифры. Если прибор заменили, сообщите в управляющую компанию.",
                    field=f"value_{index + 1}",
                    code="lower_than_previous",
                )
            used = rolled  # the counter went past its last digit and started again from zero
        total += used
    return total


def _check_plausible(meter: Meter, consumption: Decimal, earlier: list[Reading], period: date) -> None:
    usual = selectors.usual_consumption(earlier)
    if not usual:
        return
    months = max(1, months_between(earlier[0].period, period))
    if consumption > usual * months * IMPLAUSIBLE_FACTOR:
        raise NeedsConfirmation(
            f"Расход {meter.shown(consumption)} {meter.unit} намного больше обычного "
            f"(в среднем {meter.shown(usual)} {meter.unit} в месяц). "
            "Проверьте показание. Если оно верное, отметьте «Показание верное» и отправьте ещё раз."
        )


# --- Reminders -------------------------------------------------------------------------------


@dataclass
class ReminderRound:
    sms: int = 0
    email: int = 0
    skipped: int = 0  # already reminded this period, or no way to reach them

    def summary(self) -> str:
        return f"Напоминания: SMS {self.sms}, писем {self.email}, пропущено {self.skipped}."


def send_reading_reminders(*, today: date | None = None) -> ReminderRound:
    """Remind residents who have not submitted yet for a period whose window is open today.

    Once per resident per period: the `ReadingReminder` row and the outbox message are written in
    one transaction, and the unique constraint stops a rerun (or a second worker) from sending again.
    """
    today = today or selectors.local_today()
    round_ = ReminderRound()
    for resident, period, window in selectors.residents_to_remind(today=today):
        channel = resident.reminder_channel
        try:
            with transaction.atomic():
                ReadingReminder.objects.create(resident=resident, period=period, channel=channel)
                if not _remind(resident, channel, window):
                    raise _NoAddress
        except (IntegrityError, _NoAddress):
            round_.skipped += 1
            continue
        if channel == ReminderChannel.SMS:
            round_.sms += 1
        else:
            round_.email += 1
    return round_


class _NoAddress(Exception):
    pass


def _remind(resident: Resident, channel: str, window) -> bool:
    closes = formats.day_month(window.closes)
    if channel == ReminderChannel.SMS and resident.phone:
        send_sms(
            phone=resident.phone,
            text=f"Передайте показания счётчиков в личном кабинете до {closes}.",
            mailing=True,  # the company's own mailing: outside the daily cap against pumping
        )
        return True
    if channel == ReminderChannel.EMAIL and resident.user.email:
        send_email(
            to=resident.user.email,
            template="reading-reminder",
            context={"resident": resident, "closes": closes, "period": window.period},
        )
        return True
    return False


# An SMS at night would wake people up: reminders go out 9:00–20:59 local time only (the
# schedule: deploy/kabinet-reminders.timer, or `send_reading_reminders --schedule`).
REMINDER_HOURS = range(9, 21)


# --- Readings typed by staff -----------------------------------------------------------------


def check_operator_reading(*, meter: Meter, period: date, values: tuple[Decimal, ...]) -> Decimal:
    """The consumption an operator's reading for `period` gives; `ReadingRefused` when the values
    are lower than the last reading (a counter that rolled over past its last digit excepted)."""
    if len(values) != meter.tariffs:
        raise ReadingRefused("Укажите показания по каждому тарифу.", code="tariffs_missing")
    previous = meter.readings.filter(period__lt=period).order_by("-period").first()
    return _consumption(meter, values, previous)


def record_operator_reading(*, meter: Meter, period: date, values: tuple[Decimal, ...], staff) -> Reading:
    """A reading an operator types in (phoned in by the resident, or taken on a round of the
    meters): sets or corrects the month's reading, marked as the operator's."""
    consumption = check_operator_reading(meter=meter, period=period, values=values)
    fields = {
        "value": values[0],
        "value_t2": values[1] if meter.tariffs > 1 else None,
        "value_t3": values[2] if meter.tariffs > 2 else None,
        "consumption": consumption,
        "source": Reading.Source.OPERATOR,
        "submitted_by": staff,
        "submitted_at": timezone.now(),
        "confirmed_high": False,
    }
    return _save_reading(meter, period, fields)
