"""Readings typed at the bank: a registry's `CounterVal_N:` become readings of the channel «банк».

Billing reads the registry (kabinet.billing.imports.bank) and hands the readings of the payments
it recorded to `accept_bank_readings`, registered from MetersConfig.ready (billing never imports
meters). Each passes the cabinet's checks (`services.submit_reading`) as on the day it was paid:
the window, the verification date, no lower than the last one. A payer at the bank can't confirm
an unusual consumption, so such a reading is refused and listed for an operator.

`CounterVal_N` is the account's N-th meter in service, in the order the meters file listed them
(the order the billing system sends the bank).
"""

from kabinet.billing.imports.bank.readings import BankReading, ReadingResult
from kabinet.billing.imports.fields import FieldError
from kabinet.core import formats

from .models import Meter, Reading
from .parsing import parse_reading
from .services import NeedsConfirmation, ReadingRefused, submit_reading


def accept_bank_readings(readings: list[BankReading]) -> list[ReadingResult]:
    meters: dict[str, list[Meter]] = {}
    results = []
    for reading in readings:
        if reading.account_number not in meters:
            meters[reading.account_number] = list(
                Meter.objects.filter(account__number=reading.account_number, is_active=True).order_by("id")
            )
        results.append(_accept(reading, meters[reading.account_number]))
    return results


def _accept(reading: BankReading, meters: list[Meter]) -> ReadingResult:
    if not 1 <= reading.number <= len(meters):
        return ReadingResult(reading, False, f"у лицевого счёта нет прибора № {reading.number} в работе")
    meter = meters[reading.number - 1]
    shown = f"{meter.get_service_display()} № {meter.serial_number}"
    try:
        value = parse_reading(
            reading.value, digits_before=meter.digits_before, digits_after=meter.digits_after
        )
        submit_reading(meter=meter, values=(value,), today=reading.taken_on, channel=Reading.Source.BANK)
    except FieldError as exc:
        return ReadingResult(reading, False, _lower_first(str(exc)), shown)
    except ReadingRefused as exc:
        message = exc.message
        if exc.code == "window_closed":  # said of the day the payer stood at the bank, not of today
            message = message.replace(
                "Сейчас показания не принимаются",
                f"{formats.date(reading.taken_on)} показания не принимались",
            )
        return ReadingResult(reading, False, _lower_first(message), shown)
    except NeedsConfirmation:
        return ReadingResult(
            reading,
            False,
            "расход намного больше обычного, а подтвердить его в банке житель не может — "
            "проверьте показание и внесите его вручную",
            shown,
        )
    return ReadingResult(reading, True, meter=shown)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text
