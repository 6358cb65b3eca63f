"""What the ГИС ЖКХ templates share: sheets found by their names, headers checked, cells written.

A template is a workbook of named sheets, each with header rows and data from a fixed row on.
Kabinet writes the sheets' headers itself (the column titles as ГИС names them) rather than
filling a copy of the template file, and reads back only the columns it needs, after checking
that the sheet and those columns are where the template puts them: a file of another template
is refused whole, with the reason, before anything changes.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from kabinet.billing.imports import read
from kabinet.billing.imports.read import ImportFileError

# The template's version is written into the workbook's properties (and the first header row),
# so a file says which layout it follows.
GENERATOR = "Кабинет жителя"


@dataclass(frozen=True)
class Column:
    """A column of a template's sheet: its letter and its title as ГИС writes it."""

    letter: str
    title: str


@dataclass(frozen=True)
class Sheet:
    """A sheet of a template: its name, the row its data start on, its columns."""

    name: str
    data_row: int
    columns: tuple[Column, ...]

    @property
    def header_row(self) -> int:
        return self.data_row - 1


def new_workbook(*, title: str, version: str):
    """An empty workbook whose properties name the template and its version. Write-only
    (streamed): a company's month is hundreds of thousands of cells, which openpyxl's ordinary
    mode keeps in memory and writes several times slower."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    workbook.properties.title = title
    workbook.properties.subject = f"{title}, версия шаблона {version}"
    workbook.properties.keywords = f"ГИС ЖКХ; {version}"
    workbook.properties.creator = GENERATOR
    return workbook


def add_sheet(workbook, sheet: Sheet, *, caption: str):
    """A sheet with the template's header: `caption` in the first row (when the data start
    lower than row 2) and the column titles in the row just above the data. Rows after it are
    added in order by `write_row`."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font

    ws = workbook.create_sheet(sheet.name)
    for column in sheet.columns:
        ws.column_dimensions[column.letter].width = 18
    ws.freeze_panes = f"A{sheet.data_row}"
    bold, wrapped = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    if sheet.header_row > 1:
        title = WriteOnlyCell(ws, value=caption)
        title.font = bold
        ws.append([title])
        for _ in range(sheet.header_row - 2):
            ws.append([])
    header: list = [None] * _width(sheet)
    for column in sheet.columns:
        cell = WriteOnlyCell(ws, value=column.title)
        cell.font, cell.alignment = bold, wrapped
        header[_column_index(column.letter) - 1] = cell
    ws.append(header)
    return ws


@cache
def _column_index(letter: str) -> int:
    from openpyxl.utils import column_index_from_string

    return column_index_from_string(letter)


def _width(sheet: Sheet) -> int:
    return max(_column_index(column.letter) for column in sheet.columns)


def write_row(ws, sheet: Sheet, values: dict[str, object], formats: dict[str, str] | None = None):
    """Add the next row (the sheet is streamed: rows go in order): `values` maps column letters
    to values, `formats` sets number formats."""
    from openpyxl.cell import WriteOnlyCell

    cells: list = [None] * _width(sheet)
    for letter, value in values.items():
        if value is None or value == "":
            continue
        if formats and letter in formats:
            cell = WriteOnlyCell(ws, value=value)
            cell.number_format = formats[letter]
            value = cell
        cells[_column_index(letter) - 1] = value
    ws.append(cells)


# --- Reading the files ГИС gives back ----------------------------------------------------------


def open_workbook(path: Path, *, file_name: str = ""):
    """The workbook at `path`, read-only; ImportFileError (in Russian) if it is not one.
    `file_name` is what the messages call the file (`read.shown_name`)."""
    return read.open_workbook(path, hint="нужен файл, выгруженный из ГИС ЖКХ", file_name=file_name)


def _normal(text: object) -> str:
    return " ".join(str(text or "").replace("ё", "е").replace("Ё", "Е").split()).lower()


def find_sheet(workbook, sheets: Sequence[Sheet], *, template: str) -> Sheet:
    """The first of `sheets` the workbook has, its needed columns checked; ImportFileError saying
    what is missing otherwise (a file of another template, a sheet renamed, a column moved)."""
    names = {ws.title: ws for ws in workbook.worksheets}
    for sheet in sheets:
        if sheet.name in names:
            check_columns(names[sheet.name], sheet, template=template)
            return sheet
    wanted = " или ".join(f"«{s.name}»" for s in sheets)
    present = ", ".join(f"«{name}»" for name in names) or "нет ни одного"
    raise ImportFileError(
        f"Это не {template}: в файле нет листа {wanted} (листы в файле: {present}). Ничего не изменено."
    )


def check_columns(ws, sheet: Sheet, *, template: str) -> None:
    """Each needed column's title must be found in the header rows above the data, in its
    column: a title is compared without case, «ё» and extra spaces, and may be longer (ГИС adds
    notes such as «Обязательно для…»)."""
    header = list(ws.iter_rows(min_row=1, max_row=sheet.header_row, values_only=True))
    missing = []
    for column in sheet.columns:
        index = _index(column.letter)
        titles = [_normal(row[index]) for row in header if index < len(row)]
        if not any(_normal(column.title) in title for title in titles):
            missing.append(f"{column.letter} «{column.title}»")
    if missing:
        raise ImportFileError(
            f"Лист «{sheet.name}» не похож на {template}: не найдены столбцы "
            + ", ".join(missing)
            + ". Ничего не изменено."
        )


def data_rows(ws, sheet: Sheet) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number, column letter -> text) for each non-empty row of data."""
    indexes = {column.letter: _index(column.letter) for column in sheet.columns}
    for number, values in enumerate(
        ws.iter_rows(min_row=sheet.data_row, values_only=True), start=sheet.data_row
    ):
        texts = {letter: _text(values[i]) if i < len(values) else "" for letter, i in indexes.items()}
        if any(texts.values()):
            yield number, texts


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _index(letter: str) -> int:
    from openpyxl.utils import column_index_from_string

    return column_index_from_string(letter) - 1
