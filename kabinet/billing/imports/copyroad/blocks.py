"""The COPY road's check of a file: blocks of lines, each matched whole by one pattern.

Each block of about a megabyte of lines is checked by one regular expression (RE2, linear time)
built from the header and the services the file names: every field as the careful road would
take it unchanged (numbers, periods, account numbers, codes and texts in the forms `_fields`
lists), every service by its one name and unit (`Blocks`). A block that does not match raises
`Unsuitable`: the file then takes the careful road, which says what is wrong with it.
"""

import csv
import io
import threading
from pathlib import Path
from typing import BinaryIO

import re2

from ..accrual_rows import AccrualParser
from ..fields import VOLUME_SOURCES, FieldError
from ..read import Progress

_CHUNK = 1 << 20
_SOURCES = [key for key in VOLUME_SOURCES if key.isascii() and key]  # stored as written


class Unsuitable(Exception):
    """The file has to take the careful road."""


def _text_char(encoding: str, delimiter: bytes, comma: bool) -> str:
    """A character of a text value stored exactly as written: printable, never whitespace to
    Python or changed by NFC (printable ASCII, Latin-1 letters and signs such as ² ³ ·, Cyrillic
    without its combining marks, dashes and other punctuation, currency signs, №), nor a quote,
    a backslash or the delimiter. As UTF-8 bytes, or cp1251 bytes (all but NBSP and the unused
    0x98)."""
    excluded = {b'"', b"\\", delimiter} | ({b","} if comma else set())
    ascii_chars = "".join(
        re2.escape(bytes([b])).decode("latin-1") for b in range(0x21, 0x7F) if bytes([b]) not in excluded
    )
    if encoding == "cp1251":
        return f"(?:[{ascii_chars}]|[\\x80-\\x97\\x99-\\x9f\\xa1-\\xff])"
    return (
        f"(?:[{ascii_chars}]|\\xc2[\\xa1-\\xbf]|\\xc3[\\x80-\\xbf]|[\\xd0\\xd1\\xd3][\\x80-\\xbf]"
        r"|\xd2[\x80-\x82\x8a-\xbf]|\xe2\x80[\x90-\xa7\xb0-\xbf]|\xe2\x81[\x80-\x9e]"
        r"|\xe2\x82[\xa0-\xbf]|\xe2\x84\x96)"
    )


def _number(integer: int, places: int, *, minus: bool, point: str) -> str:
    return f"{'-?' if minus else ''}[0-9]{{1,{integer}}}(?:{point}[0-9]{{1,{places}}})?"


def _fields(encoding: str, delimiter: bytes, comma: bool) -> dict[str, str]:
    """The form of each column's value that the careful road takes as it is written. A number
    has its decimal comma only in the blocks `comma` is for, whose texts hold no comma (the
    block's commas then all become points)."""
    char = _text_char(encoding, delimiter, comma)
    text = f"{char}+(?: {char}+)*"
    point = "[.,]" if comma else r"\."
    return {
        "account_number": "[0-9A-Z/-]{1,30}",
        "period": r"20[0-9]{2}-(?:0[1-9]|1[0-2])-01|01\.(?:0[1-9]|1[0-2])\.20[0-9]{2}",
        "service_code": text,
        "service_name": text,
        "unit": f"(?:{text})?",
        "tariff": f"(?:{_number(10, 4, minus=False, point=point)})?",
        "volume": f"(?:{_number(10, 6, minus=False, point=point)})?",
        "volume_source": f"(?:{'|'.join(_SOURCES)})?",
        "accrued": _number(12, 2, minus=False, point=point),
        "recalculation": _number(12, 2, minus=True, point=point),
        "recalculation_reason": f"(?:{text})?",
        "benefit": _number(12, 2, minus=False, point=point),
        "to_pay": _number(12, 2, minus=True, point=point),
    }


_SERVICE_COLUMNS = ("service_code", "service_name", "unit")
# A billing system has tens of services; a file naming more takes the careful road rather than
# make the blocks' pattern ever larger.
_MAX_SERVICES = 500
_NOTHING = "[^\\x00-\\xff]"  # matches no byte: a pattern with no services in it


