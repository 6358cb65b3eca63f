"""Reading the files the billing system (1C and the like) exports, row by row: CSV or XLSX.

The reader knows nothing about accounts or accruals: it finds the encoding and the delimiter,
checks that the header names the columns an import needs, and yields the rows with their line
numbers. What a value means is decided by the field parsers (fields.py) in each kind's module.
The layouts are in docs/billing-formats.md.
"""

import codecs
import csv
import datetime
import itertools
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, NamedTuple, TextIO

ENCODINGS = ("utf-8", "cp1251")
PROGRESS_EVERY = 4096  # rows between calls of an import's progress callback
# `progress(rows_read, share_of_file)`, called now and then while a file is read.
Progress = Callable[[int, float], None]
DELIMITERS = (";", ",")
_CHUNK = 1 << 20


class ImportFileError(Exception):
    """The file as a whole can't be imported: unreadable, unknown encoding, bad header.

    The message is in Russian, for the operator.
    """


class Row(NamedTuple):
    """One record of the file.

    `line` is the line the record starts on, the header being line 1. `problem` is set when the
    record does not fit the header (too few or too many fields): such a row is to be reported,
    not imported, because its values may have slid into the wrong columns. `staged` is set
    instead of `values` when a quick check (see `read_table`) has already checked the row.
    """

    line: int
    values: dict[str, str]
    problem: str = ""
    staged: tuple | None = None  # set by a quick check: the row's checked values, ready to stage


class Rows:
    """The rows of an open table, read as they are iterated, with how far the reading got.

    `progress()` is the share of the file read so far, 0.0 to 1.0, for progress bars: bytes
    for CSV, rows for XLSX (whose bytes are compressed).
    """

    def __init__(self, rows: Iterator[Row], progress: Callable[[], float]) -> None:
        self._rows = rows
        self.progress = progress

    def __iter__(self) -> Iterator[Row]:
        return self._rows


# Given the columns' positions and the header's width, a quick check returns a checker of a
# record's fields: the staged values if the record is plainly good, None to have the kind's
# parser check it (and say what is wrong).
QuickCheck = Callable[[dict[str, int], int], Callable[[list[str]], tuple | None]]


@contextmanager
def read_table(
    path: Path, *, columns: Sequence[str], quick: QuickCheck | None = None, file_name: str = ""
) -> Iterator[Rows]:
    """Open a billing file (CSV, or XLSX by its suffix) and check its header; the rows are read
    while the block runs, so memory stays flat whatever the file's size. `file_name` is what
    the messages call the file (`shown_name`).

    With `quick`, a CSV line without quotes is split and checked by the quick check, skipping
    the csv module and the per-row dict; what it does not accept is read as usual.
    Raises `ImportFileError` before any row is yielded if the file can't be used at all.
    """
    if path.suffix.lower() == ".xlsx":
        with read_xlsx(path, columns=columns, file_name=file_name) as rows:
            yield rows
        return
    encoding = detect_encoding(path, file_name=file_name)
    with _open(path, encoding, file_name=file_name) as stream:
        header_line = stream.readline()
        delimiter = detect_delimiter(header_line)
        header = next(csv.reader([header_line], delimiter=delimiter), [])
        positions = column_positions(header, columns)
        if quick is not None:
            check = quick(positions, len(header))
            rows = _quick_rows(
                stream, delimiter=delimiter, positions=positions, widths=_widths(header), check=check
            )
        else:
            rows = _rows(stream, delimiter=delimiter, positions=positions, widths=_widths(header))
        yield Rows(rows, _byte_progress(stream, path))


def _quick_rows(
    stream: TextIO,
    *,
    delimiter: str,
    positions: dict[str, int],
    widths: tuple[int, int],
    check: Callable[[list[str]], tuple | None],
) -> Iterator[Row]:
    """Rows line by line; a line with a quote (maybe a field over several lines) goes to the
    csv module, which reads on from the stream as far as the record goes."""
    line = 1
    lines = iter(stream.readline, "")
    for text in lines:
        line += 1
        if '"' in text:
            reader = csv.reader(itertools.chain([text], lines), delimiter=delimiter)
            start = line
            try:
                fields = next(reader)
            except csv.Error as exc:
                raise ImportFileError(
                    f"строка {start}: файл не удаётся разобрать — незакрытая кавычка ({exc})."
                ) from None
            line += reader.line_num - 1
        else:
            start = line
            fields = text.rstrip("\r\n").split(delimiter)
        if not any(field.strip() for field in fields):
            continue
        staged = check(fields)
        if staged is not None:
            yield Row(start, {}, "", staged)
        else:
            yield _row(start, fields, positions=positions, widths=widths)


