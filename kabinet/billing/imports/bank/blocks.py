"""A registry's plain blocks: about a megabyte of lines checked whole by one pattern, COPYed as
they are written.

Most of a bank's million-line registry is lines whose every value is plainly good. Checking
them a line at a time in Python (`_LineReader.plain_line_check`) costs microseconds a line, the
larger part of the import. Here a block is matched whole by one RE2 pattern built from the
profile — each value the reader uses in a form that the careful road would stage unchanged (a
real date, an amount of digits not zero, an account number as stored, a month, texts printable
without edge or double spaces), the values it ignores anything but a line break or a backslash —
and a block that matches goes to PostgreSQL with COPY as its bytes are (cp1251, converted by the
server), into a table of the line's raw fields (`RAW`). At the end one INSERT … SELECT stages
them as the careful road would (`finish`): the operation id, the dates, the amount with its
point, and their count and sum for the totals line.

A block that does not match is the careful road's (registry_file.py): it reads the block's lines
one by one and says what is wrong with each, as it did before; so both roads stage the same
values and the refusals are unchanged. PostgreSQL only (SQLite has no COPY), cp1251 profiles of
fields in their places.
"""

import hashlib
from decimal import Decimal

import re2
from django.db import connection

from ..staging import Layout
from .profiles import Profile
from .record import REGISTRY, STAGE

_SEQUENCE = "billing_stage_bank_line"
_ENCODINGS = {"cp1251": "WIN1251"}  # the profile's encoding: PostgreSQL's name for it


class BlockRoad:
    """The blocks of one registry, COPYed into `RAW` while the file is read (`take`), staged
    at its end (`finish`)."""

    def __init__(self, profile: Profile, *, note: str) -> None:
        self.profile = profile
        self.note = note
        self.layout = Layout(
            "billing_stage_bank_raw", tuple((f"f{n}", "text") for n in range(1, profile.fields + 1))
        )
        self.pattern = re2.compile(_block_pattern(profile).encode("latin-1"), _options())
        self.lines = 0
        columns = ", ".join(f"{name} {kind}" for name, kind in self.layout.columns)
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.layout.table}")
            cursor.execute(f"DROP SEQUENCE IF EXISTS {_SEQUENCE}")
            cursor.execute(f"CREATE TEMPORARY SEQUENCE {_SEQUENCE}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {self.layout.table} "
                f"(line bigint NOT NULL DEFAULT nextval('{_SEQUENCE}'), {columns})"
            )
        names = ", ".join(name for name, _ in self.layout.columns)
        self.copy_sql = (
            f"COPY {self.layout.table} ({names}) FROM STDIN "
            f"WITH (FORMAT text, DELIMITER '{profile.separator}', ENCODING '{_ENCODINGS[profile.encoding]}')"
        )

    def take(self, block: bytes, *, first_line: int) -> int | None:
        """COPY the block if all its lines are plain, numbered from `first_line`: how many
        lines it had; None for a block that is the careful road's."""
        if not self.pattern.fullmatch(block):
            return None
        breaks = block.count(b"\n")
        if block.count(b"\r") not in (0, breaks):
            return None  # COPY takes the lines of a block ended alike only
        lines = breaks + (0 if block.endswith(b"\n") or not block else 1)
        if lines:
            with connection.cursor() as cursor:
                cursor.execute("SELECT setval(%s, %s, false)", [_SEQUENCE, first_line])
                with cursor.copy(self.copy_sql) as copy:
                    copy.write(block)
        self.lines += lines
        return lines

    def finish(self) -> Decimal:
        """Stage the COPYed lines as the careful road would stage them; their sum."""
        profile = self.profile
        field = {n: f"r.f{n}" for n in range(1, profile.fields + 1)}
        operation = " || ';' || ".join(field[p] for p in profile.operation)
        # Casts, not to_date and date_trunc (a third of the statement's time): the dates are
        # real ones of this century, written day first (`_DAY_MONTH`), read under DMY.
        date = field[profile.date]
        paid_on, month = f"{date}::date", f"('01' || substr({date}, 3))::date"
        amount = f"replace({field[profile.amount]}, ',', '.')::numeric"
        if profile.period:  # ММГГГГ, ММ.ГГГГ, ММГГ or ММ.ГГ (`_PERIOD`), or nothing
            written = field[profile.period]
            period = (
                f"CASE length({written}) WHEN 0 THEN NULL "
                f"WHEN 6 THEN ('01.' || left({written}, 2) || '.' || right({written}, 4))::date "
                f"WHEN 7 THEN ('01.' || {written})::date "
                f"ELSE ('01.' || left({written}, 2) || '.20' || right({written}, 2))::date END"
            )
        else:
            period = "NULL::date"

        def text(position: int | None) -> str:
            # `_text`: the careful road keeps no name longer than parse_text takes.
            if not position:
                return "''"
            return (
                f"CASE WHEN length({field[position]}) > 10000 THEN '' ELSE left({field[position]}, 300) END"
            )

        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('datestyle'), set_config('datestyle', 'ISO, DMY', true)")
            (datestyle, _) = cursor.fetchone()
            cursor.execute(
                f"WITH staged AS (INSERT INTO {STAGE.table} ({', '.join(STAGE.names)}) "
                f"SELECT r.line, left(%s || {operation}, 64), {field[int(profile.account)]}, {paid_on}, "
                f"{period}, {month}, {amount}, "
                f"{text(profile.full_name)}, {text(profile.address)}, '', %s, NULL, false "
                f"FROM {self.layout.table} r RETURNING amount) "
                "SELECT COUNT(*), SUM(amount) FROM staged",
                [REGISTRY, self.note],
            )
            count, total = cursor.fetchone()
            cursor.execute("SELECT set_config('datestyle', %s, true)", [datestyle])
            # The few operation ids too long for the column: their hash, as `_external_id` makes it.
            cursor.execute(
                f"SELECT r.line, {operation} FROM {self.layout.table} r WHERE length({operation}) > %s",
                [64 - len(REGISTRY)],
            )
            long = [
                (line, REGISTRY + hashlib.sha1(text.encode()).hexdigest()) for line, text in cursor.fetchall()
            ]
            if long:
                marks = ", ".join(["(%s::bigint, %s)"] * len(long))
                cursor.execute(
                    f"UPDATE {STAGE.table} s SET external_id = v.key FROM (VALUES {marks}) v(line, key) "
                    "WHERE s.line = v.line",
                    [value for pair in long for value in pair],
                )
            cursor.execute(f"DROP TABLE {self.layout.table}")
            cursor.execute(f"DROP SEQUENCE {_SEQUENCE}")
        if count != self.lines:
            raise RuntimeError(f"COPY took {count} lines of {self.lines}")  # the pattern let a wrong block by
        return total or Decimal(0)


