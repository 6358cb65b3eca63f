"""Profiles of bank payment registries: where each value is in a line of the bank's file.

A registry is text, a payment a line, fields separated by `;` (no quoting), cp1251 by default,
no header, and a closing line with the totals. Banks lay the fields out differently, so a file
is read through a profile; the built-in ones are the Sberbank layouts in docs/bank-formats.md.
Positions are counted from 1, as the banks' descriptions count them.
"""

import re
from dataclasses import dataclass, field

from kabinet.core import formats

from ..read import ImportFileError


@dataclass(frozen=True)
class Totals:
    """The closing line: it begins with `prefix`; positions (from 1, after the prefix) of the
    count of payments, their sum, the commission and the payment order's number and date.
    `required`: a file without it was cut short; otherwise the bank may leave it out, and there
    is nothing to compare the payments with."""

    prefix: str = "="
    required: bool = True
    count: int = 1
    amount: int = 2
    transferred: int | None = 3
    commission: int | None = 4
    order_number: int | None = 5
    order_date: int | None = 6


@dataclass(frozen=True)
class Profile:
    """Where a registry's values are. A position is a field's number from 1; `account` may
    instead be a tag (`CLIENTNO`), read from a `TAG:value` field anywhere in the line."""

    name: str
    title: str
    fields: int  # positional fields a payment line has at least
    date: int
    account: int | str
    amount: int
    operation: tuple[int, ...]  # the fields that together are the bank's id of the operation
    date_format: str = "dd.mm.yyyy"  # or "dd/mm/yyyy"
    separator: str = ";"
    encoding: str = "cp1251"
    full_name: int | None = None
    address: int | None = None
    period: int | None = None
    # The bank's commission on the line: summed for the report when the file has no totals line
    # (which says the registry's commission otherwise).
    commission: int | None = None
    tagged: bool = False  # `TAG:value` fields follow the positional ones
    readings_tag: str = ""  # `CounterVal_N:` — the reading of the account's meter N
    totals: Totals | None = field(default_factory=Totals)
    note: str = "Сбербанк"


PROFILES: dict[str, Profile] = {}


def register(profile: Profile) -> None:
    PROFILES[profile.name] = profile


register(
    Profile(
        name="sber-17",
        title="Сбербанк, 17 полей",
        fields=17,
        date=1,
        operation=(1, 3, 4, 5, 11),
        account=6,
        full_name=7,
        address=8,
        period=9,
        amount=13,
        commission=17,
    )
)
register(
    Profile(
        name="sber-short",
        title="Сбербанк, 12 полей, итоговая строка «=»",
        fields=12,
        date=1,
        operation=(1, 2, 3, 4, 5, 6),
        account=6,
        full_name=7,
        address=8,
        period=9,
        amount=10,
        commission=12,
    )
)
register(
    Profile(
        name="sber-tagged",
        title="Сбербанк, поля с метками (лицевой счёт, показания счётчиков)",
        fields=6,
        date=4,
        date_format="dd/mm/yyyy",
        operation=(1, 2, 3, 4),
        account="CLIENTNO",
        amount=5,
        commission=6,
        tagged=True,
        readings_tag="CounterVal_",
        # The one public reader of such files found takes every line with a CLIENTNO: and reads
        # no totals line (docs/bank-formats.md): a file may end without one.
        totals=Totals(required=False),
    )
)


def names() -> str:
    return ", ".join(PROFILES)


def get(name: str) -> Profile:
    try:
        return PROFILES[name]
    except KeyError:
        raise ImportFileError(
            f"Профиль «{name}» не известен. Есть профили: {names()} (docs/bank-formats.md)."
        ) from None


def choices() -> list[tuple[str, str]]:
    return [(name, f"{profile.title} ({name})") for name, profile in PROFILES.items()]


def detect(first_line: str) -> Profile:
    """The profile whose layout the first payment line has, each profile cutting the line at its
    own separator: a tagged one whose account tag is in the line, else one whose fields are as
    many as the line's. Refused when none fits, and when two fit alike: guessing between them
    could read one bank's fields in another's places."""
    line = first_line.rstrip("\r\n")
    tagged = [p for p in PROFILES.values() if p.tagged and _has_tag(p, line.split(p.separator))]
    positional = [p for p in PROFILES.values() if not p.tagged and len(line.split(p.separator)) == p.fields]
    for found in (tagged, positional):
        if len(found) == 1:
            return found[0]
        if found:
            raise ImportFileError(
                "Не удаётся определить формат реестра: первая строка подходит к профилям "
                f"{' и '.join(p.name for p in found)}. Укажите профиль (--profile)."
            )
    raise ImportFileError(
        f"Не удаётся определить формат реестра: в первой строке {_line_fields(line)}, а в известных "
        f"форматах — {_known_layouts()}. Укажите профиль (--profile): {names()}."
    )


def _has_tag(profile: Profile, fields: list[str]) -> bool:
    tag = re.compile(rf"^\s*{re.escape(str(profile.account))}\s*:", re.IGNORECASE)
    return any(tag.match(value) for value in fields)


def _separators() -> list[str]:
    """The separators of the positional profiles, in the order the profiles were registered."""
    return list(dict.fromkeys(p.separator for p in PROFILES.values() if not p.tagged))


def _line_fields(line: str) -> str:
    """«9 полей», or, when the profiles cut lines at different separators, the count at each:
    «9 полей через «;», 1 поле через «|»»."""
    separators = _separators() or [";"]
    if len(separators) == 1:
        return _fields(len(line.split(separators[0])))
    return ", ".join(f"{_fields(len(line.split(sep)))} через «{sep}»" for sep in separators)


def _known_layouts() -> str:
    """«17 или 12 полей (или поле CLIENTNO:)»: what `detect` looks for, from the profiles there
    are; with profiles of different separators, the widths of each: «17 или 12 полей через «;»,
    12 полей через «|»»."""
    separators = _separators()
    tags = [f"поле {p.account}:" for p in PROFILES.values() if p.tagged]
    layouts = []
    for sep in separators:
        widths = sorted(
            {p.fields for p in PROFILES.values() if not p.tagged and p.separator == sep}, reverse=True
        )
        # The word agrees with the last number: «17 или 12 полей», «22 или 21 поле».
        text = ", ".join(map(str, widths[:-1])) + (" или " if len(widths) > 1 else "") + _fields(widths[-1])
        layouts.append(f"{text} через «{sep}»" if len(separators) > 1 else text)
    text = ", ".join(layouts)
    if tags:
        text += f" (или {' или '.join(tags)})" if text else " или ".join(tags)
    return text


def _fields(n: int) -> str:
    return formats.counted(n, "поле", "поля", "полей")
