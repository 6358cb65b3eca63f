"""A billing system's own export, read through a profile (`ImportProfile`) into Kabinet's layout.

The profile says which of the file's columns holds each of Kabinet's fields. The file is
checked against it before anything changes (a column the profile takes and the file lacks
refuses the file with the reason), then rewritten row by row into a CSV in Kabinet's own
layout and handed to the kind's usual import: its checks, its fast roads, its progress and its
per-row report serve every layout alike. Each row of the rewritten file stands on the line its
record starts on in the source, so that the report's «строка N» points into the operator's file.
"""

import csv
import re
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings

from ..models import ImportProfile
from .read import ImportFileError, Progress, shown_name
from .report import Report
from .sources import ENCODING_NAMES, Source, open_source

PREVIEW_ROWS = 5
# Kabinet's fields as the operator sees them on the «Столбцы файла» page and in refusals.
LABELS = {
    "account_number": "Лицевой счёт",
    "full_name": "ФИО",
    "address": "Адрес",
    "area": "Площадь, м²",
    "phone": "Телефон",
    "email": "E-mail",
    "period": "Период",
    "service_code": "Код услуги",
    "service_name": "Название услуги",
    "tariff_zone": "Зона тарифа (день, ночь…)",
    "unit": "Единица",
    "tariff": "Тариф",
    "volume": "Объём",
    "volume_source": "Как определён объём",
    "accrued": "Начислено",
    "recalculation": "Перерасчёт",
    "recalculation_reason": "Причина перерасчёта",
    "benefit": "Льгота",
    "to_pay": "К оплате",
    "paid_on": "Дата оплаты",
    "amount": "Сумма",
    "external_id": "Номер платёжного документа",
    "note": "Где оплачено",
    "serial_number": "Заводской номер прибора",
    "service": "Ресурс (ХВС, ГВС, электроэнергия…)",
    "tariffs": "Число тарифов",
    "place": "Место установки",
    "digits_before": "Цифр до запятой",
    "digits_after": "Цифр после запятой",
    "installed_on": "Дата установки",
    "next_check_date": "Дата следующей поверки",
    "initial_value": "Начальное показание (Т1)",
    "initial_value_t2": "Начальное показание Т2",
    "initial_value_t3": "Начальное показание Т3",
}
# What a file must give; the rest may be left out («нет в файле»): empty, or made from the
# others (the service's name from its code, «к оплате» from the sums).
REQUIRED = {
    "accounts": ("account_number", "full_name", "address"),
    "accruals": ("account_number", "period", "service_code", "accrued"),
    "payments": ("account_number", "paid_on", "amount"),
    "meters": ("account_number", "serial_number", "service"),
}
# Fields a foreign layout may have that Kabinet's own has not: a multi-rate service comes as
# one row per zone (КВАДО's `bet`), which become services of their own («7-день»).
EXTRA = {"accruals": ("tariff_zone",)}
_BASE_ZONES = frozenset({"", "основная", "базовая", "b", "base"})
# Other systems' words for how a volume was found, as Kabinet's layout writes them (КВАДО's
# `calculated_by`). Kept here, not among fields.VOLUME_SOURCES: the COPY road stores the ASCII
# words of that table as they are written.
_VOLUME_SOURCES = {"counter": "meter", "standard": "norm", "по счетчику": "meter", "по счётчику": "meter"}
# Joined columns: ФИО from three, an address from five.
_JOINERS = {"address": ", "}


