"""Readings for the billing system: a CSV or XLSX file per period (docs/billing-formats.md)."""

import csv
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path

from django.utils import timezone

from . import selectors
from .models import Reading

EXPORT_COLUMNS = (
    "account_number",
    "serial_number",
    "service",
    "period",
    "value",
    "value_t2",
    "value_t3",
    "consumption",
    "submitted_at",
    "source",
)


def _number(value) -> str:
    return "" if value is None else f"{value:f}".replace(".", ",")


def export_row(reading: Reading) -> list[str]:
    meter = reading.meter
    return [
        meter.account.number,
        meter.serial_number,
        meter.get_service_display(),
        f"{reading.period:%Y-%m}",
        _number(reading.value),
        _number(reading.value_t2),
        _number(reading.value_t3),
        _number(reading.consumption),
        timezone.localtime(reading.submitted_at).strftime("%d.%m.%Y %H:%M"),
        reading.get_source_display(),
    ]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(readings: Iterable[Reading]) -> Iterator[str]:
    """The CSV file line by line (UTF-8 with BOM, `;`), for streaming to the browser."""
    writer = csv.writer(_Echo(), delimiter=";", lineterminator="\r\n")
    yield "\ufeff" + writer.writerow(EXPORT_COLUMNS)
    for reading in readings:
        yield writer.writerow(export_row(reading))


def write_csv(period: date, path: Path) -> int:
    lines = 0
    with path.open("w", encoding="utf-8", newline="") as stream:
        for line in csv_lines(selectors.export_rows(period)):
            stream.write(line)
            lines += 1
    return lines - 1  # the header is not a reading


def write_xlsx(period: date, target) -> int:
    """An XLSX workbook (numbers as numbers) to a path or a file object; returns the row count."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(f"Показания {period:%Y-%m}")
    sheet.append(list(EXPORT_COLUMNS))
    count = 0
    for reading in selectors.export_rows(period):
        row: list[object] = export_row(reading)
        for index, value in (
            (4, reading.value),
            (5, reading.value_t2),
            (6, reading.value_t3),
            (7, reading.consumption),
        ):
            row[index] = value
        sheet.append(row)
        count += 1
    workbook.save(target)
    return count


def write_file(period: date, path: Path) -> int:
    """Write the period's readings to `path`: XLSX for `.xlsx`, CSV otherwise. Returns how many."""
    if path.suffix.lower() == ".xlsx":
        return write_xlsx(period, path)
    return write_csv(period, path)
