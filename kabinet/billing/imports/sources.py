"""Reading a billing system's own export, whatever its layout: CSV with any separator, XLSX, DBF.

A source is a header and rows of text, with the line each row starts on, in UTF-8, cp1251 or
cp866 (found from the file unless told). What the columns mean is the profile's business
(mapping.py); this module only turns the bytes into cells, as read.py does for Kabinet's own
layout, whose strictness (every column named, `;` or `,`) a foreign export can't be held to.
"""

import codecs
import csv
import datetime
import itertools
import struct
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from .read import ImportFileError, _cell_text, _os_error_text, open_workbook, shown_name

SEPARATORS = (";", ",", "\t", "|")
ENCODINGS = ("utf-8", "cp1251", "cp866")
ENCODING_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "cp1251": "Windows-1251", "cp866": "DOS (cp866)"}
_SAMPLE = 1 << 16  # bytes read to tell cp1251 from cp866
# The Russian letters one meets most in any text, lower case: a wrong 8-bit code page turns
# them into capitals, pseudographics or Latin-1 signs, so their share tells the right one.
_COMMON_LETTERS = frozenset("оеаинтсрвлкмдпуяыьгзбчйхжшюцщэфъё")


@dataclass
class Source:
    """An open file: its header (column names, or «1», «2»… when it has none), its rows as
    (line, cells), the encoding it was read in, and how far the reading got (0.0 to 1.0)."""

    header: list[str]
    rows: Iterator[tuple[int, list[str]]]
    encoding: str
    progress: Callable[[], float]
    file_format: str


def file_format_of(path: Path) -> str:
    suffix = path.suffix.lower()
    return {".xlsx": "xlsx", ".dbf": "dbf"}.get(suffix, "csv")


@contextmanager
def open_source(
    path: Path,
    *,
    file_format: str = "",
    separator: str = "",
    encoding: str = "",
    header_row: int = 1,
    file_name: str = "",
) -> Iterator[Source]:
    """Open a file for reading. Empty `file_format`, `separator`, `encoding`: found from the
    file. `header_row` is the line (row) of the column names, from 1; 0: the file has none.
    `file_name` is what the messages call the file (`read.shown_name`).
    Raises `ImportFileError` (in Russian) if the file can't be read at all."""
    actual = file_format_of(path)
    if file_format and file_format != actual:
        expected = {"csv": "CSV или текст", "xlsx": "книга Excel (.xlsx)", "dbf": "файл DBF (.dbf)"}
        raise ImportFileError(
            f"Профиль ждёт файл в формате «{expected.get(file_format, file_format)}», "
            f"а загружен «{shown_name(path, file_name)}»."
        )
    opener = {"xlsx": _open_xlsx, "dbf": _open_dbf}.get(actual, _open_csv)
    with opener(
        path, separator=separator, encoding=encoding, header_row=header_row, file_name=file_name
    ) as source:
        yield source


# --- encodings -------------------------------------------------------------------------------