def _block_pattern(
    names: list[str], *, encoding: str, delimiter: bytes, comma: bool, services: dict[str, tuple[str, str]]
) -> "re2._Regexp":
    """Lines of the file's columns in their forms (`_fields`), whose service code, name and
    unit are one of `services`' (code -> name, unit) exactly: a block that matches names no
    other service and no service by two names. The columns from the first of the three to the
    last are matched as one of the services' spans."""
    forms = _fields(encoding, delimiter, comma)
    separator = re2.escape(delimiter).decode("latin-1")
    where = [names.index(name) for name in _SERVICE_COLUMNS]
    first, last = min(where), max(where)

    def span(values: tuple[str, str, str]) -> str:
        pairs = zip(_SERVICE_COLUMNS, values, strict=True)
        known = {column: _literal(value, encoding) for column, value in pairs}
        return separator.join(f"(?:{known.get(name, forms[name])})" for name in names[first : last + 1])

    spans = [
        span((code, name, unit))
        for code, (name, unit) in services.items()
        if not (comma and "," in code + name + unit)  # a comma there is no decimal comma
    ]
    columns = [f"(?:{forms[name]})" for name in names[:first]]
    columns.append(f"(?:{'|'.join(spans) or _NOTHING})")
    columns += [f"(?:{forms[name]})" for name in names[last + 1 :]]
    line = separator.join(columns)
    return re2.compile(f"(?:{line}\\r?\\n)*(?:{line})?".encode("latin-1"), _options())


def _field_pattern(form: str) -> "re2._Regexp":
    return re2.compile(form.encode("latin-1"), _options())


def _options() -> re2.Options:
    options = re2.Options()
    options.encoding = re2.Options.Encoding.LATIN1  # bytes, matched byte by byte
    # Room for the DFA's states: with less, RE2 rebuilds them block after block, twice as slow.
    options.max_mem = 256 << 20
    return options


def _literal(value: str, encoding: str) -> str:
    return re2.escape(value.encode(encoding)).decode("latin-1")


