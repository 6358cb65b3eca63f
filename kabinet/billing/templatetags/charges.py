"""The lines of «Начисления»: {% load charges %}, then {% service_rows doc.lines %} and
{% penalty_rows doc.penalties %} inside the table's body and foot.

The rows are written here, beside the page's template, rather than in it: eight lines of seven
cells through the template engine were a third of the page's time (bench/pages.py), and the
page is made afresh after every import, payment or reading. The cells are the line's `shown`
values and its «Как посчитано?» items (kabinet.billing.selectors.ChargeLine). Every text is
escaped here by the standard library's `html.escape` (what Django's `escape` calls) and the row
put together by `str.format`: `format_html_join`'s lazy-text checks around each of the ~70
values were half the rows' time.
"""

from collections.abc import Iterable
from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_HOW = (
    '<th scope="row" class="charges__service">{} <details class="charges__how"><summary>{}</summary>'
    "<ul>{}</ul></details></th>"
)
_SUMS = (
    '<td data-label="Начислено, ₽">{}</td><td data-label="Перерасчёт, ₽">{}</td>'
    '<td data-label="Льгота, ₽">{}</td><td data-label="К оплате, ₽" class="charges__sum">{}</td>'
)
_SERVICE_ROW = (
    f'<tr class="charges__line">{_HOW}<td data-label="Объём">{{}}</td><td data-label="Тариф, ₽">{{}}</td>'
    f"{_SUMS}</tr>\n"
)
_PENALTY_ROW = (
    f'<tr class="charges__line charges__penalty">{_HOW}<td class="charges__empty"></td>'
    f'<td class="charges__empty"></td>{_SUMS}</tr>\n'
)


def _sums(cells: dict[str, str]) -> tuple[str, str, str, str]:
    return (
        escape(cells["accrued"]),
        escape(cells["recalculation"]),
        escape(cells["benefit"]),
        escape(cells["to_pay"]),
    )


@register.simple_tag
def service_rows(lines: Iterable) -> SafeString:
    # Every value below is escaped, or HTML made of escaped texts (the items).
    return mark_safe(
        "".join(
            _SERVICE_ROW.format(
                escape(line.service_name),
                "Как посчитано?",
                line.explanation_items,
                escape(line.shown["volume"]),
                escape(line.shown["tariff"]),
                *_sums(line.shown),
            )
            for line in lines
        )
    )


@register.simple_tag
def penalty_rows(lines: Iterable) -> SafeString:
    return mark_safe(
        "".join(
            _PENALTY_ROW.format(
                escape(line.service_name), "Что это?", line.explanation_items, *_sums(line.shown)
            )
            for line in lines
        )
    )