def _byte_progress(stream: TextIO, path: Path) -> Callable[[], float]:
    size = path.stat().st_size or 1
    raw = stream.buffer  # type: ignore[attr-defined]

    def progress() -> float:
        # The position of the byte buffer under the text stream: ahead of the rows by at most
        # one buffer, which a progress bar can live with.
        return min(raw.tell() / size, 1.0)

    return progress


def shown_name(path: Path, file_name: str = "") -> str:
    """What a message calls the file: `file_name`, the name the operator knows it by (an
    upload's own name: the copy kept on disk has a random one, jobs.py), else the path's."""
    return file_name or path.name


def open_workbook(path: Path, *, hint: str = "", file_name: str = ""):
    """An Excel workbook opened for streaming (openpyxl's read-only mode); the caller closes it.
    `hint` ends the refusal of a file that is no workbook (what file is wanted instead)."""
    import openpyxl  # imported here: CSV imports never need it
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except OSError as exc:
        raise ImportFileError(_os_error_text(path, exc, file_name)) from None
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError):
        raise ImportFileError(
            f"Файл «{shown_name(path, file_name)}» не читается как книга Excel (XLSX)"
            + (f": {hint}." if hint else ".")
        ) from None


@contextmanager
def read_xlsx(path: Path, *, columns: Sequence[str], file_name: str = "") -> Iterator[Rows]:
    """The first sheet of an Excel workbook, streamed (openpyxl's read-only mode): the header
    in row 1, a record per row after it. Numbers and dates become the text a person would
    type, so one set of value parsers serves CSV and XLSX alike."""
    workbook = open_workbook(path, file_name=file_name)
    try:
        sheet = workbook.worksheets[0]
        cells = sheet.iter_rows(values_only=True)
        header = [_cell_text(value) for value in next(cells, ())]
        if not any(name.strip() for name in header):
            raise ImportFileError("Лист пуст: в первой строке должен быть заголовок с названиями столбцов.")
        positions = column_positions(header, columns)
        total = sheet.max_row or 0
        state = {"line": 1}

        def rows() -> Iterator[Row]:
            for line, values in enumerate(cells, start=2):
                state["line"] = line
                fields = [_cell_text(value) for value in values]
                if any(field.strip() for field in fields):
                    # Cells can't slide into a neighbour's column as CSV values can: no width check.
                    yield _row(line, fields, positions=positions, widths=(0, len(fields)))

        yield Rows(rows(), lambda: min(state["line"] / total, 1.0) if total else 0.0)
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        # 15 significant digits: what Excel shows, so 0.1 + 0.2 reads as 0.3.
        return f"{value:.15g}"
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


def detect_encoding(path: Path, *, file_name: str = "") -> str:
    """`utf-8-sig` for UTF-8 with a BOM, `utf-8` for valid UTF-8, else `cp1251`.

    The whole file is checked, a chunk at a time, so that a file whose first Cyrillic letter
    comes late is not mistaken for the other encoding, and a bad byte is found before any row
    is imported.
    """
    try:
        with path.open("rb") as stream:
            has_bom = stream.read(len(codecs.BOM_UTF8)) == codecs.BOM_UTF8
            stream.seek(0)
            valid = _valid_encodings(stream)
    except OSError as exc:
        raise ImportFileError(_os_error_text(path, exc, file_name)) from None
    if "utf-8" in valid:
        return "utf-8-sig" if has_bom else "utf-8"
    if "cp1251" in valid and not has_bom:
        return "cp1251"
    raise ImportFileError(
        f"Файл «{shown_name(path, file_name)}» не в кодировке UTF-8 и не в Windows-1251 (cp1251)."
    )