@dataclass
class Layout:
    """How to read a file and what each of Kabinet's fields is: a saved `ImportProfile`, or the
    operator's choices on the «Столбцы файла» page before they are saved."""

    kind: str
    title: str = ""
    file_format: str = ""
    separator: str = ""
    encoding: str = ""
    header_row: int = 1
    mapping: dict[str, str | list[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, profile: ImportProfile) -> "Layout":
        return cls(
            kind=profile.kind,
            title=profile.title,
            file_format=profile.file_format,
            separator=profile.separator,
            encoding=profile.encoding,
            header_row=profile.header_row,
            mapping=dict(profile.mapping),
        )


def fields_of(kind: str, columns: Sequence[str]) -> list[tuple[str, str, bool]]:
    """Kabinet's fields of a kind: (field, label, required), in the order of its layout."""
    required = REQUIRED.get(kind, ())
    names = [*columns, *EXTRA.get(kind, ())]
    return [(name, LABELS.get(name, name), name in required) for name in names]


def find_profile(*, kind: str, name: str, title: str) -> ImportProfile:
    """The saved profile `name` of the kind; `ImportFileError` naming those there are if none."""
    profile = ImportProfile.objects.filter(kind=kind, name=name).first()
    if profile is not None:
        return profile
    known = [f"{p.name} ({p.title})" for p in ImportProfile.objects.filter(kind=kind).order_by("name")]
    raise ImportFileError(
        f"Профиля «{name}» для вида «{title}» нет."
        + (f" Есть: {', '.join(known)}." if known else " Сохраните профиль в административном разделе.")
    )


def check(layout: Layout, header: Sequence[str], *, columns: Sequence[str]) -> dict[str, list[int]]:
    """Where each mapped field's columns are in the header; `ImportFileError` with the reason
    if the file does not fit the profile. Names are compared without case and edge spaces."""
    profile = f"профиль «{layout.title}»" if layout.title else "профиль"
    known = {*columns, *EXTRA.get(layout.kind, ())}
    for name in REQUIRED.get(layout.kind, ()):
        if not _columns(layout.mapping.get(name)):
            raise ImportFileError(
                f"П{profile[1:]} не говорит, из какого столбца брать поле "
                f"«{LABELS.get(name, name)}»: укажите столбец в профиле."
            )
    names = [name.strip().lower() for name in header]
    positions: dict[str, list[int]] = {}
    for target, source in layout.mapping.items():
        if target not in known:
            continue
        spots = []
        for column in _columns(source):
            wanted = column.strip().lower()
            if wanted not in names:
                raise ImportFileError(
                    f"В файле нет столбца «{column}», который {profile} берёт для поля "
                    f"«{LABELS.get(target, target)}». Столбцы файла: {_shown_header(header)}."
                )
            if names.count(wanted) > 1:
                raise ImportFileError(
                    f"Столбец «{column}» встречается в заголовке файла дважды: непонятно, какой из них "
                    f"брать для поля «{LABELS.get(target, target)}»."
                )
            spots.append(names.index(wanted))
        if spots:
            positions[target] = spots
    return positions


def preview(
    path: Path, layout: Layout, *, rows: int = PREVIEW_ROWS, file_name: str = ""
) -> tuple[list[str], list[list[str]], str]:
    """The file's header, its first rows and the encoding it was read in, for the mapping page.
    `file_name` is what the messages call the file (`read.shown_name`)."""
    with _open(path, layout, file_name) as source:
        first = [cells for _, cells in _take(source, rows)]
    width = max([len(source.header), *(len(r) for r in first)])
    return (
        _pad(source.header, width),
        [_pad(r, width) for r in first],
        ENCODING_NAMES.get(source.encoding, source.encoding),
    )


def import_mapped(
    *,
    path: Path,
    layout: Layout,
    columns: Sequence[str],
    run: Callable[..., Report],
    keeps: bool = False,
    skip_bad: bool = False,
    progress: Progress | None = None,
    file_name: str = "",
) -> Report:
    """Import a file of a foreign layout: checked against `layout`, rewritten into Kabinet's
    `columns`, imported by the kind's `run`. Nothing changes if the file does not fit. With
    `keeps`, the records already known keep the values of the columns the layout lacks.
    The rewritten copy is imported under the file's own name (`file_name`, else the path's)."""
    file_name = shown_name(path, file_name)
    directory = Path(settings.BILLING_IMPORT_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=directory) as scratch:
        converted = Path(scratch) / "kabinet-layout.csv"
        halves = _Halves(progress)
        _convert(path, layout, columns=columns, out=converted, progress=halves.first, file_name=file_name)
        options = {"keep": [c for c in columns if not _columns(layout.mapping.get(c))]} if keeps else {}
        return run(path=converted, skip_bad=skip_bad, progress=halves.second, file_name=file_name, **options)


def _convert(
    path: Path,
    layout: Layout,
    *,
    columns: Sequence[str],
    out: Path,
    progress: Progress | None,
    file_name: str,
) -> None:
    with _open(path, layout, file_name) as source, out.open("w", encoding="utf-8", newline="") as stream:
        positions = check(layout, source.header, columns=columns)
        shape = _ROW_SHAPES.get(layout.kind, _plain)
        writer = csv.writer(stream, delimiter=";", lineterminator="\n")
        writer.writerow(columns)
        written = 1
        for count, (line, cells) in enumerate(source.rows, start=1):
            if line > written + 1:
                stream.write("\n" * (line - written - 1))  # blank lines are skipped by every reader
            values = {name: _value(cells, spots, name) for name, spots in positions.items()}
            shape(values)
            writer.writerow([values.get(name, "") for name in columns])
            written = max(line, written + 1)
            if progress is not None and count % 4096 == 0:
                progress(count, source.progress())


def _value(cells: Sequence[str], spots: list[int], name: str) -> str:
    parts = [cells[i].strip() if i < len(cells) else "" for i in spots]
    text = _JOINERS.get(name, " ").join(part for part in parts if part)
    return re.sub(r"[\r\n]+", " ", text)  # a line of its own per record keeps the line numbers true


def _plain(values: dict[str, str]) -> None:
    return None


def _accrual(values: dict[str, str]) -> None:
    zone = values.pop("tariff_zone", "").strip()
    code = values.get("service_code", "")
    if not values.get("service_name"):
        values["service_name"] = code
    if zone.lower() not in _BASE_ZONES and code:
        values["service_code"] = f"{code}-{zone.lower()}"[:30]
        values["service_name"] = f"{values['service_name']} ({zone.lower()})"
    if not values.get("to_pay"):
        values["to_pay"] = _to_pay(values)
    source = values.get("volume_source", "")
    values["volume_source"] = _VOLUME_SOURCES.get(source.strip().lower(), source)


def _to_pay(values: Mapping[str, str]) -> str:
    """«К оплате» the export leaves out: начислено + перерасчёт − льгота, as Kabinet checks it."""
    try:
        accrued, recalculation, benefit = (
            Decimal(re.sub(r"\s", "", values.get(name, "") or "0").replace(",", ".") or "0")
            for name in ("accrued", "recalculation", "benefit")
        )
        if not values.get("accrued", "").strip():
            return ""
        return str(accrued + recalculation - benefit)
    except InvalidOperation:
        return ""  # the bad value is reported by the accruals' own check of its column


_ROW_SHAPES: dict[str, Callable[[dict[str, str]], None]] = {"accruals": _accrual}


class _Halves:
    """Progress over two passes, the rewrite and the import: each half of the bar."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress
        self.rows = 0

    def first(self, rows: int, share: float) -> None:
        self.rows = rows
        if self.progress is not None:
            self.progress(rows, share / 2)

    def second(self, rows: int, share: float) -> None:
        if self.progress is not None:
            self.progress(rows, 0.5 + share / 2)


def _open(path: Path, layout: Layout, file_name: str = ""):
    return open_source(
        path,
        file_format=layout.file_format,
        separator=layout.separator,
        encoding=layout.encoding,
        header_row=layout.header_row,
        file_name=file_name,
    )


def _take(source: Source, count: int):
    for number, row in enumerate(source.rows):
        if number >= count:
            return
        yield row


def _pad(cells: Sequence[str], width: int) -> list[str]:
    return [*cells, *[""] * (width - len(cells))]


def _columns(source: str | list[str] | None) -> list[str]:
    if not source:
        return []
    return [source] if isinstance(source, str) else [c for c in source if c]


def _shown_header(header: Sequence[str]) -> str:
    names = [f"«{name}»" for name in header[:12] if name]
    return ", ".join(names) + (" …" if len(header) > 12 else "") if names else "нет названий"