def detect_encoding(sample: bytes) -> str:
    """UTF-8 (with or without a BOM) if the bytes are UTF-8; else cp1251 or cp866, whichever
    reads as more Russian text. Byte chunks may cut a UTF-8 letter at the end: allowed."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    return max(("cp1251", "cp866"), key=lambda name: _russian_share(sample, name))


def _russian_share(sample: bytes, encoding: str) -> float:
    text = sample.decode(encoding, errors="replace")
    letters = [ch for ch in text if ord(ch) > 127]
    if not letters:
        return 0.0
    return sum(ch in _COMMON_LETTERS for ch in letters) / len(letters)


def _check_encoding(encoding: str) -> str:
    if encoding and encoding not in ENCODINGS:
        raise ImportFileError(f"Кодировка «{encoding}» не поддерживается: нужна UTF-8, cp1251 или cp866.")
    return encoding


# --- CSV and other text ----------------------------------------------------------------------


def detect_separator(line: str) -> str:
    """The separator the line holds most of, among `;`, `,`, tab and `|` (`;` if none)."""
    counts = {sep: line.count(sep) for sep in SEPARATORS}
    best = max(SEPARATORS, key=lambda sep: counts[sep])
    return best if counts[best] else ";"


def _separator(text: str) -> str:
    return "\t" if text in ("\\t", "tab", "TAB") else text


@contextmanager
def _open_csv(
    path: Path, *, separator: str, encoding: str, header_row: int, file_name: str
) -> Iterator[Source]:
    try:
        with path.open("rb") as raw:
            sample = raw.read(_SAMPLE)
    except OSError as exc:
        raise ImportFileError(_os_error_text(path, exc, file_name)) from None
    if not sample.strip():
        raise ImportFileError(f"Файл «{shown_name(path, file_name)}» пуст.")
    encoding = _check_encoding(encoding) or detect_encoding(sample)
    if encoding == "utf-8" and sample.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    with path.open(encoding=encoding, newline="") as stream:
        lines = _decoded(stream, name=shown_name(path, file_name), encoding=encoding)
        for _ in range(max(header_row - 1, 0)):
            if next(lines, None) is None:
                raise ImportFileError(f"В файле меньше строк, чем номер строки заголовка ({header_row}).")
        first = next(lines, None)
        if first is None:
            raise ImportFileError("После строки заголовка в файле нет строк." if header_row else "Файл пуст.")
        sep = _separator(separator) or detect_separator(first)
        records = _records(itertools.chain([first], lines), sep, first_line=max(header_row, 1))
        if header_row:
            _, header = next(records)
        else:
            line, cells = next(records)
            header = [str(i) for i in range(1, len(cells) + 1)]
            records = itertools.chain([(line, cells)], records)
        size = path.stat().st_size or 1
        buffer = stream.buffer  # type: ignore[attr-defined]
        yield Source(
            [name.strip() for name in header],
            (r for r in records if any(cell.strip() for cell in r[1])),
            encoding,
            lambda: min(buffer.tell() / size, 1.0),
            "csv",
        )


def _decoded(stream: TextIO, *, name: str, encoding: str) -> Iterator[str]:
    try:
        yield from iter(stream.readline, "")
    except UnicodeDecodeError:
        raise ImportFileError(
            f"Файл «{name}» не читается в кодировке {ENCODING_NAMES.get(encoding, encoding)}: "
            "выберите другую кодировку."
        ) from None


def _records(lines: Iterator[str], separator: str, *, first_line: int) -> Iterator[tuple[int, list[str]]]:
    """Records with the line each starts on; a quoted value may hold the separator or run over
    several lines, as 1С and Excel write them."""
    reader = csv.reader(lines, delimiter=separator, strict=True)
    done = 0
    while True:
        start = first_line + done
        try:
            cells = next(reader, None)
        except csv.Error as exc:
            raise ImportFileError(
                f"строка {start}: файл не удаётся разобрать — незакрытая кавычка или лишняя кавычка "
                f"внутри значения ({exc})."
            ) from None
        if cells is None:
            return
        done = reader.line_num
        yield start, cells


# --- XLSX ------------------------------------------------------------------------------------


@contextmanager
def _open_xlsx(
    path: Path, *, separator: str, encoding: str, header_row: int, file_name: str
) -> Iterator[Source]:
    workbook = open_workbook(path, file_name=file_name)
    try:
        sheet = workbook.worksheets[0]
        cells = enumerate(sheet.iter_rows(values_only=True), start=1)
        rows = ((line, [_cell_text(v) for v in values]) for line, values in cells)
        if header_row:
            found = next(itertools.islice(rows, header_row - 1, None), None)
            if found is None:
                raise ImportFileError(f"На листе меньше строк, чем номер строки заголовка ({header_row}).")
            header = [name.strip() for name in found[1]]
        else:
            first = next(rows, None)
            if first is None:
                raise ImportFileError("Лист пуст.")
            header = [str(i) for i in range(1, len(first[1]) + 1)]
            rows = itertools.chain([first], rows)
        total = sheet.max_row or 0
        state = {"line": 0}

        def counted() -> Iterator[tuple[int, list[str]]]:
            for line, values in rows:
                state["line"] = line
                if any(v.strip() for v in values):
                    yield line, values

        yield Source(header, counted(), "", lambda: min(state["line"] / total, 1.0) if total else 0.0, "xlsx")
    finally:
        workbook.close()


# --- DBF -------------------------------------------------------------------------------------

# The code page a DBF names in its header (the «language driver» byte): what dbfread knows too.
_DBF_CODEPAGES = {0x01: "cp437", 0x26: "cp866", 0x65: "cp866", 0x57: "cp1251", 0xC9: "cp1251"}


@contextmanager
def _open_dbf(
    path: Path, *, separator: str, encoding: str, header_row: int, file_name: str
) -> Iterator[Source]:
    """A dBase table: the header is its field names, a row its record; dates become
    `ДД.ММ.ГГГГ`. Text is read raw and decoded here: old billing systems write cp866 and leave
    the header's code page empty or wrong, so the text itself decides unless told."""
    from dbfread import DBF
    from dbfread.exceptions import DBFNotFound

    encoding = _check_encoding(encoding)
    try:
        table = DBF(str(path), raw=True, load=False, char_decode_errors="strict")
        fields = list(table.fields)
        sample = b" ".join(
            value for record in itertools.islice(table, 200) for value in record.values() if value
        )
    except DBFNotFound:
        raise ImportFileError(f"Файл «{file_name or path}» не найден.") from None
    except (OSError, ValueError, struct.error, UnicodeDecodeError, IndexError):
        raise ImportFileError(f"Файл «{shown_name(path, file_name)}» не читается как таблица DBF.") from None
    if not encoding:
        guessed = detect_encoding(sample)
        named = _DBF_CODEPAGES.get(table.header.language_driver)
        # Old programs leave the header's code page empty or wrong: the text decides when they differ.
        encoding = named if named and (guessed == named or sample.isascii()) else guessed
    total = len(table) or 1
    state = {"done": 0}
    kinds = {field.name: field.type for field in fields}

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for number, record in enumerate(table, start=2):
                state["done"] = number - 1
                cells = [_dbf_text(value, kinds[name], encoding) for name, value in record.items()]
                if any(cells):
                    yield number, cells
        except UnicodeDecodeError:
            raise ImportFileError(
                f"Файл «{shown_name(path, file_name)}» не читается в кодировке "
                f"{ENCODING_NAMES.get(encoding, encoding)}: выберите другую кодировку."
            ) from None

    yield Source([f.name for f in fields], rows(), encoding, lambda: min(state["done"] / total, 1.0), "dbf")


def _dbf_text(value: bytes | None, kind: str, encoding: str) -> str:
    if value is None:
        return ""
    text = value.decode(encoding).strip().strip("\x00")
    if kind == "D" and len(text) == 8 and text.isdigit():
        try:
            return datetime.date(int(text[:4]), int(text[4:6]), int(text[6:])).strftime("%d.%m.%Y")
        except ValueError:
            return text
    if kind == "L":
        return {"T": "1", "Y": "1", "F": "0", "N": "0"}.get(text.upper(), "")
    return text
