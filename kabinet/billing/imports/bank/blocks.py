"""A registry's plain blocks: about a megabyte of lines checked whole by one pattern and staged
without Python's work per line.

Most of a bank's million-line registry is lines whose every value is plainly good. Checking
them a line at a time in Python (`_LineReader.plain_line_check`) costs microseconds a line, the
larger part of the import. Here a block is matched whole by one RE2 pattern built from the
profile — each value the reader uses in a form that the careful road would stage unchanged (a
real date, an amount of digits not zero, an account number as stored, a month, texts printable
without edge or double spaces), the values it ignores anything but a line break — and a block
that matches is cut into its fields and written out as the staging table's rows by operations
on whole lists (`bytes.split`, slices, `map` of bytes methods: C, not a Python step a line),
still in cp1251 (the server converts it), into one COPY that stays open while the next block
is read: PostgreSQL takes the rows on one core while Python cuts the next block on the other.

A block that does not match is the careful road's (registry_file.py): it reads the block's lines
one by one and says what is wrong with each, as it did before; so both roads stage the same
values and the refusals are unchanged. PostgreSQL only (SQLite has no COPY), cp1251 profiles of
fields in their places.
"""

from contextlib import ExitStack
from decimal import Decimal

import re2
from django.db import connection

from .profiles import Profile
from .record import REGISTRY, STAGE, registry_operation_id

_ENCODINGS = {"cp1251": "WIN1251"}  # the profile's encoding: PostgreSQL's name for it
_COLUMNS = (
    *("line", "external_id", "account_number", "paid_on", "period", "month", "amount", "payer", "address"),
)
_ROW = b"\t".join([b"%d", *[b"%s"] * (len(_COLUMNS) - 1)]) + b"\n"
_TEXT_LIMIT = 300  # the payer's and the address's column (longer ones are the careful road's)
_KEY_LIMIT = 64  # the external_id column: a longer operation id is kept as its hash


class BlockRoad:
    """The blocks of one registry, staged while the file is read (`take`) through one COPY
    (closed while the careful road stages a block of its own, `pause`)."""

    def __init__(self, profile: Profile, *, note: str) -> None:
        self.profile = profile
        self.pattern = re2.compile(_block_pattern(profile).encode("latin-1"), _options())
        self.width = profile.fields
        self.total = Decimal(0)
        self.periods: dict[bytes, bytes] = {b"": b"\\N"}
        self.months: dict[bytes, bytes] = {}
        self.copy_sql = (
            f"COPY {STAGE.table} ({', '.join(_COLUMNS)}) FROM STDIN "
            f"WITH (FORMAT text, ENCODING '{_ENCODINGS[profile.encoding]}')"
        )
        self.open = ExitStack()
        self.copy = None
        with connection.cursor() as cursor:
            # What the careful road writes into the columns the blocks leave out. (DDL takes no
            # parameters: the note, which names the file, quoted by the server.)
            cursor.execute("SELECT quote_literal(%s)", [note])
            (quoted,) = cursor.fetchone()
            cursor.execute(
                f"ALTER TABLE {STAGE.table} ALTER note SET DEFAULT {quoted}, ALTER purpose SET DEFAULT '', "
                "ALTER has_readings SET DEFAULT false"
            )
            # The dates go as the file writes them, day first; ISO output all the same.
            cursor.execute("SELECT current_setting('datestyle'), set_config('datestyle', 'ISO, DMY', true)")
            (self.datestyle, _) = cursor.fetchone()

    def take(self, block: bytes, *, first_line: int) -> int | None:
        """Stage the block if all its lines are plain, numbered from `first_line`: how many
        lines it had; None for a block that is the careful road's."""
        if not block or not self.pattern.fullmatch(block):
            return None
        profile = self.profile
        separator = profile.separator.encode()
        fields = block.replace(b"\r\n", separator).replace(b"\n", separator).split(separator)
        if block.endswith(b"\n"):
            fields.pop()  # after the last line's break
        width = self.width
        lines, rest = divmod(len(fields), width)
        if rest:
            return None  # not so: the pattern holds lines of `width` fields

        def column(position: int) -> list[bytes]:
            return fields[position - 1 :: width]

        payers = column(profile.full_name) if profile.full_name else [b""] * lines
        addresses = column(profile.address) if profile.address else [b""] * lines
        if max(map(len, payers)) > _TEXT_LIMIT or max(map(len, addresses)) > _TEXT_LIMIT:
            return None  # cut short by the careful road
        operations = zip(*map(column, profile.operation), strict=True)
        keys = list(map(REGISTRY.encode().__add__, map(b";".join, operations)))
        if max(map(len, keys)) > _KEY_LIMIT:
            keys = [_hashed(key) if len(key) > _KEY_LIMIT else key for key in keys]
        dates = column(profile.date)
        for date in set(dates).difference(self.months):
            self.months[date] = b"01" + date[2:]
        if profile.period:
            periods = column(profile.period)
            for written in set(periods).difference(self.periods):
                self.periods[written] = _period(written)
            periods = list(map(self.periods.__getitem__, periods))
        else:
            periods = [b"\\N"] * lines
        amounts = b"\n".join(column(profile.amount)).replace(b",", b".")
        self.total += sum(map(Decimal, amounts.decode("ascii").split("\n")))
        rows = zip(
            range(first_line, first_line + lines),
            keys,
            column(int(profile.account)),
            dates,
            periods,
            map(self.months.__getitem__, dates),
            amounts.split(b"\n"),
            payers,
            addresses,
            strict=True,
        )
        if self.copy is None:
            cursor = self.open.enter_context(connection.cursor())
            self.copy = self.open.enter_context(cursor.copy(self.copy_sql))
        self.copy.write(b"".join(map(_ROW.__mod__, rows)))
        return lines

    def pause(self) -> None:
        """End the COPY (it is opened again by the next plain block): the careful road is to
        stage a block."""
        self.open.close()
        self.copy = None

    def finish(self) -> Decimal:
        """End the COPY; the sum of the blocks' amounts."""
        self.pause()
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('datestyle', %s, true)", [self.datestyle])
        return self.total


def _hashed(key: bytes) -> bytes:
    """The `external_id` of a key too long for the column, as the careful road makes it."""
    return registry_operation_id(key[len(REGISTRY) :].decode("cp1251")).encode()


def _period(written: bytes) -> bytes:
    """A month as `_PERIOD` takes it (ММГГГГ, ММ.ГГГГ, ММГГ, ММ.ГГ) in ISO."""
    digits = written.replace(b".", b"")
    year = digits[2:] if len(digits) == 6 else b"20" + digits[2:]
    return b"%s-%s-01" % (year, digits[:2])


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
    anything = f"[^{separator}\\r\\n\\x98]*"  # 0x98: not cp1251, the careful road says so
    date = _DAY_MONTH.replace("S", "/" if profile.date_format == "dd/mm/yyyy" else r"\.")
    forms = {profile.full_name: text, profile.address: text}
    forms.update({position: text for position in profile.operation})
    if profile.period:
        forms[profile.period] = _PERIOD
    forms.update({int(profile.account): _ACCOUNT, profile.amount: _AMOUNT, profile.date: f"(?:{date})"})
    line = separator.join(forms.get(n, anything) for n in range(1, profile.fields + 1))
    return f"(?:{line}\\r?\\n)*(?:{line})?"
