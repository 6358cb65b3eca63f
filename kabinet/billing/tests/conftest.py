from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.fixture
def write_file(tmp_path: Path) -> Callable[..., Path]:
    """Write lines as a billing system would: CRLF, the given encoding, optionally a BOM."""

    def write(
        lines: list[str], *, encoding: str = "utf-8", bom: bool = False, name: str = "accounts.csv"
    ) -> Path:
        path = tmp_path / name
        data = "".join(line + "\r\n" for line in lines).encode(encoding)
        path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
        return path

    return write