def usable(profile: Profile) -> bool:
    return (
        not profile.tagged
        and profile.encoding in _ENCODINGS
        and len(profile.separator) == 1
        and profile.separator.isascii()
        and not profile.separator.isalnum()
        and profile.separator not in "\\\r\n ."
        and isinstance(profile.account, int)
    )


def _options() -> re2.Options:
    options = re2.Options()
    options.encoding = re2.Options.Encoding.LATIN1  # bytes, matched byte by byte
    options.max_mem = 256 << 20  # room for the DFA's states (copyroad/blocks.py)
    return options


def _text_char(encoding: str, separator: str) -> str:
    """A byte of a text `_plain_chars` takes and COPY stores as it is: printable to Python
    once decoded (cp1251's NBSP, soft hyphen and its unused 0x98 are not), not a space, a
    backslash (COPY's escape) or the separator."""
    taken = []
    for byte in range(0x21, 0x100):
        try:
            char = bytes([byte]).decode(encoding)
        except UnicodeDecodeError:
            continue
        if char.isprintable() and not char.isspace() and char not in ("\\", separator):
            taken.append(f"\\x{byte:02x}")
    return f"[{''.join(taken)}]"


# A real calendar date of this century, day and month of two digits (`parse_date` takes any
# year; other years are the careful road's).
_DAY_MONTH = (
    r"(?:(?:0[1-9]|1[0-9]|2[0-8])S(?:0[1-9]|1[0-2])|(?:29|30)S(?:0[13-9]|1[0-2])|31S(?:0[13578]|1[02]))"
    r"S20[0-9][0-9]"
    r"|29S02S20(?:[02468][048]|[13579][26])"
)
# `_PLAIN_AMOUNT` without zero, which the careful road refuses.
_AMOUNT = r"(?:[1-9][0-9]{0,11}(?:[.,][0-9]{1,2})?|0[.,](?:[1-9][0-9]?|0[1-9]))"
_ACCOUNT = r"[0-9A-Z/\-\xa8\xc0-\xdf]{1,30}"  # `_PLAIN_ACCOUNT` in cp1251: Ё, А-Я
# `_parse_period`'s ММГГГГ, ММ.ГГГГ, ММГГ of this century; or nothing.
_PERIOD = r"(?:(?:0[1-9]|1[0-2])\.?(?:20)?[0-9][0-9])?"


def _block_pattern(profile: Profile) -> str:
    separator = re2.escape(profile.separator.encode()).decode("latin-1")
    char = _text_char(profile.encoding, profile.separator)
    text = f"(?:{char}+(?: {char}+)*)?"
    anything = f"[^{separator}\\r\\n\\\\\\x00\\x98]*"
    date = _DAY_MONTH.replace("S", "/" if profile.date_format == "dd/mm/yyyy" else r"\.")
    forms = {profile.full_name: text, profile.address: text}
    forms.update({position: text for position in profile.operation})
    if profile.period:
        forms[profile.period] = _PERIOD
    forms.update({int(profile.account): _ACCOUNT, profile.amount: _AMOUNT, profile.date: f"(?:{date})"})
    line = separator.join(forms.get(n, anything) for n in range(1, profile.fields + 1))
    return f"(?:{line}\\r?\\n)*(?:{line})?"
