"""Meter readings typed at the bank (`CounterVal_N:` in a registry line).

Billing reads them but cannot take them: readings are the meters app's, which stands above
billing. So meters registers a handler here (`register_handler`, from MetersConfig.ready); a
registry hands it the readings of the payments it recorded, and lists what the handler refused
and why. Without a handler every reading is refused, saying so.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class BankReading:
    """A reading a payer typed at the bank: the `number`-th meter of the account, as text."""

    line: int
    account_number: str
    taken_on: datetime.date
    number: int
    value: str


@dataclass(frozen=True)
class ReadingResult:
    reading: BankReading
    accepted: bool
    message: str = ""  # why it was refused
    meter: str = ""  # the meter, as the report names it


Handler = Callable[[list[BankReading]], list[ReadingResult]]
_handlers: list[Handler] = []


def register_handler(handler: Handler) -> None:
    """Take the readings of bank registries (the meters app's `accept_bank_readings`)."""
    if handler not in _handlers:
        _handlers.append(handler)


def submit(readings: list[BankReading]) -> list[ReadingResult]:
    if not readings:
        return []
    if not _handlers:
        return [
            ReadingResult(r, False, "показания приборов учёта не принимаются: нет модуля приборов")
            for r in readings
        ]
    return _handlers[0](readings)
