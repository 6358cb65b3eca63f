"""The meters' readings of a month in ГИС ЖКХ's readings template, version 13.1.3.1.

Sheets «Импорт показаний ИПУ» (the premises' meters, which Kabinet keeps) and «Импорт показаний
ОДПУ» (the houses' meters, which it does not: the sheet is left with its header), the column
titles in row 1, data from row 2: A the house, B the meter's number in ГИС, C the resource as
ГИС names it, D the period, E–G the values by tariff, H the day the reading was taken; I (whether
the volume can be computed automatically) is optional and left empty, J is ГИС's own status.

ГИС knows a meter by its number there (B): a meter whose number has not been loaded yet
(`import_gis meters`) cannot be sent, and is counted apart.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

from kabinet.core import formats
from kabinet.meters.models import Meter, Reading, Resource, building_address

from .workbook import Column, Sheet, add_sheet, new_workbook, write_row

TEMPLATE_TITLE = "Шаблон импорта показаний приборов учёта ГИС ЖКХ"
TEMPLATE_VERSION = "13.1.3.1"
_COLUMNS = (
    Column("A", "Адрес дома"),
    Column("B", "Номер ПУ в ГИС ЖКХ"),
    Column("C", "Коммунальный ресурс"),
    Column("D", "Период, за который передаются показания"),
    Column("E", "Значение показания (Т1)"),
    Column("F", "Значение показания (Т2), является обязательным для двух- и трехтарифного ПУ"),
    Column("G", "Значение показания (Т3), является обязательным для трехтарифного ПУ"),
    Column("H", "Дата снятия показания"),
    Column("I", "Тех. возможность авто-расчета потребляемого объема"),
    Column("J", "Статус обработки"),
)
INDIVIDUAL = Sheet("Импорт показаний ИПУ", data_row=2, columns=_COLUMNS)
COLLECTIVE = Sheet("Импорт показаний ОДПУ", data_row=2, columns=_COLUMNS)
# The resource as ГИС's list (НСИ «Вид коммунального ресурса») names it.
RESOURCES = {
    Resource.COLD_WATER: "Холодная вода",
    Resource.HOT_WATER: "Горячая вода",
    Resource.ELECTRICITY: "Электрическая энергия",
    Resource.HEATING: "Тепловая энергия",
    Resource.GAS: "Газ",
}
# Values with up to 7 decimals in the template; Kabinet keeps 3.
_FORMATS = {"D": "MM.YYYY", "E": "0.000", "F": "0.000", "G": "0.000", "H": "DD.MM.YYYY"}


@dataclass(frozen=True)
class Written:
    rows: int  # readings written
    without_number: int  # readings of meters ГИС has not numbered yet: not written

    def summary(self, period: date) -> str:
        """What was written, for the operator, in words."""
        text = (
            f"Показания за {formats.month(period)} для ГИС ЖКХ: "
            f"{formats.counted(self.rows, 'показание', 'показания', 'показаний')}."
        )
        if self.without_number:
            meters = formats.counted(self.without_number, "прибора", "приборов", "приборов")
            text += (
                f" Пропущены показания {meters} без номера в ГИС ЖКХ — загрузите номера приборов "
                "из ГИС ЖКХ («ГИС ЖКХ: номера приборов учёта»)."
            )
        return text


def readings_of(period: date) -> Iterator[Reading]:
    return (
        Reading.objects.filter(period=period)
        .select_related("meter__account", "meter__building")
        .order_by(
            "meter__building__address", "meter__gis_number", "meter__account__number", "meter__serial_number"
        )
        .iterator(chunk_size=2000)
    )


def house_of(meter: Meter) -> str:
    return meter.building.address if meter.building_id else building_address(meter.account.address)


def row_of(reading: Reading) -> dict[str, object]:
    meter = reading.meter
    taken = timezone.localtime(reading.submitted_at).date()
    return {
        "A": house_of(meter),
        "B": meter.gis_number,
        "C": RESOURCES[meter.service],
        "D": datetime(reading.period.year, reading.period.month, 1),
        "E": reading.value,
        "F": reading.value_t2 if meter.tariffs >= 2 else None,
        "G": reading.value_t3 if meter.tariffs >= 3 else None,
        "H": datetime(taken.year, taken.month, taken.day),
    }


def write(period: date, target) -> Written:
    """Write the period's readings to `target` (a path or a file object)."""
    workbook = new_workbook(title=TEMPLATE_TITLE, version=TEMPLATE_VERSION)
    caption = f"{TEMPLATE_TITLE}, версия {TEMPLATE_VERSION}"
    ws = add_sheet(workbook, INDIVIDUAL, caption=caption)
    add_sheet(workbook, COLLECTIVE, caption=caption)  # Kabinet keeps no house meters
    row, skipped = INDIVIDUAL.data_row, 0
    for reading in readings_of(period):
        if not reading.meter.gis_number:
            skipped += 1
            continue
        write_row(ws, INDIVIDUAL, row_of(reading), _FORMATS)
        row += 1
    workbook.save(target)
    return Written(rows=row - INDIVIDUAL.data_row, without_number=skipped)