def _valid_encodings(stream: BinaryIO) -> list[str]:
    decoders = {name: codecs.getincrementaldecoder(name)() for name in ENCODINGS}
    while decoders and (chunk := stream.read(_CHUNK)):
        decoders = {name: d for name, d in decoders.items() if _decodes(d, chunk)}
    return [name for name, d in decoders.items() if _decodes(d, b"", final=True)]


def detect_delimiter(header_line: str) -> str:
    """`;` or `,`: whichever the header line holds more of (`;` when it holds neither)."""
    if not header_line.strip():
        raise ImportFileError("Файл пуст: в первой строке должен быть заголовок с названиями столбцов.")
    return max(DELIMITERS, key=header_line.count)


def column_positions(header: Sequence[str], columns: Sequence[str]) -> dict[str, int]:
    """Where each required column is. Names are compared without case and edge spaces."""
    names = [name.strip().lower() for name in header]
    duplicated = [c for c in columns if names.count(c) > 1]
    if duplicated:
        raise ImportFileError(f"Столбцы указаны в заголовке дважды: {', '.join(duplicated)}.")
    missing = [c for c in columns if c not in names]
    if missing:
        raise ImportFileError(
            f"В заголовке нет столбцов: {', '.join(missing)}. "
            f"Первая строка файла должна быть такой: {';'.join(columns)}"
        )
    return {column: names.index(column) for column in columns}


def _rows(
    stream: TextIO, *, delimiter: str, positions: dict[str, int], widths: tuple[int, int]
) -> Iterator[Row]:
    reader = csv.reader(stream, delimiter=delimiter)
    last_line = 1
    while True:
        start = last_line + 1
        try:
            fields = next(reader, None)
        except (csv.Error, UnicodeDecodeError) as exc:
            raise ImportFileError(
                f"строка {start}: файл не удаётся разобрать — "
                f"незакрытая кавычка или слишком длинное поле ({exc})."
            ) from None
        if fields is None:
            return
        last_line = reader.line_num + 1
        if not any(field.strip() for field in fields):
            continue  # blank lines and the `;;;;;` lines spreadsheets leave behind
        yield _row(start, fields, positions=positions, widths=widths)


def _row(line: int, fields: list[str], *, positions: dict[str, int], widths: tuple[int, int]) -> Row:
    values = {column: fields[i] if i < len(fields) else "" for column, i in positions.items()}
    # A field more or less than the header has means a delimiter inside an unquoted value, or a
    # lost one: the values after it sit in the wrong columns.
    least, most = widths
    if not least <= len(fields) <= most:
        problem = (
            f"полей в строке: {len(fields)}, в заголовке: {least} — "
            "проверьте разделитель и кавычки вокруг значений, в которых он встречается"
        )
        return Row(line, values, problem)
    return Row(line, values)


def _widths(header: list[str]) -> tuple[int, int]:
    """How many fields a row may have. Spreadsheets end lines with spare delimiters: a row may
    have as many as the header, or fewer if the header's last fields are empty."""
    named = len(header)
    while named and not header[named - 1].strip():
        named -= 1
    return named, len(header)


@contextmanager
def _open(path: Path, encoding: str, *, file_name: str = "") -> Iterator[TextIO]:
    try:
        stream = path.open(encoding=encoding, newline="")
    except OSError as exc:
        raise ImportFileError(_os_error_text(path, exc, file_name)) from None
    with stream:
        yield stream


def _decodes(decoder: codecs.IncrementalDecoder, chunk: bytes, *, final: bool = False) -> bool:
    try:
        decoder.decode(chunk, final=final)
    except UnicodeDecodeError:
        return False
    return True


def _os_error_text(path: Path, exc: OSError, file_name: str = "") -> str:
    # Without a name of its own the file is called by its path: where it was looked for.
    shown = file_name or str(path)
    if isinstance(exc, FileNotFoundError):
        return f"Файл «{shown}» не найден."
    if isinstance(exc, IsADirectoryError):
        return f"«{shown}» — это каталог, а не файл."
    if isinstance(exc, PermissionError):
        return f"Нет прав на чтение файла «{shown}»."
    return f"Файл «{shown}» не удаётся прочитать: {exc.strerror or exc}."
