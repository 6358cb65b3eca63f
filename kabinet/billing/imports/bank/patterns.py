"""Finding the account number and the month in a payment order's «Назначение платежа».

Payers write them as they like: «Оплата ЖКУ л/с 1000123456 за ноябрь 2026», «ЛС:1000123456;
период 11.2026». The company's own patterns (`PurposePattern`, edited in the back-office) are
tried first, then the built-in ones here.
"""

import datetime
import re
from dataclasses import dataclass

from ...models import PurposePattern

_FLAGS = re.IGNORECASE
BUILT_IN = (
    re.compile(
        # «л/с», «л.с.», «ЛС», «лиц. сч.», «лицевой счёт», «по лицевому счёту», «лицевого счёта».
        r"(?:л\s*/\s*сч?|л\.\s*с\.?|\bлс\b|лиц(?:ев(?:ой|ому|ого|ым|ом)|\.)?\s*сч(?:[её]т|\.)?(?:у|а|ом)?)"
        r"\s*(?:№|N|:|-)?\s*"
        r"(?P<account>[0-9][0-9/-]{3,29}[0-9])",
        _FLAGS,
    ),
)
_MONTHS = {
    "январ": 1, "феврал": 2, "март": 3, "апрел": 4, "май": 5, "мая": 5, "июн": 6,
    "июл": 7, "август": 8, "сентябр": 9, "октябр": 10, "ноябр": 11, "декабр": 12,
}  # fmt: skip
_PERIODS = (
    re.compile(r"(?<![\d.])(?P<month>0?[1-9]|1[0-2])[./-](?P<year>20\d{2})(?!\d)"),
    re.compile(r"(?<!\d)(?P<month>0[1-9]|1[0-2])(?P<year>20\d{2})(?!\d)"),
    re.compile(
        r"(?P<name>январ[ья]|феврал[ья]|марта?|апрел[ья]|ма[йя]|июн[ья]|июл[ья]|августа?|сентябр[ья]"
        r"|октябр[ья]|ноябр[ья]|декабр[ья])\s*(?P<year>20\d{2})",
        _FLAGS,
    ),
)


@dataclass(frozen=True)
class Found:
    account: str  # as written; empty when none was found
    period: datetime.date | None


def compiled_patterns() -> list[re.Pattern]:
    """The company's active patterns (a broken one is left out: the admin form refuses those),
    then the built-in ones."""
    own = []
    for regex in PurposePattern.objects.filter(active=True).values_list("regex", flat=True):
        try:
            pattern = re.compile(regex, _FLAGS)
        except re.error:
            continue
        if "account" in pattern.groupindex:
            own.append(pattern)
    return [*own, *BUILT_IN]


def find(purpose: str, patterns: list[re.Pattern]) -> Found:
    text = purpose.replace("ё", "е").replace("Ё", "Е")
    for pattern in patterns:
        match = pattern.search(text)
        if match and match.group("account"):
            named = match.groupdict().get("period")
            period = parse_period(named) if named else None
            return Found(match.group("account"), period or find_period(text))
    return Found("", find_period(text))


def find_period(text: str) -> datetime.date | None:
    for pattern in _PERIODS:
        match = pattern.search(text)
        if match:
            return _month(match)
    return None


def parse_period(text: str) -> datetime.date | None:
    for pattern in _PERIODS:
        match = pattern.fullmatch(text.strip())
        if match:
            return _month(match)
    return None


def _month(match: re.Match) -> datetime.date | None:
    year = int(match.group("year"))
    name = match.groupdict().get("name")
    if name:
        lowered = name.lower()
        month = next(number for stem, number in _MONTHS.items() if lowered.startswith(stem))
    else:
        month = int(match.group("month"))
    return datetime.date(year, month, 1) if 2000 <= year <= 2100 else None