class Blocks:
    """The file's lines after the header in checked blocks of about a megabyte, each ending at a
    line's end, handed out to the COPY threads one at a time. Raises `Unsuitable` for a block
    that is not plainly good.

    `services` (code -> name, unit) are the file's: read from the lines of the first block, and
    of a later one that names a service not seen before. Each block's pattern then takes those
    services only, so that a block that matches it names each by its one name and unit."""

    def __init__(
        self, path: Path, *, names: list[str], encodings: list[str], delimiter: str, progress: Progress | None
    ) -> None:
        self.stream: BinaryIO = path.open("rb")
        self.stream.readline()  # the header, read by the caller
        self.size = path.stat().st_size or 1
        self.lines = 1
        self.share = 0.0
        self.carry = b""
        self.stopped = False
        self.lock = threading.Lock()
        self.progress = progress
        self.delimiter = delimiter
        self.names = names
        self.service_at = [names.index(name) for name in _SERVICE_COLUMNS]
        self.parser = AccrualParser()
        self.pending = self._read()
        # The first block decides the encoding the file is in; the rest must be in it too.
        for encoding in encodings:
            self._use(encoding)
            try:
                self.pending = self._checked(self.pending)
                break
            except Unsuitable:
                continue
        else:
            self.stream.close()
            raise Unsuitable

    def _use(self, encoding: str) -> None:
        self.encoding = encoding
        self.services: dict[str, tuple[str, str]] = {}
        forms = _fields(encoding, self.delimiter.encode(), comma=False)
        self.service_forms = [_field_pattern(forms[name]) for name in _SERVICE_COLUMNS]
        self._compile()

    def _compile(self) -> None:
        def pattern(comma: bool) -> "re2._Regexp":
            return _block_pattern(
                self.names,
                encoding=self.encoding,
                delimiter=self.delimiter.encode(),
                comma=comma,
                services=self.services,
            )

        self.plain = pattern(comma=False)
        self.comma = pattern(comma=True) if self.delimiter != "," else None

    def stop(self) -> None:
        with self.lock:
            self._stop_reading()

    def next(self) -> bytes | None:
        with self.lock:
            if self.stopped:
                return None
            # The first block, checked already, unless its rows were all empty.
            pending, self.pending = self.pending, None
            try:
                block = pending or self._read()
                checked = block if block is pending else self._checked(block)
            except BaseException:
                self._stop_reading()
                raise
            if not block:
                self._stop_reading()
                return None
            self.lines += block.count(b"\n")
            self.share = min(self.stream.tell() / self.size, 1.0)
            return checked

    def report_progress(self) -> None:
        """The lines handed out so far and their share of the file, to `progress`."""
        if self.progress is not None:
            with self.lock:
                lines, share = self.lines, self.share
            self.progress(lines - 1, share)

    def _stop_reading(self) -> None:
        self.stopped = True
        self.stream.close()

    def _read(self) -> bytes:
        data = self.carry + self.stream.read(_CHUNK)
        cut = data.rfind(b"\n") + 1
        if not cut and data:
            data += self.stream.readline()  # a line longer than a block
            cut = len(data) if data.endswith(b"\n") else 0
        if not cut:
            self.carry = b""
            return data  # the last line, without a line break
        self.carry = data[cut:]
        return data[:cut]

    def _checked(self, block: bytes, *, rewritten: bool = False) -> bytes:
        if self.plain.fullmatch(block):
            return block
        if self.comma is not None and self.comma.fullmatch(block):
            return block.replace(b",", b".")
        if self._learn_services(block):
            return self._checked(block, rewritten=rewritten)
        if not rewritten and _maybe_plain_once_read(block):
            return self._checked(self._rewritten(block), rewritten=True)
        raise Unsuitable

    def _learn_services(self, block: bytes) -> bool:
        """Add the services whose codes the block's lines name for the first time, each if it
        is written as the careful road would take it unchanged; whether there were any. A known
        code by another name or unit stays out of the patterns, so its line fails them: which
        name is the service's is the careful road's business."""
        try:
            text = block.decode(self.encoding)
        except UnicodeDecodeError:
            return False
        learned = False
        try:
            for fields in csv.reader(text.splitlines(), delimiter=self.delimiter):
                if len(fields) != len(self.names):
                    continue  # the block fails its pattern whatever the services
                code, name, unit = (fields[at] for at in self.service_at)
                if code not in self.services and self._plain_service(code, name, unit):
                    self.services[code] = (name, unit)
                    learned = True
        except csv.Error:
            pass  # not a block the csv module reads: it fails its pattern whatever the services
        if len(self.services) > _MAX_SERVICES:
            raise Unsuitable
        if learned:
            self._compile()
        return learned

    def _plain_service(self, code: str, name: str, unit: str) -> bool:
        try:
            checked = self.parser.service(code, name, unit)
            written = [value.encode(self.encoding) for value in (code, name, unit)]
        except (FieldError, UnicodeEncodeError):
            return False
        plain = zip(self.service_forms, written, strict=True)
        return checked == (code, name, unit) and all(form.fullmatch(value) for form, value in plain)

    def _rewritten(self, block: bytes) -> bytes:
        """The block as the csv module reads it, without its empty rows. A value that needs its
        quotes (a delimiter, a quote or a line break in it, or a quote left open at the block's
        end) is for the careful road."""
        try:
            text = block.decode(self.encoding)
        except UnicodeDecodeError:
            raise Unsuitable from None
        if text.count("\r") != text.count("\r\n"):
            raise Unsuitable  # a lone carriage return: a line break to the csv module
        newline = "\r\n" if "\r\n" in text else "\n"
        out = io.StringIO()
        try:
            for fields in csv.reader(text.splitlines(keepends=True), delimiter=self.delimiter, strict=True):
                if not any(value.strip() for value in fields):
                    continue
                if any(self.delimiter in v or '"' in v or "\n" in v or "\r" in v for v in fields):
                    raise Unsuitable
                out.write(self.delimiter.join(fields) + newline)
        except csv.Error:
            raise Unsuitable from None
        return out.getvalue().encode(self.encoding)


def _maybe_plain_once_read(block: bytes) -> bool:
    """Quotes or empty rows: as the csv module reads the block, it may be plain."""
    return b'"' in block or b"\n\n" in block or b"\n\r\n" in block or block.startswith((b"\n", b"\r\n"))
