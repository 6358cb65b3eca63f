"""A small dBase III writer for tests and samples: the DBF files old billing systems write.

dbfread only reads; the layout is the published one (a 32-byte header, 32 bytes per field, the
records, 0x1A), enough for character, numeric, date and logical fields.
"""

import datetime
import struct
from pathlib import Path

# The header's code page byte («language driver»): 0x65 is cp866, 0xC9 cp1251, 0 none.
CP866, CP1251, NONE = 0x65, 0xC9, 0x00


def write_dbf(
    path: Path,
    *,
    fields: list[tuple[str, str, int, int]],
    records: list[dict[str, object]],
    encoding: str = "cp866",
    language_driver: int = NONE,
) -> Path:
    """`fields`: (name, type C/N/D/L, length, decimals); `records`: values by field name."""
    record_length = 1 + sum(length for _, _, length, _ in fields)
    header_length = 32 + 32 * len(fields) + 1
    today = datetime.date(2026, 11, 2)
    head = struct.pack(
        "<BBBBIHH20x",
        0x03,
        today.year - 1900,
        today.month,
        today.day,
        len(records),
        header_length,
        record_length,
    )
    head = head[:29] + bytes([language_driver]) + head[30:]
    out = bytearray(head)
    for name, kind, length, decimals in fields:
        out += struct.pack("<11sc4xBB14x", name.encode("ascii"), kind.encode("ascii"), length, decimals)
    out += b"\r"
    for record in records:
        out += b" "
        for name, kind, length, decimals in fields:
            out += _cell(record.get(name), kind, length, decimals, encoding)
    out += b"\x1a"
    path.write_bytes(bytes(out))
    return path


def _cell(value: object, kind: str, length: int, decimals: int, encoding: str) -> bytes:
    if value is None:
        return b" " * length
    if kind == "D":
        assert isinstance(value, datetime.date)
        return value.strftime("%Y%m%d").encode("ascii")
    if kind == "L":
        return b"T" if value else b"F"
    if kind == "N":
        text = f"{value:.{decimals}f}" if decimals else str(value)
        return text.rjust(length).encode("ascii")[:length]
    data = str(value).encode(encoding)
    assert len(data) <= length, (value, length)
    return data.ljust(length, b" ")
