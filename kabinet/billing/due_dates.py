"""By when a period is to be paid, and by when its payment document is due: set by law.

ЖК РФ ст. 155 ч. 1 as amended by Федеральный закон от 24.06.2025 № 177-ФЗ (in force since
1 March 2026): the fee is paid monthly «до пятнадцатого числа месяца, следующего за истекшим
месяцем», on payment documents presented «не позднее пятого числа» of that month, and neither
day may be changed by the management contract or by a decision of the members of a ТСЖ or
кооператив. Before, the law said the 10th (and the 1st for the document) unless the contract set
another day. The Минстрой letter of 20.02.2026 № 9202-ДН/04 applies the new days to the payment
documents from the period March 2026 on: February 2026 is still paid by 10 March, March 2026 by
15 April. So the day follows the period, and no setting can move it.
"""

import datetime

# The first period the amended ст. 155 governs.
NEW_RULE_FROM = datetime.date(2026, 3, 1)
PAY_BY_DAY = 15  # ст. 155 ч. 1 as amended by 177-ФЗ
PAY_BY_DAY_BEFORE = 10  # ст. 155 ч. 1 before 1 March 2026
DOCUMENT_BY_DAY = 5  # ст. 155 ч. 2 as amended by 177-ФЗ
DOCUMENT_BY_DAY_BEFORE = 1


def _next_month(period: datetime.date) -> datetime.date:
    return (period.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def payment_due(period: datetime.date) -> datetime.date:
    """The last day to pay for `period` (a month, any day of it) without being late."""
    day = PAY_BY_DAY if period.replace(day=1) >= NEW_RULE_FROM else PAY_BY_DAY_BEFORE
    return _next_month(period).replace(day=day)


def document_due(period: datetime.date) -> datetime.date:
    """The last day to present the payment document for `period`."""
    day = DOCUMENT_BY_DAY if period.replace(day=1) >= NEW_RULE_FROM else DOCUMENT_BY_DAY_BEFORE
    return _next_month(period).replace(day=day)


def payment_due_sql(column: str, *, postgres: bool) -> str:
    """`payment_due` as an SQL expression of a period column (a date, the first of its month),
    for the balances rebuilt set-based (balances.py)."""
    since = f"'{NEW_RULE_FROM.isoformat()}'"
    if postgres:
        return (
            f"(CASE WHEN {column} >= DATE {since} "
            f"THEN {column} + interval '1 month {PAY_BY_DAY - 1} days' "
            f"ELSE {column} + interval '1 month {PAY_BY_DAY_BEFORE - 1} days' END)::date"
        )
    return (
        f"CASE WHEN {column} >= {since} "
        f"THEN date({column}, '+1 month', '+{PAY_BY_DAY - 1} days') "
        f"ELSE date({column}, '+1 month', '+{PAY_BY_DAY_BEFORE - 1} days') END"
    )
